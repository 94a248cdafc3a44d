/**
 * ffprobe and ffmpeg's version, spawned through the process runner: typed metadata out,
 * MediaError with a reason a user can act on when the file is not a usable video.
 *
 * One probe a file: probeVideo runs ffprobe once and returns everything an analysis needs
 * (streams, format, the audio track, and the video packets counted and timed without
 * decoding), and callers pass that MediaProbe along (openFrameStream, analyzeVoice,
 * transcribe) instead of asking ffprobe again.
 */
import fs from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { runProcess, ProcessError, toolName, type ProcessExit } from './process-runner.js'

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

/** The file's first audio stream. */
export interface AudioInfo {
  /** False for a video without an audio stream: "no audio", not an error. */
  hasAudio: boolean
  /** Duration of the audio stream (or the container) in seconds; 0 when unknown. */
  durationS: number
  codec: string | null
}

/**
 * The main video stream's packets, read without decoding. In an MP4 or MOV whose edit list
 * plays only part of the media, ffmpeg's demuxer flags the packets outside it "discard":
 * the decoder reads them (references) but outputs no frame for them.
 */
export interface VideoPackets {
  /** Every packet, discarded ones too: what the decoder has to read (the limits judge this). */
  count: number
  /** Seconds from the earliest packet timestamp to the latest, discarded ones too (0 when unknown). */
  spanS: number
  /** Packets not discarded: exactly the frames a decoder outputs at the file's own rate. */
  played: number
  /**
   * Presentation times in ms of the played packets, sorted, from the first of them; null
   * when some played packet has no timestamp.
   */
  timesMs: number[] | null
}

/** One ffprobe run's answer: what every stage of an analysis needs to know about the file. */
export interface MediaProbe extends ProbedVideo {
  audio: AudioInfo
  /** null when the packets were not read (probeUrl reads only the headers). */
  packets: VideoPackets | null
}

/** A tool that could not run to the end, as a MediaError (timeout, or the tool is unusable). */
export function mediaErrorOf (error: unknown): unknown {
  if (!(error instanceof ProcessError)) return error
  return new MediaError(error.kind === 'timeout' ? 'timeout' : 'tool_failed', error.message)
}

/** What ffmpeg exits with when SIGINT, SIGTERM or SIGQUIT made it stop early ("Exiting normally, received signal"). */
const FFMPEG_STOPPED_BY_SIGNAL = 255

/**
 * Throws when ffmpeg stopped early because it was signalled from outside (the worker's process
 * group stopped by an operator or supervisor): its output is cut short for a reason that is not
 * the file's, so the attempt fails and is retried, rather than the frames or samples so far
 * being taken for the whole file. (A SIGKILL is caught by the process runner.)
 */
export function throwIfFfmpegStopped (paths: ToolPaths, exit: ProcessExit): void {
  if (exit.code === FFMPEG_STOPPED_BY_SIGNAL) {
    throw new MediaError('tool_failed', `${toolName(paths.ffmpegPath)} was stopped by a signal from outside Candor before it finished`)
  }
}

/** "ffmpeg version 5.1.6-0+deb12u1 ..." -> "5.1.6-0+deb12u1"; throws when ffmpeg is missing. */
export async function ffmpegVersion (paths: ToolPaths, timeoutMs = 5000): Promise<string> {
  const { stdout, code } = await runProcess(paths.ffmpegPath, ['-hide_banner', '-version'], { timeoutMs }).catch((error: unknown) => { throw mediaErrorOf(error) })
  const version = /ffmpeg version (\S+)/.exec(stdout)?.[1]
  if (code !== 0 || !version) throw new MediaError('tool_failed', `${paths.ffmpegPath} -version failed`)
  return version
}

interface ProbeStream {
  index?: number
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
  /** Default 120 s: the packets are read through the whole file (an hour of video: ~2 s). */
  timeoutMs?: number
  /** Kills ffprobe and rejects with the signal's reason. */
  signal?: AbortSignal
  /**
   * Packets of all streams kept at most (a memory bound: ~10 bytes each); a file with more is
   * refused. Default 2,000,000: an hour at the frame limit with a few audio tracks is far less.
   */
  maxPackets?: number
}

const DEFAULT_MAX_PACKETS = 2_000_000

/**
 * Probes a local file once: streams, format, and every packet's stream, timestamp and flags
 * (`-show_entries packet=...` in the same run). Throws MediaError when the file is missing,
 * empty, unreadable or has no video stream.
 */
export async function probeVideo (file: string, paths: ToolPaths, options: ProbeOptions = {}): Promise<MediaProbe> {
  const { timeoutMs = 120_000, signal, maxPackets = DEFAULT_MAX_PACKETS } = options
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new MediaError('file_not_found', `video file not found: ${file}`)
    throw error
  })
  if (!stat.isFile()) throw new MediaError('file_not_found', `not a file: ${file}`)
  if (stat.size === 0) throw new MediaError('empty_file', `not a video: the file is empty (${file})`)

  const table = new PacketTable(maxPackets)
  const probe = await runProbe(file, paths, timeoutMs, ['-show_entries', 'packet=stream_index,pts_time,flags'], signal, table)
  const metadata = toMediaProbe(probe, stat.size, table)
  if (metadata.packets && metadata.packets.count === 0) throw new MediaError('not_media', 'not a video: no video frames in the file')
  return metadata
}

/**
 * Probes a video over HTTP (a presigned S3 URL): ffprobe reads only the headers it needs
 * with range requests. A missing duration stays 0 here (measuring it would read the whole
 * object); `sizeBytes` is the caller's.
 */
export async function probeUrl (url: string, sizeBytes: number, paths: ToolPaths, timeoutMs = 10_000): Promise<MediaProbe> {
  return toMediaProbe(await runProbe(url, paths, timeoutMs, ['-rw_timeout', String(timeoutMs * 1000)]), sizeBytes, null)
}

/** Non-packet output kept at most (streams, format, their tags): a file with megabytes of tags is no video. */
const MAX_HEADER_OUTPUT = 4 * 1024 * 1024

async function runProbe (input: string, paths: ToolPaths, timeoutMs: number, extra: string[], signal?: AbortSignal, table?: PacketTable): Promise<ProbeOutput> {
  // json=compact=1 prints each packet on a line of its own: those lines are read as they come
  // into the table (an hour of video is ~260,000 of them), the rest is parsed as JSON.
  const lines = new LineSplitter()
  let rest = ''
  const take = (line: string) => {
    if (table?.add(line)) return
    rest += line + '\n'
    if (rest.length > MAX_HEADER_OUTPUT) throw new MediaError('not_media', `not a video: ffprobe printed more than ${MAX_HEADER_OUTPUT} bytes of headers`)
  }
  const { stderr, code, signal: killedBy } = await runProcess(paths.ffprobePath,
    ['-v', 'error', ...extra, '-print_format', 'json=compact=1', '-show_format', '-show_streams', input],
    { timeoutMs, ...(signal ? { signal } : {}), onStdout: (chunk) => lines.push(chunk, take) })
    .catch((error: unknown) => { throw mediaErrorOf(error) })
  lines.end(take)
  if (code !== 0) {
    if (killedBy) throw new MediaError('tool_failed', `${toolName(paths.ffprobePath)} was killed by ${killedBy}`)
    const reason = stderr.trim().split('\n').pop()?.replace(`${input}: `, '') ?? 'unknown format'
    if (/^https?:/.test(input) && /HTTP error|Connection|timed out|Server returned/i.test(reason)) {
      throw new MediaError('tool_failed', `could not read the video over HTTP (${reason})`)
    }
    throw new MediaError('not_media', `not a video: ffprobe cannot read it (${reason || `ffprobe exited with code ${code}`})`)
  }
  let probe: ProbeOutput
  try {
    probe = JSON.parse(rest) as ProbeOutput
  } catch {
    throw new MediaError('tool_failed', 'ffprobe printed output that is not JSON')
  }
  const refused = /Picture size (\d+)x(\d+) is invalid/.exec(stderr)
  return refused ? { ...probe, refusedPictureSize: { width: Number(refused[1]), height: Number(refused[2]) } } : probe
}

/** Splits a byte stream into lines (UTF-8 safe across chunks). */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8')
  private partial = ''

  push (chunk: Buffer, take: (line: string) => void): void {
    const lines = (this.partial + this.decoder.write(chunk)).split('\n')
    this.partial = lines.pop()!
    for (const line of lines) take(line)
  }

  end (take: (line: string) => void): void {
    const last = this.partial + this.decoder.end()
    this.partial = ''
    if (last !== '') take(last)
  }
}

/** `{ "stream_index": 0, "pts_time": "-1.500000", "flags": "KD" },` (pts_time absent when unknown). */
const PACKET_LINE = /^\s*\{ "stream_index": (\d+)(?:, "pts_time": "([^"]*)")?, "flags": "([^"]*)" \},?\s*$/

/** Every packet's stream, time and discard flag, compactly, until the streams say which is the video. */
class PacketTable {
  readonly stream: number[] = []
  /** Seconds; NaN when the packet has none. */
  readonly pts: number[] = []
  readonly discarded: boolean[] = []
  /** Open brackets of a packet printed over several lines (one with side data). */
  private depth = 0

  constructor (private readonly maxPackets: number) {}

  /** True when the line was (part of) a packet. */
  add (line: string): boolean {
    if (this.depth > 0) {
      this.depth += bracketBalance(line)
      return true
    }
    if (!line.trimStart().startsWith('{ "stream_index"')) return false
    // One line a packet, except those with side data: their fields come first, the rest follows.
    const match = PACKET_LINE.exec(line)
    if (!match) this.depth = bracketBalance(line)
    const field = (name: string) => match ? undefined : new RegExp(`"${name}": "?([^",}]*)`).exec(line)?.[1]
    const stream = match ? match[1] : field('stream_index')
    const pts = match ? match[2] : field('pts_time')
    const flags = (match ? match[3] : field('flags')) ?? ''
    if (this.stream.length >= this.maxPackets) {
      throw new MediaError('not_media', `not a video: more than ${this.maxPackets} packets in the file`)
    }
    this.stream.push(stream === undefined ? -1 : Number(stream))
    const seconds = pts === undefined ? NaN : Number(pts)
    this.pts.push(Number.isFinite(seconds) ? seconds : NaN)
    this.discarded.push(flags.includes('D'))
    return true
  }

  /** The packets of one stream, summarised. */
  videoPackets (streamIndex: number): VideoPackets {
    let count = 0
    let first = Infinity
    let last = -Infinity
    const played: number[] = []
    let untimed = false
    for (let i = 0; i < this.stream.length; i++) {
      if (this.stream[i] !== streamIndex) continue
      count++
      const pts = this.pts[i]!
      if (!Number.isNaN(pts)) {
        first = Math.min(first, pts)
        last = Math.max(last, pts)
      }
      if (this.discarded[i]) continue
      if (Number.isNaN(pts)) untimed = true
      played.push(pts)
    }
    played.sort((a, b) => a - b)
    const start = played[0] ?? 0
    return {
      count,
      spanS: last >= first ? last - first : 0,
      played: played.length,
      timesMs: untimed || played.length === 0 ? null : played.map((s) => (s - start) * 1000)
    }
  }
}

/**
 * Pure mapping from ffprobe's JSON to metadata (exported for tests). Declared sizes and rates
 * are reported as they are, however absurd: checkMediaLimits (limits.ts) judges them.
 */
export function toMetadata (probe: ProbeOutput, sizeBytes: number): ProbedVideo {
  const streams = probe.streams ?? []
  const video = mainVideoStream(streams)
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

/**
 * toMetadata plus the audio track and, when they were read, the video packets. With the
 * packets, the frame count is the played packets' (an edit list's cut respected: nb_frames
 * counts every sample in the file), and a file that states no duration (MediaRecorder webm)
 * gets the one its packets span.
 */
function toMediaProbe (probe: ProbeOutput, sizeBytes: number, table: PacketTable | null): MediaProbe {
  const metadata = toMetadata(probe, sizeBytes)
  const streams = probe.streams ?? []
  const audioStream = streams.find((s) => s.codec_type === 'audio')
  const audio: AudioInfo = audioStream
    ? { hasAudio: true, durationS: Number(audioStream.duration) || Number(probe.format?.duration) || 0, codec: audioStream.codec_name ?? null }
    : { hasAudio: false, durationS: 0, codec: null }
  const video = mainVideoStream(streams)
  const packets = table && video?.index !== undefined ? table.videoPackets(video.index) : table ? { count: 0, spanS: 0, played: 0, timesMs: null } : null
  if (packets && packets.played > 0) {
    metadata.frameCount = packets.played
    if (!(metadata.durationS > 0) && packets.timesMs) {
      metadata.durationS = (packets.timesMs[packets.timesMs.length - 1]! + 1000 / metadata.fps) / 1000
      metadata.mediaDurationS = Math.max(metadata.mediaDurationS, metadata.durationS)
    }
  }
  return { ...metadata, audio, packets }
}

/** Opening minus closing brackets of a line of JSON, outside strings. */
function bracketBalance (line: string): number {
  let balance = 0
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') balance++
    else if (c === '}' || c === ']') balance--
  }
  return balance
}

/** Cover art in an audio file is a "video" stream with attached_pic: not a video. */
function mainVideoStream (streams: ProbeStream[]): ProbeStream | undefined {
  return streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
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
