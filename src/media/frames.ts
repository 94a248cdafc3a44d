/**
 * Decoded pixels from ffmpeg (spawned, never a library binding): video frames as packed RGB24
 * at a constant rate and a chosen width, pulled with back-pressure so that only a few frames
 * are ever in memory whatever the video's length; and still images for tests and tools.
 */
import { MediaError, probeVideo, mediaErrorOf, throwIfFfmpegStopped, type MediaProbe, type ToolPaths, type VideoMetadata, type VideoPackets } from './ffprobe.js'
import { oversizedFrameError } from './limits.js'
import { startProcess, describeExit } from './process-runner.js'

/** Decoded frames buffered ahead of the consumer (each ~1 MB at 640x480). */
const READ_AHEAD = 4

/** Packed RGB, 3 bytes a pixel, rows top to bottom. */
export interface RgbImage {
  width: number
  height: number
  data: Uint8Array
}

export interface VideoFrame extends RgbImage {
  /** 0-based index in the sampled stream. */
  index: number
  /** Presentation time in milliseconds from the start of the video. */
  timeMs: number
}

export interface FrameSampling {
  /** Frames per second to analyse; at most the video's own rate. Default: the video's rate. */
  fps?: number
  /** Frames wider than this are scaled down (aspect kept). Default 640. */
  maxWidth?: number
  /**
   * Largest frame the decoder may allocate, in pixels. A file whose frames decode larger than
   * this (its header understated the size) is stopped with a resolution_too_high
   * MediaLimitError. Default: ffmpeg's own limit.
   */
  maxPixels?: number
}

export interface FrameStream {
  width: number
  height: number
  fps: number
  /**
   * Frames the decoder will output: at the video's own rate the packets an edit list plays
   * (VideoPackets.played), else the duration (which respects the edit list) times the rate.
   */
  expectedFrames: number
  /** Video packets in the file, counted before decoding, and the time they span (0 when unknown). */
  packets: { count: number, spanS: number }
  frames: AsyncGenerator<VideoFrame>
}

/** Output size: display orientation (ffmpeg applies rotation), at most maxWidth, even sides. */
export function outputSize (video: Pick<VideoMetadata, 'displayWidth' | 'displayHeight'>, maxWidth: number): { width: number, height: number } {
  const scale = Math.min(1, maxWidth / video.displayWidth)
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2)
  return { width: even(video.displayWidth * scale), height: even(video.displayHeight * scale) }
}

/**
 * At the video's own rate every decoded frame is passed through, in order, with its real
 * timestamp (browser and phone recordings have variable frame rates); at a lower rate ffmpeg
 * resamples to a constant one and frame i is at i/fps. Frames always come out at the size
 * computed here from the probe, whatever size the file's frames really decode to. An aborted
 * `signal` kills ffmpeg, and the stream throws the signal's reason.
 *
 * `video` is probeVideo's MediaProbe: its packets give the frame times and counts without
 * another ffprobe run. Given metadata without packets (an older caller), the file is probed
 * again for them.
 */
export async function openFrameStream (file: string, video: VideoMetadata | MediaProbe, paths: ToolPaths, sampling: FrameSampling = {}, signal?: AbortSignal): Promise<FrameStream> {
  const everyFrame = sampling.fps === undefined || sampling.fps >= video.fps * 0.999
  const fps = everyFrame ? video.fps : sampling.fps!
  if (!(fps > 0)) throw new MediaError('not_media', `cannot sample at ${fps} frames per second`)
  const { width, height } = outputSize(video, sampling.maxWidth ?? 640)
  const packets = ('packets' in video ? video.packets : null) ?? (await probeVideo(file, paths, signal ? { signal } : {})).packets!
  checkComplete(packets, video)
  const times = everyFrame ? packets.timesMs : null
  const expectedFrames = everyFrame && packets.played > 0 ? packets.played : Math.max(1, Math.round(video.durationS * fps))
  const timeOf = (index: number) => (times && index < times.length ? times[index]! : (index * 1000) / fps)
  return {
    width,
    height,
    fps,
    expectedFrames,
    packets: { count: packets.count, spanS: packets.spanS },
    frames: decodeFrames(file, paths, { width, height, resampleFps: everyFrame ? null : fps, timeOf, maxPixels: sampling.maxPixels }, signal)
  }
}

/**
 * A file whose frames stop well before its declared duration was cut off (an interrupted
 * upload): analysing the part that is left would report on a recording that is not there.
 * Only played packets count: those an edit list skips are before its start.
 */
function checkComplete (packets: VideoPackets, video: VideoMetadata): void {
  const times = packets.timesMs
  if (!times || times.length === 0 || !(video.durationS > 0)) return
  const coveredS = (times[times.length - 1]! + 1000 / video.fps) / 1000
  if (coveredS < video.durationS * 0.9 && video.durationS - coveredS > 0.5) {
    throw new MediaError('truncated', `damaged or truncated video: frames stop at ${coveredS.toFixed(1)} s of the declared ${video.durationS.toFixed(1)} s`)
  }
}

interface DecodeOptions {
  width: number
  height: number
  /** null: pass every frame through; else resample to this constant rate. */
  resampleFps: number | null
  timeOf: (index: number) => number
  maxPixels: number | undefined
}

/** What ffmpeg says when `-max_pixels` refuses a frame. */
const OVERSIZED_FRAME = /Picture size (\d+)x(\d+) exceeds specified max pixel count/

async function * decodeFrames (file: string, paths: ToolPaths, out: DecodeOptions, signal?: AbortSignal): AsyncGenerator<VideoFrame> {
  const frameBytes = out.width * out.height * 3
  const scale = `scale=${out.width}:${out.height}:flags=bilinear`
  const timing = out.resampleFps === null ? ['-fps_mode', 'passthrough', '-vf', scale] : ['-vf', `fps=${out.resampleFps},${scale}`]
  // The output size is fixed above whatever the frames decode to; -max_pixels also stops the
  // decoder itself from allocating frames larger than the probe allowed.
  const maxPixels = out.maxPixels ? ['-max_pixels', String(out.maxPixels)] : []
  let oversized: RegExpExecArray | null = null
  const { child, stderrTail, exited, kill } = startProcess(paths.ffmpegPath, [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1',
    ...maxPixels, '-i', file, '-map', '0:v:0', '-an', '-sn', ...timing,
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'
  ], {
    ...(signal ? { signal } : {}),
    onStderr: (text) => {
      oversized ??= OVERSIZED_FRAME.exec(text)
      if (oversized) kill()
    }
  })
  exited.catch(() => {}) // awaited after the frames; a failure to start must not go unhandled first

  // Read ahead up to READ_AHEAD frames: a pipe holds ~64 KB, a frame ~1 MB, so without a
  // queue ffmpeg would stall on every frame until the consumer asked for it, and decoding
  // would never overlap analysis. The queue is bounded, so memory stays flat.
  const queue: VideoFrame[] = []
  let ended = false
  let wake: (() => void) | null = null
  let index = 0
  let frame = new Uint8Array(frameBytes)
  let filled = 0
  child.stdout.on('data', (chunk: Buffer) => {
    let offset = 0
    while (offset < chunk.length) {
      const take = Math.min(frameBytes - filled, chunk.length - offset)
      frame.set(chunk.subarray(offset, offset + take), filled)
      filled += take
      offset += take
      if (filled === frameBytes) {
        queue.push({ width: out.width, height: out.height, data: frame, index, timeMs: out.timeOf(index) })
        index++
        frame = new Uint8Array(frameBytes)
        filled = 0
      }
    }
    if (queue.length >= READ_AHEAD) child.stdout.pause()
    wake?.()
  })
  child.stdout.on('end', () => { ended = true; wake?.() })

  let yielded = 0
  try {
    for (;;) {
      signal?.throwIfAborted()
      if (oversized) throw oversizedFrameError(Number(oversized[1]), Number(oversized[2]), out.maxPixels!)
      const next = queue.shift()
      if (next) {
        if (queue.length < READ_AHEAD) child.stdout.resume()
        yielded++
        yield next
        continue
      }
      if (ended) break
      await new Promise<void>((resolve) => { wake = resolve })
      wake = null
    }
    const exit = await exited.catch((error: unknown) => { throw mediaErrorOf(error) })
    signal?.throwIfAborted()
    throwIfFfmpegStopped(paths, exit)
    if (oversized) throw oversizedFrameError(Number(oversized[1]), Number(oversized[2]), out.maxPixels!)
    if (yielded === 0) {
      const why = exit.code !== 0 ? ` (${describeExit(paths.ffmpegPath, { ...exit, stderr: stderrTail() })})` : ''
      throw new MediaError('not_media', `not a video: no frame could be decoded${why}`)
    }
    // A damaged tail after good frames is tolerated: the frames decoded so far are analysed.
  } finally {
    kill()
  }
}

/** Decodes a still image (JPEG, PNG...) to RGB, scaled down to maxWidth if wider. */
export async function decodeImage (file: string, paths: ToolPaths, maxWidth = 4096): Promise<RgbImage> {
  const metadata = await probeVideo(file, paths)
  const stream = await openFrameStream(file, metadata, paths, { maxWidth })
  for await (const frame of stream.frames) {
    await stream.frames.return(undefined)
    return { width: frame.width, height: frame.height, data: frame.data }
  }
  throw new MediaError('not_media', `no image in ${file}`)
}
