/**
 * Live signals from MediaPipe in the page: tasks-vision's FaceLandmarker (VIDEO mode,
 * blendshapes, one face) on every video frame the page can keep up with, and its PoseLandmarker
 * at up to POSE_FPS, turned into the server's per-frame records by the server's own converters
 * (src/signals/face/engine/tasks-vision.ts: faceSignals; src/signals/pose/tasks-vision.ts).
 * Every runtime file comes from Candor (/app/runtime/: tasks-vision's wasm and the model
 * bundles), never from a CDN. The GPU delegate is tried first, then the CPU.
 */
import type { FaceLandmarker, PoseLandmarker } from '@mediapipe/tasks-vision'
import { faceSignalsFromTasksVision } from '../../../src/signals/face/engine/tasks-vision.js'
import { poseSignalsFromTasksVision } from '../../../src/signals/pose/tasks-vision.js'
import type { LiveFrame, LiveSource, LiveSourceStats } from './source.js'

export const RUNTIME = '/app/runtime'
/**
 * The body at up to 10/s (the server's pose stage rate) and on at most one frame in POSE_EVERY:
 * the pose model costs about as much as the face's, and the face (eye contact, blinks) needs
 * the frames more than posture and gestures do.
 */
export const POSE_FPS = 10
export const POSE_EVERY = 3
const MIN_POSE_PRESENCE = 0.5
const STATS_WINDOW_MS = 3000

export type Delegate = 'GPU' | 'CPU'

export interface PageSourceOptions {
  /** Track the body too (PoseLandmarker lite). Default true. */
  pose?: boolean
  /** Force a delegate; by default the GPU is tried first, then the CPU. */
  delegate?: Delegate
}

export interface PageSource extends LiveSource {
  readonly kind: 'page'
  /** The delegates the models got (null before start), and why the CPU was chosen when it was. */
  delegates (): { face: Delegate | null, pose: Delegate | null, why: string | null }
}

/**
 * A software WebGL (SwiftShader, llvmpipe...) runs the GPU delegate's shaders on the CPU: there
 * tasks-vision's GPU delegate took ~2.5 s a frame against ~40 ms on its CPU delegate.
 */
export function softwareRenderer (): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl2')
    if (!gl) return null
    const debug = gl.getExtension('WEBGL_debug_renderer_info')
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER))
    gl.getExtension('WEBGL_lose_context')?.loseContext()
    return /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i.test(renderer) ? renderer : null
  } catch {
    return null
  }
}

/** The GPU is given up for the CPU when its median detection over the first frames is slower than this. */
const SLOW_GPU_MS = 80
const GPU_TRIAL_FRAMES = 12

let support: { reason: string | null } | null = null

/** Why this browser cannot run MediaPipe in the page, or null when it can (checked once: each check makes a WebGL context). */
export function pageUnsupportedReason (): string | null {
  support ??= { reason: checkSupport() }
  return support.reason
}

function checkSupport (): string | null {
  if (typeof WebAssembly !== 'object') return 'no WebAssembly'
  try {
    // tasks-vision uploads every frame to a WebGL2 texture, even on the CPU delegate.
    const gl = document.createElement('canvas').getContext('webgl2')
    if (!gl) return 'no WebGL2'
    gl.getExtension('WEBGL_lose_context')?.loseContext()
  } catch {
    return 'no WebGL2'
  }
  if (typeof HTMLVideoElement === 'undefined') return 'no video element'
  return null
}

export function createPageSource (options: PageSourceOptions = {}): PageSource {
  const trackPose = options.pose ?? true
  const listeners = new Set<(frame: LiveFrame) => void>()
  let face: FaceLandmarker | null = null
  let pose: PoseLandmarker | null = null
  const delegates: { face: Delegate | null, pose: Delegate | null, why: string | null } = { face: null, pose: null, why: null }
  const gpuTrial: number[] = []
  let switching = false
  let createModels: ((delegate: Delegate | null) => Promise<void>) | null = null
  let video: HTMLVideoElement | null = null
  let running = false
  let startedAt = 0
  let lastTimestamp = -1
  let lastPoseAt = -Infinity
  let facesSincePose = POSE_EVERY
  let lastPresented: number | null = null
  let dropped = 0
  let callback: number | null = null
  const analysedAt: number[] = []
  const latencies: number[] = []

  const nextTimestamp = (now: number) => {
    lastTimestamp = Math.max(lastTimestamp + 1, Math.round(now))
    return lastTimestamp
  }

  const analyse = (now: number, presented: number | null, captured: number | null) => {
    if (!running || !video || !face) return
    if (presented !== null && lastPresented !== null && presented > lastPresented + 1) dropped += presented - lastPresented - 1
    if (presented !== null) lastPresented = presented
    const width = video.videoWidth
    const height = video.videoHeight
    if (width === 0 || height === 0) return
    const t = now - startedAt
    const detectStarted = performance.now()
    const result = face.detectForVideo(video, nextTimestamp(now))
    if (delegates.face === 'GPU' && !options.delegate && !switching) trialGpu(performance.now() - detectStarted)
    const landmarks = result.faceLandmarks[0]
    const categories = result.faceBlendshapes[0]?.categories
    const frame: LiveFrame = {
      t,
      face: { t, face: landmarks && categories ? faceSignalsFromTasksVision(landmarks, categories, width, height) : null, otherFaces: 0 }
    }
    facesSincePose++
    if (pose && now - lastPoseAt >= 1000 / POSE_FPS - 5 && facesSincePose >= POSE_EVERY) {
      lastPoseAt = now
      facesSincePose = 0
      const body = pose.detectForVideo(video, lastTimestamp)
      const points = body.landmarks[0]
      const world = body.worldLandmarks[0]
      frame.pose = { t, pose: points && world ? poseSignalsFromTasksVision(points, world, MIN_POSE_PRESENCE) : null }
    }
    const done = performance.now()
    analysedAt.push(done)
    while (analysedAt.length > 0 && analysedAt[0]! < done - STATS_WINDOW_MS) analysedAt.shift()
    latencies.push(done - (captured ?? now))
    if (latencies.length > 60) latencies.shift()
    for (const listener of [...listeners]) listener(frame)
  }

  /** A GPU slower than the CPU would be (a software one not recognised by name) is swapped for the CPU, while running. */
  const trialGpu = (ms: number) => {
    gpuTrial.push(ms)
    if (gpuTrial.length < GPU_TRIAL_FRAMES) return
    const median = [...gpuTrial].sort((a, b) => a - b)[gpuTrial.length >> 1]!
    gpuTrial.length = 0
    if (median <= SLOW_GPU_MS || !createModels) return
    switching = true
    const old = { face, pose }
    createModels('CPU').then(() => {
      if (!running) return
      delegates.why = `the GPU took ${Math.round(median)} ms a frame`
      old.face?.close()
      old.pose?.close()
    }, (error: unknown) => {
      // Keep going on the GPU; say why in the stats.
      delegates.why = `the GPU took ${Math.round(median)} ms a frame, and the CPU could not start: ${error instanceof Error ? error.message : String(error)}`
    })
  }

  const schedule = () => {
    if (!running || !video) return
    const element = video
    if ('requestVideoFrameCallback' in element) {
      callback = element.requestVideoFrameCallback((now, metadata) => {
        try {
          analyse(now, metadata.presentedFrames, metadata.captureTime ?? null)
        } finally {
          schedule()
        }
      })
    } else {
      callback = requestAnimationFrame((now) => {
        try {
          analyse(now, null, null)
        } finally {
          schedule()
        }
      })
    }
  }

  return {
    kind: 'page',
    delegates: () => ({ ...delegates }),

    async start (element) {
      const reason = pageUnsupportedReason()
      if (reason) throw new Error(`MediaPipe cannot run in this browser (${reason})`)
      const vision = await import('@mediapipe/tasks-vision')
      const fileset = await vision.FilesetResolver.forVisionTasks(new URL(`${RUNTIME}/wasm`, location.href).href)
      const model = (name: string) => new URL(`${RUNTIME}/models/${name}`, location.href).href
      const tryDelegates = async <T>(create: (delegate: Delegate) => Promise<T>, only?: Delegate[]): Promise<[T, Delegate]> => {
        const order: Delegate[] = only ?? (options.delegate ? [options.delegate] : ['GPU', 'CPU'])
        let failure: unknown = null
        for (const delegate of order) {
          try {
            return [await create(delegate), delegate]
          } catch (error) {
            failure = error
            delegates.why = `the ${delegate} delegate failed: ${error instanceof Error ? error.message : String(error)}`
          }
        }
        throw failure instanceof Error ? failure : new Error('no tasks-vision delegate could start')
      }
      createModels = async (only) => {
        const order: Delegate[] | undefined = only ? [only] : undefined
        const [nextFace, faceDelegate] = await tryDelegates((delegate) => vision.FaceLandmarker.createFromOptions(fileset, {
          baseOptions: { modelAssetPath: model('face_landmarker.task'), delegate },
          runningMode: 'VIDEO',
          numFaces: 1,
          outputFaceBlendshapes: true
        }), order)
        let nextPose: PoseLandmarker | null = null
        let poseDelegate: Delegate | null = null
        if (trackPose) {
          ;[nextPose, poseDelegate] = await tryDelegates((delegate) => vision.PoseLandmarker.createFromOptions(fileset, {
            baseOptions: { modelAssetPath: model('pose_landmarker_lite.task'), delegate },
            runningMode: 'VIDEO',
            numPoses: 1,
            minPosePresenceConfidence: MIN_POSE_PRESENCE
          }), order)
        }
        if (!running && video) {
          // Stopped while the models were made.
          nextFace.close()
          nextPose?.close()
          return
        }
        face = nextFace
        pose = nextPose
        lastTimestamp = -1
        delegates.face = faceDelegate
        delegates.pose = poseDelegate
      }
      const software = options.delegate ? null : softwareRenderer()
      if (software) delegates.why = `software WebGL (${software})`
      await createModels(software ? 'CPU' : null)
      video = element
      running = true
      startedAt = performance.now()
      schedule()
    },

    onFrame (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },

    stats (): LiveSourceStats {
      const now = performance.now()
      const recent = analysedAt.filter((at) => at >= now - STATS_WINDOW_MS)
      const span = recent.length > 1 ? (recent[recent.length - 1]! - recent[0]!) / 1000 : 0
      const sorted = [...latencies].sort((a, b) => a - b)
      return {
        fps: span > 0 ? (recent.length - 1) / span : 0,
        dropped,
        latencyMs: sorted.length > 0 ? sorted[sorted.length >> 1]! : 0
      }
    },

    stop () {
      running = false
      if (callback !== null && video) {
        if ('cancelVideoFrameCallback' in video) video.cancelVideoFrameCallback(callback)
        else cancelAnimationFrame(callback)
      }
      callback = null
      face?.close()
      pose?.close()
      face = null
      pose = null
      listeners.clear()
    }
  }
}
