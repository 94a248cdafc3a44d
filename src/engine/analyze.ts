/**
 * The analysis engine: a video file in, per-frame face signals and the metrics built from them
 * out. A library with no knowledge of HTTP, queues or databases: the CLI, the job worker, the
 * benchmark and the tests all drive this code.
 *
 * Per frame: the tracker runs the mesh on the main face (each frame's crop comes from the
 * previous frame's landmarks, so that chain is sequential), then blendshapes, and every few
 * frames the emotion model, run while the next frame's mesh is computed. At most a few
 * frames are in flight, so memory does not grow with the video's length.
 */
import path from 'node:path'
import { probeVideo, MediaError, type ToolPaths, type VideoMetadata } from '../media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../media/frames.js'
import { computeFaceMetrics, KEY_BLENDSHAPES, type FaceFrame, type FaceMetrics, type FaceSignals } from '../metrics/index.js'
import { YuNetDetector } from './face/yunet.js'
import { FaceMeshModel, MESH_FILE, type MeshResult } from './face/mesh.js'
import { BlendshapeModel, BLENDSHAPES_FILE, BLENDSHAPE_NAMES } from './face/blendshapes.js'
import { FaceTracker, TRACKER_DEFAULTS } from './face/tracker.js'
import { headPose, eyes, gaze } from './face/geometry.js'
import { EmotionClassifier } from './emotion/classifier.js'
import { StageTimer } from './timing.js'

export const ENGINE_VERSION = '0.1.0'
const DETECTOR_FILE = 'face_detection_yunet_2023mar.onnx'

export interface EngineModels {
  modelsDir: string
  /** Emotion model id from the registry (engine/emotion/registry.ts). */
  emotionModel: string
}

export interface AnalyzeOptions {
  /** Frames per second to analyse; default every frame of the video. */
  fps?: number
  /** Frames are scaled down to this width for analysis. */
  maxWidth?: number
  /** How often emotion is estimated (per second of video); 0 turns it off. */
  emotionFps?: number
  /** Detector schedule while tracking. */
  detectEveryMs?: number
  onProgress?: (progress: EngineProgress) => void
  /** Receives frames in time order, in batches, as they are analysed (e.g. to store them). */
  onFrames?: (frames: FaceFrame[]) => Promise<void> | void
  /** Keep every frame in the result (default true; the metrics are computed either way). */
  keepFrames?: boolean
}

export interface EngineProgress {
  stage: 'probing' | 'analysing' | 'summarising'
  framesDone: number
  framesExpected: number
  /** 0..1 */
  fraction: number
}

export interface AnalysisResult {
  engineVersion: string
  file: string
  video: VideoMetadata
  sampling: { fps: number, width: number, height: number, frames: number, emotionFps: number }
  models: Record<string, string>
  metrics: FaceMetrics
  frames?: FaceFrame[]
  /** Wall time per stage in milliseconds (stages overlap, so they add up to more than the total). */
  timings: Record<string, number>
  warnings: string[]
}

const FRAME_BATCH = 64
const MAX_IN_FLIGHT = 3

export class AnalysisEngine {
  private constructor (
    private readonly detector: YuNetDetector,
    private readonly mesh: FaceMeshModel,
    private readonly blendshapes: BlendshapeModel,
    private readonly emotion: EmotionClassifier
  ) {}

  /** Loads every model once; an engine analyses any number of videos, one at a time. */
  static async load (models: EngineModels): Promise<AnalysisEngine> {
    const [detector, mesh, blendshapes, emotion] = await Promise.all([
      YuNetDetector.load(path.join(models.modelsDir, DETECTOR_FILE)),
      FaceMeshModel.load(models.modelsDir),
      BlendshapeModel.load(models.modelsDir),
      EmotionClassifier.load(models.emotionModel, models.modelsDir)
    ])
    return new AnalysisEngine(detector, mesh, blendshapes, emotion)
  }

  async analyze (file: string, tools: ToolPaths, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    const timings = new StageTimer()
    const started = performance.now()
    const report = options.onProgress ?? (() => {})
    report({ stage: 'probing', framesDone: 0, framesExpected: 0, fraction: 0 })
    const video = await timings.time('probe', () => probeVideo(file, tools))
    const stream = await openFrameStream(file, video, tools, { ...(options.fps ? { fps: options.fps } : {}), maxWidth: options.maxWidth ?? 640 })
    const emotionFps = options.emotionFps ?? 5
    const tracker = new FaceTracker(this.detector, this.mesh, { ...TRACKER_DEFAULTS, ...(options.detectEveryMs ? { detectEveryMs: options.detectEveryMs } : {}) }, timings)

    // Every frame is kept for the metrics (a FaceFrame is a few hundred bytes).
    const frames: FaceFrame[] = []
    let batch: FaceFrame[] = []
    const inFlight: Array<Promise<FaceFrame>> = []
    let nextEmotionMs = 0
    let done = 0

    const settle = async () => {
      const frame = await inFlight.shift()!
      frames.push(frame)
      batch.push(frame)
      done++
      if (batch.length >= FRAME_BATCH) {
        await options.onFrames?.(batch)
        batch = []
      }
      if (done % 10 === 0) report({ stage: 'analysing', framesDone: done, framesExpected: stream.expectedFrames, fraction: Math.min(0.99, done / stream.expectedFrames) })
    }

    const decodeStart = performance.now()
    let waitingForDecoder = 0
    let last = performance.now()
    for await (const frame of stream.frames) {
      waitingForDecoder += performance.now() - last
      const tracked = await tracker.next(frame)
      // Emotion on a fixed time grid (one estimate per 1/emotionFps slot), so the rate does
      // not drift with frame timing; slots without a face are skipped, not made up later.
      const wantEmotion = emotionFps > 0 && tracked.main !== null && frame.timeMs >= nextEmotionMs
      while (emotionFps > 0 && nextEmotionMs <= frame.timeMs) nextEmotionMs += 1000 / emotionFps
      inFlight.push(this.describe(frame, tracked.main, tracked.otherFaces, wantEmotion, timings))
      while (inFlight.length > MAX_IN_FLIGHT) await settle()
      last = performance.now()
    }
    while (inFlight.length > 0) await settle()
    if (batch.length > 0) await options.onFrames?.(batch)
    timings.add('decode_wait', waitingForDecoder)
    timings.add('frames_total', performance.now() - decodeStart)

    const warnings: string[] = []
    if (done < stream.expectedFrames * 0.9) {
      warnings.push(`video ends early: decoded ${done} of ${stream.expectedFrames} expected frames (damaged or truncated file)`)
    }
    if (done === 0) throw new MediaError('not_media', 'not a video: no frame could be decoded')
    report({ stage: 'summarising', framesDone: done, framesExpected: stream.expectedFrames, fraction: 0.99 })
    const metrics = timings.timeSync('metrics', () => computeFaceMetrics(frames))
    timings.add('total', performance.now() - started)
    return {
      engineVersion: ENGINE_VERSION,
      file,
      video,
      sampling: { fps: stream.fps, width: stream.width, height: stream.height, frames: done, emotionFps },
      models: { detector: DETECTOR_FILE, mesh: MESH_FILE, blendshapes: BLENDSHAPES_FILE, emotion: this.emotion.spec.file },
      metrics,
      ...(options.keepFrames === false ? {} : { frames }),
      timings: timings.result(),
      warnings
    }
  }

  private async describe (frame: VideoFrame, mesh: MeshResult | null, otherFaces: number, withEmotion: boolean, timings: StageTimer): Promise<FaceFrame> {
    if (!mesh) return { t: frame.timeMs, face: null, otherFaces }
    const landmarks = mesh.landmarks
    const [scores, emotion] = await Promise.all([
      timings.time('blendshapes', () => this.blendshapes.run(landmarks)),
      withEmotion ? timings.time('emotion', () => this.emotion.classify(frame, emotionRegion(landmarks))) : undefined
    ])
    return { t: frame.timeMs, face: faceSignals(landmarks, scores, frame.width, frame.height), otherFaces, ...(emotion ? { emotion } : {}) }
  }
}

const BLEND_INDEX = Object.fromEntries(BLENDSHAPE_NAMES.map((name, i) => [name, i])) as Record<string, number>

function faceSignals (landmarks: Float32Array, scores: Float32Array, width: number, height: number): FaceSignals {
  const pose = headPose(landmarks)
  const eyeStates = eyes(landmarks)
  const blendshapes = Object.fromEntries(KEY_BLENDSHAPES.map((name) => [name, round(scores[BLEND_INDEX[name]!]!, 3)])) as FaceSignals['blendshapes']
  const [x0, y0, x1, y1] = bounds(landmarks)
  const direction = gaze(pose, eyeStates, RESTING_IRIS_Y)
  return {
    box: [round(x0 / width, 4), round(y0 / height, 4), round((x1 - x0) / width, 4), round((y1 - y0) / height, 4)],
    pose: { yaw: round(pose.yaw, 2), pitch: round(pose.pitch, 2), roll: round(pose.roll, 2) },
    gaze: { yaw: round(direction.yaw, 2), pitch: round(direction.pitch, 2) },
    eyeOpening: [round(eyeStates.left.opening, 3), round(eyeStates.right.opening, 3)],
    blink: round((blendshapes.eyeBlinkLeft + blendshapes.eyeBlinkRight) / 2, 3),
    blendshapes
  }
}

/**
 * Where the iris sits, in half eye widths below the eye-corner line, when looking straight
 * ahead (measured on the frontal fixture faces: -0.16 to -0.21).
 */
const RESTING_IRIS_Y = -0.18

/** The face box and the 5 alignment points (eyes, nose tip, mouth corners) from the mesh. */
function emotionRegion (landmarks: Float32Array): { box: { x: number, y: number, width: number, height: number }, keypoints: Array<[number, number]> } {
  const p = (i: number): [number, number] => [landmarks[i * 3]!, landmarks[i * 3 + 1]!]
  const mid = (a: number, b: number): [number, number] => [(p(a)[0] + p(b)[0]) / 2, (p(a)[1] + p(b)[1]) / 2]
  const [x0, y0, x1, y1] = bounds(landmarks)
  return {
    box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    // YuNet's order: the person's right eye (image left), left eye, nose tip, right and left mouth corners.
    keypoints: [mid(33, 133), mid(263, 362), p(1), p(61), p(291)]
  }
}

function bounds (landmarks: Float32Array): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
  for (let i = 0; i < 468 * 3; i += 3) {
    x0 = Math.min(x0, landmarks[i]!); x1 = Math.max(x1, landmarks[i]!)
    y0 = Math.min(y0, landmarks[i + 1]!); y1 = Math.max(y1, landmarks[i + 1]!)
  }
  return [x0, y0, x1, y1]
}

function round (value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
