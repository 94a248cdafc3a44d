/**
 * The analysis engine: a video file in, per-frame face signals and the metrics built from them
 * out. A library with no knowledge of HTTP, queues or databases: the CLI, the job worker, the
 * benchmark and the tests all drive this code.
 *
 * Three threads share the work, because onnxruntime-node runs inference synchronously on the
 * calling thread: the face worker runs the tracking chain (each frame's crop comes from the
 * previous frame's landmarks, so it is sequential), the aux worker turns each tracked frame
 * into signals (blendshapes, pose, gaze), estimates emotion and counts other faces, and this
 * thread reads frames from ffmpeg (another process) and assembles the results in order. At
 * most a few frames are in flight, so memory does not grow with the video's length.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { probeVideo, MediaError, type ToolPaths, type VideoMetadata } from '../media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../media/frames.js'
import { checkMediaLimits, checkCountedFrames, type MediaLimits } from '../media/limits.js'
import { untilAborted } from '../abort.js'
import { computeFaceMetrics, type FaceFrame, type FaceMetrics } from '../signals/face/metrics/index.js'
import { MESH_FILE } from '../signals/face/engine/mesh.js'
import { BLENDSHAPES_FILE } from '../signals/face/engine/blendshapes.js'
import { DETECTOR_FILE } from '../signals/face/engine/yunet.js'
import { WorkerRpc, siblingFile } from './workers/rpc.js'
import type { WorkerSetup, TrackReply, DescribeRequest, DescribeReply } from '../signals/face/workers/protocol.js'
import { StageTimer } from './timing.js'
import { analyzeVoice, type VoiceAnalysis } from '../signals/voice/engine/index.js'

export const ENGINE_VERSION = '0.2.0'

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
  /** How often other faces in view are counted while the main face is tracked. */
  countFacesEveryMs?: number
  onProgress?: (progress: EngineProgress) => void
  /** Receives frames in time order, in batches, as they are analysed (e.g. to store them). */
  onFrames?: (frames: FaceFrame[]) => Promise<void> | void
  /** Keep every frame in the result (default true; the metrics are computed either way). */
  keepFrames?: boolean
  /** Analyse the audio track too (default true). */
  voice?: boolean
  /** Refuse, before decoding, a file beyond these (MediaLimitError); default: no limits. */
  limits?: MediaLimits
  /**
   * Stops the analysis: ffmpeg is killed, the worker threads are left ready for the next
   * video, and analyze() rejects with the signal's reason.
   */
  signal?: AbortSignal
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
  /** Voice signals from the audio track; hasAudio false when the file has none. */
  voice: VoiceAnalysis
  frames?: FaceFrame[]
  /** Time per stage in milliseconds; stages run in parallel threads, so they add up to more than the total. */
  timings: Record<string, number>
  warnings: string[]
}

const FRAME_BATCH = 64
const MAX_IN_FLIGHT = 4
/** Worker calls still running when an analysis is stopped get this long before the threads are replaced. */
const DRAIN_MS = 5000
const here = import.meta.url.startsWith('file:') ? new URL(import.meta.url).pathname : import.meta.url

interface EngineWorkers { face: WorkerRpc, aux: WorkerRpc, emotionModelFile: string }

/** Starts both worker threads and waits until each has loaded its models. */
async function startWorkers (models: EngineModels): Promise<EngineWorkers> {
  const setup: WorkerSetup = { modelsDir: models.modelsDir, emotionModel: models.emotionModel }
  const face = new WorkerRpc(siblingFile(here, '../signals/face/workers/face-worker'), setup)
  const aux = new WorkerRpc(siblingFile(here, '../signals/face/workers/aux-worker'), setup)
  try {
    const [, ready] = await Promise.all([face.call('ready', null), aux.call<{ emotionModelFile: string }>('ready', null)])
    return { face, aux, emotionModelFile: ready.emotionModelFile }
  } catch (error) {
    await Promise.all([face.close(), aux.close()])
    throw error
  }
}

export class AnalysisEngine {
  private busy = false
  private face: WorkerRpc
  private aux: WorkerRpc
  private readonly emotionModelFile: string

  private constructor (private readonly models: EngineModels, workers: EngineWorkers) {
    this.face = workers.face
    this.aux = workers.aux
    this.emotionModelFile = workers.emotionModelFile
  }

  /** Starts the worker threads and loads every model once; an engine analyses videos one at a time. */
  static async load (models: EngineModels): Promise<AnalysisEngine> {
    return new AnalysisEngine(models, await startWorkers(models))
  }

  async close (): Promise<void> {
    await Promise.all([this.face.close(), this.aux.close()])
  }

  async analyze (file: string, tools: ToolPaths, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    if (this.busy) throw new Error('this engine is already analysing a video')
    this.busy = true
    try {
      return await this.run(file, tools, options)
    } finally {
      this.busy = false
    }
  }

  private async run (file: string, tools: ToolPaths, options: AnalyzeOptions): Promise<AnalysisResult> {
    const { signal, limits } = options
    const timings = new StageTimer()
    const started = performance.now()
    const report = options.onProgress ?? (() => {})
    report({ stage: 'probing', framesDone: 0, framesExpected: 0, fraction: 0 })
    const video = await timings.time('probe', () => probeVideo(file, tools, signal ? { signal } : {}))
    if (limits) checkMediaLimits(video, limits)
    const sampling = { ...(options.fps ? { fps: options.fps } : {}), maxWidth: options.maxWidth ?? 640, ...(limits ? { maxPixels: limits.maxVideoPixels } : {}) }
    const stream = await openFrameStream(file, video, tools, sampling, signal)
    // The header said one thing; the packets, counted before decoding, have the last word.
    if (limits && stream.packets.count > 0) checkCountedFrames(stream.packets.count, stream.packets.spanS, limits)
    const emotionFps = options.emotionFps ?? 5
    const countEveryMs = options.countFacesEveryMs ?? 1000
    await Promise.all([this.face.call('reset', null), this.aux.call('reset', null)])
    // The audio track in parallel with the frames: its own ffmpeg, light DSP on this thread.
    const voice = options.voice === false || !video.hasAudio
      ? Promise.resolve<VoiceAnalysis>({ hasAudio: false, metrics: null, frames: [] })
      : timings.time('voice', () => analyzeVoice(file, tools, signal))
    voice.catch(() => {}) // awaited below; a face-stage failure must not leave it unhandled

    const frames: FaceFrame[] = []
    let batch: FaceFrame[] = []
    const inFlight: Array<Promise<{ t: number, described: DescribeReply, tracked: TrackReply }>> = []
    let otherFaces = 0
    let nextEmotionMs = 0
    let nextCountMs = 0

    const settle = async () => {
      // Left in the list until it settles, so a stopped analysis knows what is still running.
      const { t, described, tracked } = await untilAborted(inFlight[0]!, signal)
      inFlight.shift()
      // Counts arrive in frame order; each holds until the next one.
      if (tracked.otherFaces !== null) otherFaces = tracked.otherFaces
      if (described.otherFaces !== undefined) otherFaces = described.otherFaces
      const frame: FaceFrame = { t, face: described.face, otherFaces, ...(described.emotion ? { emotion: described.emotion } : {}) }
      frames.push(frame)
      batch.push(frame)
      if (batch.length >= FRAME_BATCH) {
        await options.onFrames?.(batch)
        batch = []
      }
      if (frames.length % 10 === 0) {
        report({ stage: 'analysing', framesDone: frames.length, framesExpected: stream.expectedFrames, fraction: Math.min(0.99, frames.length / stream.expectedFrames) })
      }
    }

    const loopStart = performance.now()
    let waiting = performance.now()
    try {
      for await (const frame of stream.frames) {
        timings.add('decode_wait', performance.now() - waiting)
        // Emotion on a fixed time grid (one estimate per 1/emotionFps slot), so the rate does
        // not drift with frame timing; slots without a face are skipped, not made up later.
        const wantEmotion = emotionFps > 0 && frame.timeMs >= nextEmotionMs
        while (emotionFps > 0 && nextEmotionMs <= frame.timeMs) nextEmotionMs += 1000 / emotionFps
        const wantCount = frame.timeMs >= nextCountMs
        if (wantCount) nextCountMs = frame.timeMs + countEveryMs
        const processed = this.process(frame, wantEmotion, wantCount, signal)
        processed.catch(() => {}) // awaited in order by settle(); one failing early must not go unhandled
        inFlight.push(processed)
        while (inFlight.length > MAX_IN_FLIGHT) await settle()
        waiting = performance.now()
      }
      while (inFlight.length > 0) await settle()
    } catch (error) {
      if (!signal?.aborted) throw error
      await this.recoverWorkers(inFlight)
      throw signal.reason
    }
    if (batch.length > 0) await options.onFrames?.(batch)
    timings.add('frames_total', performance.now() - loopStart)

    if (frames.length === 0) throw new MediaError('not_media', 'not a video: no frame could be decoded')
    const warnings: string[] = []
    if (frames.length < stream.expectedFrames * 0.9) {
      warnings.push(`video ends early: decoded ${frames.length} of ${stream.expectedFrames} expected frames (damaged file)`)
    }
    report({ stage: 'summarising', framesDone: frames.length, framesExpected: stream.expectedFrames, fraction: 0.99 })
    const metrics = timings.timeSync('metrics', () => computeFaceMetrics(frames))
    const voiceAnalysis = await untilAborted(voice, signal)
    const [faceTimings, auxTimings] = await Promise.all([this.face.call<Record<string, number>>('timings', null), this.aux.call<Record<string, number>>('timings', null)])
    timings.add('total', performance.now() - started)
    return {
      engineVersion: ENGINE_VERSION,
      file,
      video,
      sampling: { fps: stream.fps, width: stream.width, height: stream.height, frames: frames.length, emotionFps },
      models: { detector: DETECTOR_FILE, mesh: MESH_FILE, blendshapes: BLENDSHAPES_FILE, emotion: this.emotionModelFile },
      metrics,
      voice: voiceAnalysis,
      ...(options.keepFrames === false ? {} : { frames }),
      timings: { ...timings.result(), ...faceTimings, ...auxTimings },
      warnings
    }
  }

  /**
   * After a stopped analysis: the frames already handed to the worker threads finish there (a
   * few milliseconds each) before the next video's reset; threads still busy after DRAIN_MS
   * (a frame that takes forever) are replaced by fresh ones with the same models.
   */
  private async recoverWorkers (inFlight: Array<Promise<unknown>>): Promise<void> {
    const drained = await Promise.race([
      Promise.allSettled(inFlight).then(() => true),
      delay(DRAIN_MS, false, { ref: false })
    ])
    if (drained) return
    await this.close()
    const workers = await startWorkers(this.models)
    this.face = workers.face
    this.aux = workers.aux
  }

  /** One frame through both workers; pixels are copied only when the aux worker needs them. */
  private async process (frame: VideoFrame, wantEmotion: boolean, wantCount: boolean, signal?: AbortSignal): Promise<{ t: number, described: DescribeReply, tracked: TrackReply }> {
    const pixels = wantEmotion || wantCount ? { ...frame, data: frame.data.slice() } : null
    const tracked = await this.face.call<TrackReply>('track', { frame }, [frame.data.buffer as ArrayBuffer])
    signal?.throwIfAborted()
    const request: DescribeRequest = {
      width: frame.width,
      height: frame.height,
      landmarks: tracked.main?.landmarks ?? null,
      roi: tracked.main?.roi ?? null,
      frame: pixels,
      emotion: wantEmotion,
      countFaces: wantCount && tracked.main !== null
    }
    const transfer = [request.landmarks?.buffer, pixels?.data.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer)
    const described = await this.aux.call<DescribeReply>('describe', request, transfer)
    return { t: frame.timeMs, described, tracked }
  }
}
