/**
 * The analysis engine: a video file in, per-frame signals of every registered kind and the
 * metrics built from them out. A library with no knowledge of HTTP, queues or databases: the
 * CLI, the job worker, the benchmark and the tests all drive this code.
 *
 * Each kind of signal is a module (src/signals/); the engine runs their stages and never names
 * a kind. Video stages keep their models in worker threads (onnxruntime-node runs inference on
 * the calling thread); this thread reads frames from ffmpeg (another process), hands each frame
 * to the stages that want it, in registration order (a later stage sees the earlier stages'
 * frames for the same moment: pose follows the face's speaker), and assembles the results in
 * time order. Audio stages run alongside on their own ffmpeg. At most a few frames are in
 * flight, so memory does not grow with the video's length beyond the per-frame records.
 */
import { probeVideo, MediaError, type MediaProbe, type ProbedVideo, type ToolPaths } from '../media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../media/frames.js'
import { checkMediaLimits, checkCountedFrames, type MediaLimits } from '../media/limits.js'
import { untilAborted } from '../abort.js'
import type { SignalModule, StageOptions, VideoStageRunner } from '../signals/contract.js'
import { SIGNALS } from '../signals/registry.js'
import { StageTimer, type StageTimings } from './timing.js'

export const ENGINE_VERSION = '0.3.0'

export interface EngineModels {
  modelsDir: string
  /** Emotion model id from the registry (signals/face/emotion/registry.ts). */
  emotionModel: string
  /** The kinds of signal this engine can run (default: every registered one). */
  signals?: readonly SignalModule[]
}

export interface AnalyzeOptions {
  /** Frames per second to decode; default every frame of the video. */
  fps?: number
  /** Frames are scaled down to this width for analysis. */
  maxWidth?: number
  /** The kinds to run (default: all the engine has); the others are skipped entirely. */
  kinds?: readonly string[]
  /** Per-kind options, validated by each module (e.g. { face: { emotionFps: 5 }, pose: { poseFps: 10 } }). */
  signals?: Readonly<Record<string, StageOptions>>
  /** The file's probe when the caller already has it (one probe per job). */
  probe?: MediaProbe
  onProgress?: (progress: EngineProgress) => void
  /** Receives each kind's frames in time order, in batches, as they are analysed (e.g. to store them). */
  onFrames?: (kind: string, frames: unknown[]) => Promise<void> | void
  /** Keep every frame in the result (default true; the metrics are computed either way). */
  keepFrames?: boolean
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

/** One kind's outcome: its metrics, how many frames it produced, and the frames when kept. */
export interface SignalResult<Frame = unknown, Metrics = unknown> {
  metrics: Metrics
  frameCount: number
  frames?: Frame[]
}

export interface AnalysisResult {
  engineVersion: string
  file: string
  video: ProbedVideo
  sampling: { fps: number, width: number, height: number, frames: number }
  models: Record<string, string>
  /** By kind, for every kind that ran, in registration order. */
  signals: Record<string, SignalResult>
  /** Time per stage in milliseconds; stages run in parallel threads, so they add up to more than the total. */
  timings: StageTimings
  warnings: string[]
}

/** A kind's result with its module's types: `signalOf(result, face).metrics` is FaceMetrics. */
export function signalOf<Frame, Metrics> (result: AnalysisResult, module: SignalModule<Frame, Metrics>): SignalResult<Frame, Metrics> {
  const found = result.signals[module.kind]
  if (!found) throw new Error(`the analysis did not run the ${module.kind} signals`)
  return found as SignalResult<Frame, Metrics>
}

const FRAME_BATCH = 64
const MAX_IN_FLIGHT = 4

interface VideoKind { module: SignalModule, runner: VideoStageRunner<unknown> }
/** One decoded frame's outputs, by kind (only the kinds that wanted the frame). */
type FrameOutputs = Map<string, unknown>

export class AnalysisEngine {
  private busy = false

  private constructor (private readonly modules: readonly SignalModule[], private readonly video: VideoKind[]) {}

  /** Starts every video stage's worker threads and loads every model once; an engine analyses videos one at a time. */
  static async load (models: EngineModels): Promise<AnalysisEngine> {
    const modules = models.signals ?? SIGNALS
    const setup = { modelsDir: models.modelsDir, emotionModel: models.emotionModel }
    const started = await Promise.allSettled(modules.map(async (module) => module.stage.type === 'video' ? { module, runner: await module.stage.start(setup) } : null))
    const video = started.flatMap((s) => (s.status === 'fulfilled' && s.value ? [s.value as VideoKind] : []))
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) {
      await Promise.all(video.map((v) => v.runner.close()))
      throw failed.reason
    }
    return new AnalysisEngine(modules, video)
  }

  async close (): Promise<void> {
    await Promise.all(this.video.map((v) => v.runner.close()))
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
    const chosen = (module: SignalModule) => !options.kinds || options.kinds.includes(module.kind)
    const unknown = options.kinds?.filter((kind) => !this.modules.some((m) => m.kind === kind)) ?? []
    if (unknown.length > 0) throw new RangeError(`unknown kind of signal: ${unknown.join(', ')} (known: ${this.modules.map((m) => m.kind).join(', ')})`)
    const timings = new StageTimer()
    const started = performance.now()
    const report = options.onProgress ?? (() => {})
    report({ stage: 'probing', framesDone: 0, framesExpected: 0, fraction: 0 })
    const probe = options.probe ?? await timings.time('probe', () => probeVideo(file, tools, signal ? { signal } : {}))
    const { packets: _packets, audio: _audio, ...video } = probe
    if (limits) checkMediaLimits(probe, limits)
    const sampling = { ...(options.fps ? { fps: options.fps } : {}), maxWidth: options.maxWidth ?? 640, ...(limits ? { maxPixels: limits.maxVideoPixels } : {}) }
    const stream = await openFrameStream(file, probe, tools, sampling, signal)
    // The header said one thing; the packets, counted before decoding, have the last word.
    if (limits && stream.packets.count > 0) checkCountedFrames(stream.packets.count, stream.packets.spanS, limits)

    const stages = this.video.filter((v) => chosen(v.module))
    await Promise.all(stages.map((v) => v.runner.reset(options.signals?.[v.module.kind] ?? {})))
    // Audio stages in parallel with the frames: their own ffmpeg, light DSP on this thread.
    const audio = new Map(this.modules.filter((m) => chosen(m) && m.stage.type === 'audio').map((module) => {
      const stage = module.stage as Extract<SignalModule['stage'], { type: 'audio' }>
      const running = timings.time(module.kind, () => stage.analyze(file, probe, tools, signal))
      running.catch(() => {}) // awaited below; a video-stage failure must not leave it unhandled
      return [module.kind, running] as const
    }))

    const frames = new Map<string, unknown[]>(stages.map((v) => [v.module.kind, []]))
    const batches = new Map<string, unknown[]>(stages.map((v) => [v.module.kind, []]))
    const inFlight: Array<Promise<FrameOutputs>> = []
    let decoded = 0

    const flush = async (kind: string, force: boolean) => {
      const batch = batches.get(kind)!
      if (batch.length === 0 || (!force && batch.length < FRAME_BATCH)) return
      batches.set(kind, [])
      await options.onFrames?.(kind, batch)
    }
    const settle = async () => {
      // Left in the list until it settles, so a stopped analysis knows what is still running.
      const outputs = await untilAborted(inFlight[0]!, signal)
      inFlight.shift()
      decoded++
      for (const [kind, frame] of outputs) {
        frames.get(kind)!.push(frame)
        batches.get(kind)!.push(frame)
        await flush(kind, false)
      }
      if (decoded % 10 === 0) {
        report({ stage: 'analysing', framesDone: decoded, framesExpected: stream.expectedFrames, fraction: Math.min(0.99, decoded / stream.expectedFrames) })
      }
    }

    const loopStart = performance.now()
    let waiting = performance.now()
    try {
      for await (const frame of stream.frames) {
        timings.add('decode_wait', performance.now() - waiting)
        const processed = this.process(frame, stages.filter((v) => v.runner.wants(frame.timeMs)))
        processed.catch(() => {}) // awaited in order by settle(); one failing early must not go unhandled
        inFlight.push(processed)
        while (inFlight.length > MAX_IN_FLIGHT) await settle()
        waiting = performance.now()
      }
      while (inFlight.length > 0) await settle()
    } catch (error) {
      if (!signal?.aborted) throw error
      await Promise.all(stages.map((v) => v.runner.recover(inFlight)))
      throw signal.reason
    }
    for (const v of stages) await flush(v.module.kind, true)
    timings.add('frames_total', performance.now() - loopStart)

    if (decoded === 0) throw new MediaError('not_media', 'not a video: no frame could be decoded')
    const warnings: string[] = []
    if (decoded < stream.expectedFrames * 0.9) {
      warnings.push(`video ends early: decoded ${decoded} of ${stream.expectedFrames} expected frames (damaged file)`)
    }
    report({ stage: 'summarising', framesDone: decoded, framesExpected: stream.expectedFrames, fraction: 0.99 })

    // Metrics in registration order: a module sees the frames and metrics of those before it.
    const durationS = video.durationS
    const signals: Record<string, SignalResult> = {}
    const context = { durationS, frameSize: { width: stream.width, height: stream.height }, frames: new Map<string, readonly unknown[]>(), metrics: new Map<string, unknown>() }
    for (const module of this.modules.filter(chosen)) {
      let result: SignalResult
      if (module.stage.type === 'audio') {
        const { frames: own, metrics } = await untilAborted(audio.get(module.kind)!, signal)
        result = { metrics, frameCount: own.length, frames: own }
        await options.onFrames?.(module.kind, own)
      } else {
        const stage = module.stage
        const own = frames.get(module.kind)!
        result = { metrics: timings.timeSync(`${module.kind}_metrics`, () => stage.summarize(own, context)), frameCount: own.length, frames: own }
      }
      context.frames.set(module.kind, result.frames!)
      context.metrics.set(module.kind, result.metrics)
      if (options.keepFrames === false) delete result.frames
      signals[module.kind] = result
    }
    const stageTimings = await Promise.all(stages.map((v) => v.runner.timings()))
    timings.add('total', performance.now() - started)
    return {
      engineVersion: ENGINE_VERSION,
      file,
      video,
      sampling: { fps: stream.fps, width: stream.width, height: stream.height, frames: decoded },
      models: Object.assign({}, ...stages.map((v) => v.runner.models)),
      signals,
      timings: Object.assign(timings.result(), ...stageTimings),
      warnings
    }
  }

  /**
   * One frame through the stages that want it, in registration order; each stage gets its own
   * copy of the pixels (the last one the original), since a stage may transfer them to a thread.
   */
  private async process (frame: VideoFrame, stages: VideoKind[]): Promise<FrameOutputs> {
    const copies = stages.map((_, k) => (k === stages.length - 1 ? frame : { ...frame, data: frame.data.slice() }))
    const outputs: FrameOutputs = new Map()
    for (const [k, v] of stages.entries()) outputs.set(v.module.kind, await v.runner.process(copies[k]!, outputs))
    return outputs
  }
}
