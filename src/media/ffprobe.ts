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

export interface ToolPaths { ffmpegPath: string, ffprobePath: string }

interface RunResult { stdout: string, stderr: string, code: number | null }

/** Runs a tool to completion, collecting output; kills it after timeoutMs. */
export function runTool (command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
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
 * (for error messages) and resolves `exited` with its exit code or start-up error.
 */
export function spawnStreaming (command: string, args: string[]): { child: ChildProcessByStdio<null, Readable, Readable>, stderrTail: () => string, exited: Promise<{ code: number | null, error?: Error }> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => { stderr = (stderr + text).slice(-4000) })
  const exited = new Promise<{ code: number | null, error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }))
    child.on('close', (code) => resolve({ code }))
  })
  return { child, stderrTail: () => stderr, exited }
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
}

export async function probeVideo (file: string, paths: ToolPaths, timeoutMs = 30_000): Promise<VideoMetadata> {
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new MediaError('file_not_found', `video file not found: ${file}`)
    throw error
  })
  if (!stat.isFile()) throw new MediaError('file_not_found', `not a file: ${file}`)
  if (stat.size === 0) throw new MediaError('empty_file', `not a video: the file is empty (${file})`)

  const metadata = toMetadata(await runProbe(file, paths, timeoutMs), stat.size)
  // Browser recordings (MediaRecorder webm) often declare no duration: measure it.
  if (!(metadata.durationS > 0)) {
    const times = await packetTimes(file, paths)
    if (times.length === 0) throw new MediaError('not_media', 'not a video: no video frames in the file')
    metadata.durationS = (times[times.length - 1]! + 1000 / metadata.fps) / 1000
    metadata.frameCount = times.length
  }
  return metadata
}

/**
 * Probes a video over HTTP (a presigned S3 URL): ffprobe reads only the headers it needs
 * with range requests. A missing duration stays 0 here (measuring it would read the whole
 * object); `sizeBytes` is the caller's.
 */
export async function probeUrl (url: string, sizeBytes: number, paths: ToolPaths, timeoutMs = 10_000): Promise<VideoMetadata> {
  return toMetadata(await runProbe(url, paths, timeoutMs, ['-rw_timeout', String(timeoutMs * 1000)]), sizeBytes)
}

async function runProbe (input: string, paths: ToolPaths, timeoutMs: number, extra: string[] = []): Promise<ProbeOutput> {
  const { stdout, stderr, code } = await runTool(paths.ffprobePath,
    ['-v', 'error', ...extra, '-print_format', 'json', '-show_format', '-show_streams', input], timeoutMs)
  if (code !== 0) {
    const reason = stderr.trim().split('\n').pop()?.replace(`${input}: `, '') ?? 'unknown format'
    if (/^https?:/.test(input) && /HTTP error|Connection|timed out|Server returned/i.test(reason)) {
      throw new MediaError('tool_failed', `could not read the video over HTTP (${reason})`)
    }
    throw new MediaError('not_media', `not a video: ffprobe cannot read it (${reason})`)
  }
  try {
    return JSON.parse(stdout) as ProbeOutput
  } catch {
    throw new MediaError('tool_failed', 'ffprobe printed output that is not JSON')
  }
}

/**
 * Presentation times (ms from the first frame, sorted) of every video packet, read without
 * decoding (~0.1 s for a minute of video); empty when some packet has no timestamp.
 */
export async function packetTimes (file: string, paths: ToolPaths): Promise<number[]> {
  const { stdout, code } = await runTool(paths.ffprobePath,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], 120_000)
  if (code !== 0) return []
  const seconds = stdout.split('\n').filter((line) => line.trim() !== '').map(Number)
  if (seconds.length === 0 || seconds.some((s) => !Number.isFinite(s))) return []
  seconds.sort((a, b) => a - b)
  return seconds.map((s) => (s - seconds[0]!) * 1000)
}

/** Pure mapping from ffprobe's JSON to VideoMetadata (exported for tests). */
export function toMetadata (probe: ProbeOutput, sizeBytes: number): VideoMetadata {
  const streams = probe.streams ?? []
  // Cover art in an audio file is a "video" stream with attached_pic: not a video.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
  if (!video || !video.width || !video.height) {
    throw new MediaError('no_video_stream', 'not a video: no video stream')
  }
  const audio = streams.find((s) => s.codec_type === 'audio')
  const fps = parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate)
  if (!(fps > 0 && fps <= 1000)) throw new MediaError('not_media', 'not a video: no usable frame rate')
  const durationS = Number(video.duration) || Number(probe.format?.duration) || 0
  // The display matrix turns counter-clockwise (negative = clockwise); the old rotate tag clockwise.
  const matrixRotation = video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation
  const rotation = normaliseRotation(matrixRotation !== undefined ? -matrixRotation : Number(video.tags?.rotate ?? 0))
  const swapped = rotation === 90 || rotation === 270
  const declaredFrames = Number(video.nb_frames)
  return {
    container: probe.format?.format_name ?? 'unknown',
    durationS,
    width: video.width,
    height: video.height,
    displayWidth: swapped ? video.height : video.width,
    displayHeight: swapped ? video.width : video.height,
    fps,
    frameCount: declaredFrames > 0 ? declaredFrames : Math.round(durationS * fps),
    rotation,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
    hasAudio: audio !== undefined,
    sizeBytes
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
