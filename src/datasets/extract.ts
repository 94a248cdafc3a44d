/**
 * One video to landmark sequences for datasets, on the analysis engine itself (never a second
 * pipeline): the engine runs the pose stage (and the face stage with `signals: ['face']`) and
 * streams its frames out; this file only sorts them into arrays and drops the frames below the
 * confidence threshold. The arrays (C order; K kept frames, N analysed frames):
 *
 *   pose (kept when a body was found with presence >= minConfidence):
 *     landmarks     [K,33,3] float32  x, y normalised to the frame (0..1, may lie outside), z on x's scale (MediaPipe's)
 *     world         [K,33,3] float32  metres, origin between the hips (MediaPipe's world landmarks)
 *     visibility    [K,33]   float32  0..1 per landmark
 *     presence      [K]      float32  the landmark model's body presence 0..1
 *     timestamps    [K]      float64  ms from the video's start: the engine's frame times
 *     kept_indices  [K]      int32    index of each kept frame among the N analysed frames
 *   face (with signals 'face'; its own kept set: a face tracked with presence >= minConfidence):
 *     face_landmarks [F,478,3] float32  x / width, y / height, z / width (tasks-vision's normalisation)
 *     blendshapes    [F,52]    float32  header.blendshape_names order
 *     face_presence  [F]       float32
 *     face_timestamps [F]      float64  ms
 *     face_kept_indices [F]    int32
 *   frame_timestamps [N] float64: every analysed frame's time in ms, so the gaps are visible.
 *
 * Sampling: pose alone decodes every frame of the video with its real presentation time and
 * the pose stage takes the first frame at or after each 1/fps slot of its fixed grid (what the
 * engine does in an analysis). With face, the face stage analyses every decoded frame, so the
 * engine decodes at `fps` (ffmpeg's fps filter: frame i at i/fps, each the source frame showing
 * then; every frame when the video's own rate is lower) and pose runs on each of those frames
 * (pose and face arrays then index the same analysed frames, each with its own kept set).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { AnalysisEngine, ENGINE_VERSION } from '../engine/analyze.js'
import { probeVideo, type ToolPaths } from '../media/ffprobe.js'
import type { MediaLimits } from '../media/limits.js'
import { loadConfig, projectRoot } from '../config.js'
import type { SignalModule } from '../signals/contract.js'
import { face as faceModule } from '../signals/face/index.js'
import { pose as poseModule } from '../signals/pose/index.js'
import { POSE_LANDMARKS, type PoseFrame } from '../signals/pose/types.js'
import { POSE_METRICS_VERSION } from '../signals/pose/metrics/index.js'
import { POSE_DETECTOR_FILE } from '../signals/pose/engine/detector.js'
import { POSE_LANDMARK_FILES } from '../signals/pose/engine/landmarks.js'
import { METRICS_VERSION as FACE_METRICS_VERSION, type FaceFrame } from '../signals/face/metrics/index.js'
import { BLENDSHAPE_NAMES } from '../signals/face/engine/blendshape-names.js'
import { MESH_FILE } from '../signals/face/engine/mesh.js'
import { BLENDSHAPES_FILE } from '../signals/face/engine/blendshapes.js'
import { DETECTOR_FILE } from '../signals/face/engine/yunet.js'
import { BLAZEFACE_FILE } from '../signals/face/engine/blazeface.js'

export type SequenceSignal = 'pose' | 'face'
export type SequenceDtype = 'float32' | 'float64' | 'int32' | 'uint8'

export interface ExtractOptions {
  /** pose: 33 body landmarks; face: 478 face landmarks and 52 blendshapes. At least one. */
  signals: ReadonlyArray<SequenceSignal>
  /** Frames analysed per second of video (0 < fps <= 60). */
  fps: number
  /** Stop after this many analysed frames. */
  maxFrames?: number
  /** 0..1: frames whose presence is below it (or with no body / no face) are dropped. */
  minConfidence: number
  /** BlazePose landmark model. */
  model: 'lite' | 'full'
  /** Analysed frames so far / expected (an estimate until the last call, which gives (seen, seen)). */
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
}

export interface SequenceArray { dtype: SequenceDtype, shape: number[], data: Float32Array | Float64Array | Int32Array | Uint8Array }
export interface SequenceArrays { [name: string]: SequenceArray }

export interface ExtractedSequence {
  arrays: SequenceArrays
  /** JSON-safe: source, sampling, models, versions, options, frame counts, array descriptions. */
  header: Record<string, unknown>
  /** Frames analysed (N). */
  framesSeen: number
  /** Pose frames kept (K); the face's own count is header.frames.face_kept. Without pose: the face's. */
  framesKept: number
  /** The video's duration. */
  durationS: number
}

/** Defaults come from the environment (src/config.ts) for whatever is not given. */
export interface ExtractorConfig {
  modelsDir?: string
  emotionModel?: string
  tools?: ToolPaths
  /** Analysis width (default ANALYSIS_WIDTH, 640). */
  maxWidth?: number
  limits?: MediaLimits
}

export interface Extractor {
  /** One video at a time per extractor (the engine analyses one video at a time). */
  extract (file: string, options: ExtractOptions): Promise<ExtractedSequence>
  close (): Promise<void>
}

export const SEQUENCE_FORMAT = 'candor-sequence'
export const SEQUENCE_FORMAT_VERSION = 1
export const MAX_FPS = 60

const CANDOR_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch {
    return 'unknown'
  }
})()

/** Checks options from outside (CLI, config file) and names what is wrong. */
export function validateExtractOptions (options: ExtractOptions): void {
  const o = options as unknown as Record<string, unknown>
  if (typeof o !== 'object' || o === null) throw new TypeError('extract options must be an object')
  const signals = o.signals
  if (!Array.isArray(signals) || signals.length === 0 || !signals.every((s) => s === 'pose' || s === 'face') || new Set(signals).size !== signals.length) {
    throw new RangeError(`signals must be a non-empty list of pose and/or face, got ${JSON.stringify(signals)}`)
  }
  if (typeof o.fps !== 'number' || !Number.isFinite(o.fps) || o.fps <= 0 || o.fps > MAX_FPS) throw new RangeError(`fps must be a number above 0 and at most ${MAX_FPS}, got ${String(o.fps)}`)
  if (o.maxFrames !== undefined && (typeof o.maxFrames !== 'number' || !Number.isSafeInteger(o.maxFrames) || o.maxFrames < 1)) {
    throw new RangeError(`maxFrames must be a whole number >= 1, got ${String(o.maxFrames)}`)
  }
  if (typeof o.minConfidence !== 'number' || !(o.minConfidence >= 0 && o.minConfidence <= 1)) throw new RangeError(`minConfidence must be a number from 0 to 1, got ${String(o.minConfidence)}`)
  if (o.model !== 'lite' && o.model !== 'full') throw new RangeError(`model must be lite or full, got ${String(o.model)}`)
}

class MaxFramesReached extends Error {}

class EngineExtractor implements Extractor {
  private engine: AnalysisEngine | null = null
  private withFace = false
  private busy = false

  constructor (private readonly config: Required<Pick<ExtractorConfig, 'modelsDir' | 'emotionModel' | 'tools' | 'maxWidth'>> & { limits?: MediaLimits }) {}

  /** The pose-only engine until a video asks for faces; then one with both stages. */
  private async engineFor (face: boolean): Promise<AnalysisEngine> {
    if (this.engine && (this.withFace || !face)) return this.engine
    if (this.engine) await this.engine.close()
    this.engine = null
    const signals: SignalModule[] = face ? [faceModule as SignalModule, poseModule as SignalModule] : [poseModule as SignalModule]
    this.engine = await AnalysisEngine.load({ modelsDir: this.config.modelsDir, emotionModel: this.config.emotionModel, signals })
    this.withFace = face
    return this.engine
  }

  async extract (file: string, options: ExtractOptions): Promise<ExtractedSequence> {
    validateExtractOptions(options)
    if (this.busy) throw new Error('this extractor is already extracting a video; use one extractor per concurrent video')
    this.busy = true
    try {
      return await this.run(file, options)
    } finally {
      this.busy = false
    }
  }

  private async run (file: string, options: ExtractOptions): Promise<ExtractedSequence> {
    const wantPose = options.signals.includes('pose')
    const wantFace = options.signals.includes('face')
    const { tools } = this.config
    const probe = await probeVideo(file, tools, options.signal ? { signal: options.signal } : {})
    const engine = await this.engineFor(wantFace)

    // The kind whose frames count as "analysed" (each analysed frame has one of them).
    const counted = wantFace ? 'face' : 'pose'
    const expected = Math.max(1, Math.min(options.maxFrames ?? Infinity, Math.ceil(probe.durationS * Math.min(options.fps, probe.fps || options.fps))))
    const frames = { pose: [] as PoseFrame[], face: [] as FaceFrame[] }
    const stop = new AbortController()
    const onAbort = () => stop.abort(options.signal!.reason)
    if (options.signal?.aborted) throw options.signal.reason
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const limit = options.maxFrames ?? Infinity
    let lastDone = -1
    // Two sources (decoding's estimate, the frames counted): reported only when it moves on.
    const progress = (done: number) => {
      if (done <= lastDone) return
      lastDone = done
      options.onProgress?.(done, expected)
    }

    const kinds = wantFace ? (wantPose ? ['face', 'pose'] : ['face']) : ['pose']
    const signals: Record<string, Record<string, number>> = wantFace
      ? {
          // Every decoded frame through both stages: pose's grid (120/s) is finer than the decoding rate.
          face: { emotionFps: 0, countFacesEveryMs: 3_600_000, landmarks: 1 },
          pose: { poseFps: 120, poseModel: options.model === 'full' ? 1 : 0 }
        }
      : { pose: { poseFps: options.fps, poseModel: options.model === 'full' ? 1 : 0 } }
    const started = performance.now()
    let sampling: { fps: number, width: number, height: number, decoded: number, resampled: boolean } | null = null
    let warnings: string[] = []
    try {
      const result = await engine.analyze(file, tools, {
        ...(wantFace ? { fps: options.fps } : {}),
        probe,
        kinds,
        signals,
        maxWidth: this.config.maxWidth,
        ...(this.config.limits ? { limits: this.config.limits } : {}),
        keepFrames: false,
        signal: stop.signal,
        onFrames: (kind, batch) => {
          if (kind !== 'pose' && kind !== 'face') return
          const own = frames[kind] as unknown[]
          for (const frame of batch) own.push(frame)
          if (kind === counted) {
            progress(Math.min(limit, own.length))
            if (own.length >= limit && !stop.signal.aborted) stop.abort(new MaxFramesReached())
          }
        },
        onProgress: ({ stage, fraction }) => { if (stage === 'analysing') progress(Math.min(expected - 1, Math.floor(fraction * expected))) }
      })
      sampling = { fps: result.sampling.fps, width: result.sampling.width, height: result.sampling.height, decoded: result.sampling.frames, resampled: wantFace && result.sampling.fps < probe.fps * 0.999 }
      warnings = result.warnings
    } catch (error) {
      if (!(stop.signal.reason instanceof MaxFramesReached) || options.signal?.aborted) throw error
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
    const elapsedS = (performance.now() - started) / 1000

    // With face, pose runs on the same frames; both lists are cut to the analysed frames kept.
    const seen = frames[counted].slice(0, limit).length
    const faceFrames = frames.face.slice(0, limit)
    const poseFrames = wantFace ? alignPoseToFace(frames.pose, faceFrames) : frames.pose.slice(0, limit)
    const analysedTimes = (counted === 'face' ? faceFrames : poseFrames).map((f) => f.t)

    const arrays: SequenceArrays = { frame_timestamps: f64([analysedTimes.length], analysedTimes) }
    let poseKept = 0
    let faceKept = 0
    if (wantPose) {
      const pose = poseArrays(poseFrames, options.minConfidence)
      Object.assign(arrays, pose.arrays)
      poseKept = pose.kept
    }
    if (wantFace) {
      const face = faceArrays(faceFrames, options.minConfidence)
      Object.assign(arrays, face.arrays)
      faceKept = face.kept
    }
    const width = sampling?.width ?? null
    const height = sampling?.height ?? null
    const header = {
      format: SEQUENCE_FORMAT,
      format_version: SEQUENCE_FORMAT_VERSION,
      source: {
        file: path.basename(file),
        size_bytes: probe.sizeBytes,
        duration_s: probe.durationS,
        fps: probe.fps,
        width: probe.width,
        height: probe.height,
        rotation: probe.rotation,
        codec: probe.videoCodec
      },
      sampling: {
        target_fps: options.fps,
        decoding: wantFace ? (sampling?.resampled ? `resampled to ${options.fps} fps by ffmpeg` : 'every frame (the video is not faster than the target)') : `every frame, pose on a ${options.fps}/s grid`,
        analysed_width: width,
        analysed_height: height,
        stopped_early_at_max_frames: sampling === null
      },
      units: { timestamps: 'ms from the start of the video', landmarks: 'x / width, y / height, z on the scale of x', world: 'metres, origin between the hips' },
      models: {
        ...(wantPose ? { pose: options.model, pose_detector: POSE_DETECTOR_FILE, pose_landmarks: POSE_LANDMARK_FILES[options.model] } : {}),
        ...(wantFace ? { face_detector: DETECTOR_FILE, face_closeup_detector: BLAZEFACE_FILE, face_mesh: MESH_FILE, face_blendshapes: BLENDSHAPES_FILE } : {})
      },
      versions: { candor: CANDOR_VERSION, engine: ENGINE_VERSION, format: SEQUENCE_FORMAT_VERSION, pose_metrics: POSE_METRICS_VERSION, face_metrics: FACE_METRICS_VERSION },
      options: { signals: [...options.signals], fps: options.fps, max_frames: options.maxFrames ?? null, min_confidence: options.minConfidence, model: options.model },
      frames: { seen: seen, ...(wantPose ? { pose_kept: poseKept } : {}), ...(wantFace ? { face_kept: faceKept } : {}) },
      ...(wantPose ? { pose_landmark_names: [...POSE_LANDMARKS] } : {}),
      ...(wantFace ? { blendshape_names: [...BLENDSHAPE_NAMES] } : {}),
      arrays: Object.fromEntries(Object.entries(arrays).map(([name, a]) => [name, { dtype: a.dtype, shape: a.shape }])),
      extraction_seconds: Math.round(elapsedS * 100) / 100,
      warnings
    }
    options.onProgress?.(seen, seen)
    return { arrays, header, framesSeen: seen, framesKept: wantPose ? poseKept : faceKept, durationS: probe.durationS }
  }

  async close (): Promise<void> {
    const engine = this.engine
    this.engine = null
    await engine?.close()
  }
}

/**
 * With both stages, pose runs on every frame the face does (its grid at 120/s is finer than any
 * decoding rate allowed here); matched by time, a frame pose skipped counts as no body.
 */
function alignPoseToFace (pose: PoseFrame[], face: readonly FaceFrame[]): PoseFrame[] {
  const byTime = new Map(pose.map((frame) => [frame.t, frame]))
  return face.map((frame) => byTime.get(frame.t) ?? { t: frame.t, pose: null })
}

function f32 (shape: number[], data: Float32Array): SequenceArray { return { dtype: 'float32', shape, data } }
function f64 (shape: number[], values: readonly number[]): SequenceArray { return { dtype: 'float64', shape, data: Float64Array.from(values) } }
function i32 (shape: number[], values: readonly number[]): SequenceArray { return { dtype: 'int32', shape, data: Int32Array.from(values) } }

/** A pose frame is kept when a body was found with presence >= minConfidence. */
export function poseKept (frame: PoseFrame, minConfidence: number): boolean {
  return frame.pose !== null && frame.pose.presence >= minConfidence
}

function poseArrays (frames: readonly PoseFrame[], minConfidence: number): { arrays: SequenceArrays, kept: number } {
  const indices: number[] = []
  frames.forEach((frame, i) => { if (poseKept(frame, minConfidence)) indices.push(i) })
  const K = indices.length
  const J = POSE_LANDMARKS.length
  const landmarks = new Float32Array(K * J * 3)
  const world = new Float32Array(K * J * 3)
  const visibility = new Float32Array(K * J)
  const presence = new Float32Array(K)
  indices.forEach((index, k) => {
    const pose = frames[index]!.pose!
    for (let j = 0; j < J; j++) {
      landmarks[(k * J + j) * 3] = pose.landmarks[j * 4]!
      landmarks[(k * J + j) * 3 + 1] = pose.landmarks[j * 4 + 1]!
      landmarks[(k * J + j) * 3 + 2] = pose.landmarks[j * 4 + 2]!
      visibility[k * J + j] = pose.landmarks[j * 4 + 3]!
    }
    world.set(pose.world.subarray(0, J * 3), k * J * 3)
    presence[k] = pose.presence
  })
  return {
    kept: K,
    arrays: {
      landmarks: f32([K, J, 3], landmarks),
      world: f32([K, J, 3], world),
      visibility: f32([K, J], visibility),
      presence: f32([K], presence),
      timestamps: f64([K], indices.map((i) => frames[i]!.t)),
      kept_indices: i32([K], indices)
    }
  }
}

/** A face frame is kept when the face was tracked with presence >= minConfidence. */
export function faceKept (frame: FaceFrame, minConfidence: number): boolean {
  return frame.face?.raw !== undefined && frame.face.raw.presence >= minConfidence
}

function faceArrays (frames: readonly FaceFrame[], minConfidence: number): { arrays: SequenceArrays, kept: number } {
  const indices: number[] = []
  frames.forEach((frame, i) => { if (faceKept(frame, minConfidence)) indices.push(i) })
  const F = indices.length
  const P = 478
  const B = BLENDSHAPE_NAMES.length
  const landmarks = new Float32Array(F * P * 3)
  const blendshapes = new Float32Array(F * B)
  const presence = new Float32Array(F)
  indices.forEach((index, k) => {
    const raw = frames[index]!.face!.raw!
    landmarks.set(raw.landmarks.subarray(0, P * 3), k * P * 3)
    blendshapes.set(raw.blendshapes.subarray(0, B), k * B)
    presence[k] = raw.presence
  })
  return {
    kept: F,
    arrays: {
      face_landmarks: f32([F, P, 3], landmarks),
      blendshapes: f32([F, B], blendshapes),
      face_presence: f32([F], presence),
      face_timestamps: f64([F], indices.map((i) => frames[i]!.t)),
      face_kept_indices: i32([F], indices)
    }
  }
}

/** Starts the engine's worker threads once; extract() reuses them for every video. */
export async function createExtractor (config: ExtractorConfig = {}): Promise<Extractor> {
  const needs = config.modelsDir === undefined || config.emotionModel === undefined || config.tools === undefined || config.maxWidth === undefined
  const env = needs ? loadConfig() : null
  return new EngineExtractor({
    modelsDir: config.modelsDir ?? env!.modelsDir,
    emotionModel: config.emotionModel ?? env!.engine.emotionModel,
    tools: config.tools ?? env!.ffmpeg,
    maxWidth: config.maxWidth ?? env!.engine.analysisWidth,
    ...(config.limits ? { limits: config.limits } : {})
  })
}

/** One video with an engine of its own (started and closed here); for many videos use createExtractor. */
export async function extractSequence (file: string, options: ExtractOptions, config: ExtractorConfig = {}): Promise<ExtractedSequence> {
  validateExtractOptions(options)
  const extractor = await createExtractor(config)
  try {
    return await extractor.extract(file, options)
  } finally {
    await extractor.close()
  }
}
