/**
 * ffprobe and ffmpeg's version through child_process.spawn: typed metadata out, MediaError with
 * a reason a user can act on when the file is not a usable video.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable } from 'node:stream'
import fs from 'node:fs/promises'

export type MediaErrorCode = 'file_not_found' | 'empty_file' | 'not_media' | 'no_video_stream' | 'truncated' | 'tool_failed' | 'timeout'

export class MediaError extends Error {
  constructor (readonly code: MediaErrorCode, message: string) {
    super(message)
    this.name = 'MediaError'
  }
}

export interface VideoMetadata {
  container: string
  durationS: number
  width: number
  height: number
  /** Display size after applying rotation (what a viewer sees). */
  displayWidth: number
  displayHeight: number
  fps: number
  /** Estimated when the container does not say (duration x fps). */
  frameCount: number
  rotation: number
  videoCodec: string
  audioCodec: string | null
  hasAudio: boolean
  sizeBytes: number
}

/** What a probe says about the whole file beyond its main video stream: what the limits check. */
export interface ProbedVideo extends VideoMetadata {
  /** Streams of every kind (video, audio, subtitles, data, attachments). */
  streamCount: number
  /** The longest stream or the container's duration: an audio track may outlast the video. */
  mediaDurationS: number
  /**
   * The average frame rate the file states; null when ffprobe could only guess a rate from
   * the timestamps' time base (browser recordings often show 1000 fps that way): the packets,
   * counted before decoding, judge those.
   */
  averageFps: number | null
}

export interface ToolPaths { ffmpegPath: string, ffprobePath: string }

interface RunResult { stdout: string, stderr: string, code: number | null }

/**
 * Runs a tool to completion, collecting output; kills it after timeoutMs, or when `signal`
 * aborts (then rejects with the signal's reason).
 */
export function runTool (command: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...killedBy(signal) })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new MediaError('timeout', `${command} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (signal?.aborted) return reject(signal.reason)
      reject(new MediaError('tool_failed', error.code === 'ENOENT'
        ? `${command} is not installed or not on PATH (install ffmpeg)`
        : `${command} could not start: ${error.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code })
    })
  })
}

/**
 * A long-running tool whose stdout is streamed by the caller: keeps the tail of its stderr
 * (for error messages) and resolves `exited` with its exit code or start-up error. An aborted
 * `signal` kills it (SIGKILL); `exited` then carries an AbortError.
 */
export function spawnStreaming (command: string, args: string[], signal?: AbortSignal): { child: ChildProcessByStdio<null, Readable, Readable>, stderrTail: () => string, exited: Promise<{ code: number | null, error?: Error }> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...killedBy(signal) })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => { stderr = (stderr + text).slice(-4000) })
  const exited = new Promise<{ code: number | null, error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }))
    child.on('close', (code) => resolve({ code }))
  })
  return { child, stderrTail: () => stderr, exited }
}

/** Spawn options that kill the child outright when the signal aborts (a hung decoder ignores SIGTERM). */
function killedBy (signal: AbortSignal | undefined): { signal?: AbortSignal, killSignal?: NodeJS.Signals } {
  return signal ? { signal, killSignal: 'SIGKILL' } : {}
}

/** "ffmpeg version 5.1.6-0+deb12u1 ..." -> "5.1.6-0+deb12u1"; throws when ffmpeg is missing. */
export async function ffmpegVersion (paths: ToolPaths, timeoutMs = 5000): Promise<string> {
  const { stdout, code } = await runTool(paths.ffmpegPath, ['-hide_banner', '-version'], timeoutMs)
  const version = /ffmpeg version (\S+)/.exec(stdout)?.[1]
  if (code !== 0 || !version) throw new MediaError('tool_failed', `${paths.ffmpegPath} -version failed`)
  return version
}

interface ProbeStream {
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  avg_frame_rate?: string
  r_frame_rate?: string
  nb_frames?: string
  duration?: string
  tags?: { rotate?: string }
  side_data_list?: Array<{ rotation?: number }>
  disposition?: { attached_pic?: number }
}

interface ProbeOutput {
  streams?: ProbeStream[]
  format?: { format_name?: string, duration?: string }
  /**
   * A frame size ffmpeg itself refuses to allocate (over its own limit): the stream then shows
   * 0x0, and only stderr says what the file declared.
   */
  refusedPictureSize?: { width: number, height: number }
}

export interface ProbeOptions {
  timeoutMs?: number
  /** Kills ffprobe and rejects with the signal's reason. */
  signal?: AbortSignal
}

export async function probeVideo (file: string, paths: ToolPaths, options: ProbeOptions = {}): Promise<ProbedVideo> {
  const { timeoutMs = 30_000, signal } = options
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new MediaError('file_not_found', `video file not found: ${file}`)
    throw error
  })
  if (!stat.isFile()) throw new MediaError('file_not_found', `not a file: ${file}`)
  if (stat.size === 0) throw new MediaError('empty_file', `not a video: the file is empty (${file})`)

  const metadata = toMetadata(await runProbe(file, paths, timeoutMs, [], signal), stat.size)
  // Browser recordings (MediaRecorder webm) often declare no duration: measure it.
  if (!(metadata.durationS > 0)) {
    const times = await packetTimes(file, paths, signal)
    if (times.length === 0) throw new MediaError('not_media', 'not a video: no video frames in the file')
    metadata.durationS = (times[times.length - 1]! + 1000 / metadata.fps) / 1000
    metadata.frameCount = times.length
    metadata.mediaDurationS = Math.max(metadata.mediaDurationS, metadata.durationS)
  }
  return metadata
}

/**
 * Probes a video over HTTP (a presigned S3 URL): ffprobe reads only the headers it needs
 * with range requests. A missing duration stays 0 here (measuring it would read the whole
 * object); `sizeBytes` is the caller's.
 */
export async function probeUrl (url: string, sizeBytes: number, paths: ToolPaths, timeoutMs = 10_000): Promise<ProbedVideo> {
  return toMetadata(await runProbe(url, paths, timeoutMs, ['-rw_timeout', String(timeoutMs * 1000)]), sizeBytes)
}

async function runProbe (input: string, paths: ToolPaths, timeoutMs: number, extra: string[] = [], signal?: AbortSignal): Promise<ProbeOutput> {
  const { stdout, stderr, code } = await runTool(paths.ffprobePath,
    ['-v', 'error', ...extra, '-print_format', 'json', '-show_format', '-show_streams', input], timeoutMs, signal)
  if (code !== 0) {
    const reason = stderr.trim().split('\n').pop()?.replace(`${input}: `, '') ?? 'unknown format'
    if (/^https?:/.test(input) && /HTTP error|Connection|timed out|Server returned/i.test(reason)) {
      throw new MediaError('tool_failed', `could not read the video over HTTP (${reason})`)
    }
    throw new MediaError('not_media', `not a video: ffprobe cannot read it (${reason})`)
  }
  let probe: ProbeOutput
  try {
    probe = JSON.parse(stdout) as ProbeOutput
  } catch {
    throw new MediaError('tool_failed', 'ffprobe printed output that is not JSON')
  }
  const refused = /Picture size (\d+)x(\d+) is invalid/.exec(stderr)
  return refused ? { ...probe, refusedPictureSize: { width: Number(refused[1]), height: Number(refused[2]) } } : probe
}

/**
 * Presentation times (ms from the first frame, sorted) of every video packet, read without
 * decoding (~0.1 s for a minute of video); empty when some packet has no timestamp.
 */
export async function packetTimes (file: string, paths: ToolPaths, signal?: AbortSignal): Promise<number[]> {
  const { stdout, code } = await runTool(paths.ffprobePath,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], 120_000, signal)
  if (code !== 0) return []
  const seconds = stdout.split('\n').filter((line) => line.trim() !== '').map(Number)
  if (seconds.length === 0 || seconds.some((s) => !Number.isFinite(s))) return []
  seconds.sort((a, b) => a - b)
  return seconds.map((s) => (s - seconds[0]!) * 1000)
}

/**
 * Pure mapping from ffprobe's JSON to metadata (exported for tests). Declared sizes and rates
 * are reported as they are, however absurd: checkMediaLimits (limits.ts) judges them.
 */
export function toMetadata (probe: ProbeOutput, sizeBytes: number): ProbedVideo {
  const streams = probe.streams ?? []
  // Cover art in an audio file is a "video" stream with attached_pic: not a video.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
  const width = video?.width || probe.refusedPictureSize?.width
  const height = video?.height || probe.refusedPictureSize?.height
  if (!video || !width || !height) {
    throw new MediaError('no_video_stream', 'not a video: no video stream')
  }
  const audio = streams.find((s) => s.codec_type === 'audio')
  const averageFps = parseRate(video.avg_frame_rate)
  const fps = averageFps || parseRate(video.r_frame_rate)
  if (!(fps > 0)) throw new MediaError('not_media', 'not a video: no usable frame rate')
  const durationS = Number(video.duration) || Number(probe.format?.duration) || 0
  const streamDurations = streams.map((s) => Number(s.duration)).filter(Number.isFinite)
  // The display matrix turns counter-clockwise (negative = clockwise); the old rotate tag clockwise.
  const matrixRotation = video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation
  const rotation = normaliseRotation(matrixRotation !== undefined ? -matrixRotation : Number(video.tags?.rotate ?? 0))
  const swapped = rotation === 90 || rotation === 270
  const declaredFrames = Number(video.nb_frames)
  return {
    container: probe.format?.format_name ?? 'unknown',
    durationS,
    width,
    height,
    displayWidth: swapped ? height : width,
    displayHeight: swapped ? width : height,
    fps,
    frameCount: declaredFrames > 0 ? declaredFrames : Math.round(durationS * fps),
    rotation,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
    hasAudio: audio !== undefined,
    sizeBytes,
    streamCount: streams.length,
    averageFps: averageFps > 0 ? averageFps : null,
    mediaDurationS: Math.max(durationS, Number(probe.format?.duration) || 0, ...streamDurations)
  }
}

function parseRate (rate: string | undefined): number {
  if (!rate) return 0
  const [num, den] = rate.split('/').map(Number)
  if (!num || !Number.isFinite(num)) return 0
  return den ? num / den : num
}

/** Clockwise degrees, possibly negative or off by a little, to 0, 90, 180 or 270. */
function normaliseRotation (degrees: number): number {
  if (!Number.isFinite(degrees)) return 0
  return ((Math.round(degrees / 90) * 90) % 360 + 360) % 360
}
