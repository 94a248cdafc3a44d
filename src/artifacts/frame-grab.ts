/**
 * Frames at chosen moments of a video, as the engine saw them: the same decoded frames (ffmpeg's
 * rotation applied, an edit list's cut respected), found by their index in the engine's frame
 * sequence rather than by seeking, so a moment's picture is exactly the one whose signals were
 * stored and a face box drawn from those signals lands on the face.
 *
 * One ffmpeg pass with a select filter picks the frames (only those are scaled and converted)
 * and is stopped after the last one. Measured on a 60 s 640x480 VP8 webm with 12 keyframes,
 * 50 moments: one pass 2.2 s; an accurate seek per moment ~0.5 s each (decoding from the
 * keyframe before it, plus a process start), 10x slower.
 */
import { mediaErrorOf, throwIfFfmpegStopped, type MediaProbe, type ToolPaths } from '../media/ffprobe.js'
import { outputSize } from '../media/frames.js'
import { startProcess, describeExit, ProcessError, type ProcessExit } from '../media/process-runner.js'
import type { RawImage } from './raw-image.js'

export type { RawImage } from './raw-image.js'

export interface GrabOptions {
  tools: ToolPaths
  /** probeVideo's answer for the file (the packets give the engine's frame times). */
  probe: MediaProbe
  /** Frames wider than this are scaled down (aspect kept, even sides). Default 640. */
  width?: number
  /**
   * The frame rate the analysis sampled at (AnalyzeOptions.fps, or the result's sampling.fps);
   * default: every frame of the video, as the engine does by default.
   */
  fps?: number
  /** Default: a minute plus the video's duration. */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface GrabbedFrame {
  /** The moment asked for (ms from the start of the video). */
  atMs: number
  /** The engine's frame at that moment; absent when it could not be had (see error). */
  image?: RawImage
  /** Why there is no image: a moment outside the video, or a frame that did not decode. */
  error?: string
  /** Time of the frame picked (the engine's frame nearest to atMs). */
  frameMs?: number
}

/** More moments than this in one call is a caller's mistake (each frame is held in memory). */
export const MAX_MOMENTS = 500

/** The frame sequence the engine decodes, as openFrameStream builds it. */
interface Sequence {
  /** null: every frame at the video's rate; else ffmpeg's fps filter at this rate. */
  resampleFps: number | null
  frameCount: number
  timeOf: (index: number) => number
  /** Index of the frame nearest to `ms`, or null when `ms` is outside the video. */
  indexAt: (ms: number) => number | null
}

/**
 * Decodes the engine's frames nearest to each of `timesMs`, in the order asked. Never throws for
 * a moment: one outside the video or a frame that fails to decode gives an entry with `error`.
 * Throws only when ffmpeg cannot run at all or `signal` aborts.
 */
export async function grabFrames (file: string, timesMs: number[], options: GrabOptions): Promise<GrabbedFrame[]> {
  if (!Array.isArray(timesMs)) throw new TypeError('timesMs must be an array of milliseconds')
  if (timesMs.length > MAX_MOMENTS) throw new RangeError(`at most ${MAX_MOMENTS} moments per call, got ${timesMs.length}`)
  const { probe, signal } = options
  signal?.throwIfAborted()
  const width = options.width ?? 640
  if (!(Number.isFinite(width) && width >= 2)) throw new RangeError(`width must be at least 2 pixels, got ${width}`)
  const size = outputSize(probe, width)
  const sequence = engineSequence(probe, options.fps)

  const results: GrabbedFrame[] = timesMs.map((atMs) => ({ atMs }))
  const wanted = new Map<number, number[]>() // frame index -> positions in results
  results.forEach((result, k) => {
    const atMs = result.atMs
    if (typeof atMs !== 'number' || !Number.isFinite(atMs)) {
      result.error = `not a time: ${String(atMs)}`
      return
    }
    const index = sequence.indexAt(atMs)
    if (index === null) {
      result.error = `${atMs} ms is outside the video (0 to ${Math.round(sequence.timeOf(sequence.frameCount - 1))} ms)`
      return
    }
    wanted.set(index, [...(wanted.get(index) ?? []), k])
  })
  if (wanted.size === 0) return results

  const indices = [...wanted.keys()].sort((a, b) => a - b)
  const { frames, failure } = await decodeSelected(file, indices, size, sequence.resampleFps, options)
  for (const index of indices) {
    const image = frames.get(index)
    for (const k of wanted.get(index)!) {
      if (image) {
        results[k]!.image = image
        results[k]!.frameMs = sequence.timeOf(index)
      } else {
        results[k]!.error = `the frame at ${results[k]!.atMs} ms could not be decoded${failure ? ` (${failure})` : ''}`
      }
    }
  }
  return results
}

/**
 * The engine's frames: at the video's own rate, the played packets' times (frames.ts
 * openFrameStream); at a lower rate, i / fps. Same rule for "every frame" as openFrameStream.
 */
function engineSequence (probe: MediaProbe, fps: number | undefined): Sequence {
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0)) throw new RangeError(`fps must be a positive number, got ${fps}`)
  const everyFrame = fps === undefined || fps >= probe.fps * 0.999
  const rate = everyFrame ? probe.fps : fps
  const times = everyFrame ? probe.packets?.timesMs ?? null : null
  const frameCount = everyFrame && probe.packets && probe.packets.played > 0
    ? probe.packets.played
    : Math.max(1, Math.round(probe.durationS * rate))
  const frameMs = 1000 / rate
  const timeOf = (index: number) => (times && index < times.length ? times[index]! : index * frameMs)
  const indexAt = (ms: number): number | null => {
    if (ms < -frameMs / 2 || ms > timeOf(frameCount - 1) + frameMs) return null
    if (!times) return Math.min(frameCount - 1, Math.max(0, Math.round(ms / frameMs)))
    // The nearest of the sorted times.
    let lo = 0
    let hi = Math.min(times.length, frameCount) - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (times[mid]! < ms) lo = mid + 1
      else hi = mid
    }
    return lo > 0 && ms - times[lo - 1]! <= times[lo]! - ms ? lo - 1 : lo
  }
  return { resampleFps: everyFrame ? null : rate, frameCount, timeOf, indexAt }
}

/** One ffmpeg pass: the frames at `indices` (sorted), stopped once the last has come. */
async function decodeSelected (file: string, indices: number[], size: { width: number, height: number }, resampleFps: number | null, options: GrabOptions): Promise<{ frames: Map<number, RawImage>, failure: string | null }> {
  const { tools, signal } = options
  const frameBytes = size.width * size.height * 3
  // select counts the frames entering it: the engine's frame index (after fps= when it resamples).
  const select = `select='${indices.map((i) => `eq(n\\,${i})`).join('+')}'`
  // The engine's scaling too: at the analysis width the picture is the analysed one, byte for byte.
  const filters = [...(resampleFps === null ? [] : [`fps=${resampleFps}`]), select, `scale=${size.width}:${size.height}:flags=bilinear`]
  const timeoutMs = options.timeoutMs ?? 60_000 + Math.ceil(options.probe.durationS * 1000)
  const running = startProcess(tools.ffmpegPath, [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '2',
    '-i', file, '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', filters.join(','), '-fps_mode', 'passthrough',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'
  ], { timeoutMs, ...(signal ? { signal } : {}) })

  const frames = new Map<number, RawImage>()
  let chunks: Buffer[] = []
  let filled = 0
  running.child.stdout.on('data', (chunk: Buffer) => {
    let offset = 0
    while (offset < chunk.length && frames.size < indices.length) {
      const take = Math.min(frameBytes - filled, chunk.length - offset)
      chunks.push(chunk.subarray(offset, offset + take))
      filled += take
      offset += take
      if (filled === frameBytes) {
        frames.set(indices[frames.size]!, { data: Buffer.concat(chunks, frameBytes), width: size.width, height: size.height, channels: 3 })
        chunks = []
        filled = 0
      }
    }
    // Every frame asked for is in: the rest of the video need not be decoded.
    if (frames.size === indices.length) running.kill()
  })

  let exit: ProcessExit
  try {
    exit = await running.exited
  } catch (error) {
    signal?.throwIfAborted()
    // Out of time: the frames so far are kept, the others are error entries.
    if (error instanceof ProcessError && error.kind === 'timeout') return { frames, failure: error.message }
    throw mediaErrorOf(error)
  }
  if (frames.size === indices.length) return { frames, failure: null }
  throwIfFfmpegStopped(tools, exit)
  const failure = exit.code === 0 ? 'the video ended before it' : describeExit(tools.ffmpegPath, { ...exit, stderr: running.stderrTail() })
  return { frames, failure }
}
