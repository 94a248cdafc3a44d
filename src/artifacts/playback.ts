/**
 * The playback copy of a recording: one file every browser plays with a plain <video> element,
 * whatever the upload was (an iPhone's HEVC MOV lying on its side, a 4K screen capture, a
 * browser's MediaRecorder webm without a duration or an index).
 *
 * WebM with VP9 video and Opus audio, always; an H.264 + AAC MP4 beside it only when asked
 * (`formats`), for iPhones before iOS 17.4, whose Safari plays no WebM video (it costs about as
 * much CPU again: /work/notes/playback.md has the numbers). Either copy is:
 * - upright: ffmpeg applies the rotation a phone stored (as the engine's frames do), so the copy
 *   has rotation 0, width and height swapped for 90 and 270, and its pixels match the frames
 *   the analysis saw;
 * - on the recording's own clock: frames are passed through with their timestamps (no constant
 *   rate forced on a variable-rate recording), so an event at 12.3 s is at 12.3 s in the player;
 * - at most `maxHeight` lines, even sides, never scaled up;
 * - seekable: WebM with its duration and Cues (moved to the front), MP4 with +faststart, and a
 *   keyframe at least every 4 s of new encodes;
 * - without the upload's metadata (a phone's tags can hold where it was recorded).
 * A VP9 source that needs none of that (upright, small enough, 8-bit 4:2:0, keyframes no more
 * than 10 s apart) has its video copied as it is; Opus audio is always copied.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { MediaError, mediaErrorOf, probeVideo, throwIfFfmpegStopped, type MediaProbe, type ToolPaths } from '../media/ffprobe.js'
import { describeExit, runProcess } from '../media/process-runner.js'

export type PlaybackFormat = 'webm' | 'mp4'

export interface PlaybackCopy {
  format: PlaybackFormat
  /** `{outDir}/playback.webm` or `{outDir}/playback.mp4`. */
  file: string
  contentType: 'video/webm' | 'video/mp4'
  /** ffprobe's codec names, video first: ['vp9', 'opus'], ['vp9'] without audio, ['h264', 'aac']. */
  codecs: string[]
  /** The copy's own duration (its container's, as a browser reads it), seconds. */
  durationS: number
  /** Upright size (rotation 0). */
  width: number
  height: number
  bytes: number
  /** The source's VP9 video was copied as it was rather than encoded again. */
  videoCopied: boolean
}

export interface PlaybackOptions {
  /** Lines at most (PLAYBACK_MAX_HEIGHT); smaller sources keep their size. */
  maxHeight: number
  tools: ToolPaths
  /** Kills ffmpeg; the call rejects with the signal's reason. */
  signal?: AbortSignal
  /** Default ['webm']. */
  formats?: readonly PlaybackFormat[]
  /** ffmpeg's threads (decoder and encoder). Default 2. */
  threads?: number
  /** Each ffmpeg run at most this long. Default 2 min + 5 x the recording's duration. */
  timeoutMs?: number
}

/** New encodes get a keyframe at least this often (seconds): a seek decodes at most this much. */
const KEYFRAME_SECONDS = 4
/** A VP9 source whose keyframes are further apart than this is encoded again (slow seeking). */
const MAX_COPIED_KEYFRAME_GAP_S = 10
/** Bits per second the VP9 encode may use at 1280x720; scaled by pixels for other sizes. */
const VP9_MAX_BITRATE_720P = 2_000_000
const OPUS_BITRATE = '64k'
const AAC_BITRATE = '96k'

/**
 * Makes the playback copies of `input` in `outDir` (which must exist), one per format, and
 * checks each with ffprobe: codecs, upright size and a duration that covers the recording.
 * `probe` is probeVideo's answer for `input`. Throws MediaError: 'not_media' when ffmpeg cannot
 * decode the recording, 'truncated' when its frames stop well before its stated duration,
 * 'timeout' / 'tool_failed' when ffmpeg ran too long or was stopped. A failed copy is removed.
 */
export async function makePlaybackCopies (input: string, outDir: string, probe: MediaProbe, options: PlaybackOptions): Promise<PlaybackCopy[]> {
  const { maxHeight, tools, signal, formats = ['webm'], threads = 2 } = options
  if (!Number.isInteger(maxHeight) || maxHeight < 2) throw new RangeError(`maxHeight must be an integer of at least 2, not ${maxHeight}`)
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, not ${threads}`)
  if (formats.length === 0 || new Set(formats).size !== formats.length) throw new RangeError(`formats must name each of webm and mp4 at most once, not [${formats.join(', ')}]`)
  if (!(probe.displayWidth > 0 && probe.displayHeight > 0)) throw new MediaError('no_video_stream', 'not a video: no video stream')
  const timeoutMs = options.timeoutMs ?? 120_000 + 5000 * Math.max(probe.durationS, probe.mediaDurationS)
  const size = playbackSize(probe, maxHeight)
  const run: RunSettings = { input, tools, threads, timeoutMs, signal }
  const copies: PlaybackCopy[] = []
  for (const format of formats) {
    const file = path.join(outDir, `playback.${format}`)
    if (path.resolve(file) === path.resolve(input)) throw new RangeError(`the playback copy would overwrite the recording itself (${file})`)
    try {
      copies.push(await makeOne(format, file, probe, size, run))
    } catch (error) {
      await fs.rm(file, { force: true })
      throw error
    }
  }
  return copies
}

/** Upright size, at most `maxHeight` lines, even sides (4:2:0 chroma), never larger than the source. */
export function playbackSize (video: Pick<MediaProbe, 'displayWidth' | 'displayHeight'>, maxHeight: number): { width: number, height: number } {
  const { displayWidth: w, displayHeight: h } = video
  const height = Math.max(2, Math.floor(Math.min(h, maxHeight) / 2) * 2)
  const width = Math.max(2, Math.round((w * height) / h / 2) * 2)
  return { width, height }
}

interface RunSettings {
  input: string
  tools: ToolPaths
  threads: number
  timeoutMs: number
  signal: AbortSignal | undefined
}

async function makeOne (format: PlaybackFormat, file: string, probe: MediaProbe, size: { width: number, height: number }, run: RunSettings): Promise<PlaybackCopy> {
  const copyVideo = format === 'webm' && await canCopyVideo(probe, size, run)
  const copyAudio = probe.hasAudio && format === 'webm' && probe.audioCodec === 'opus'
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-threads', String(run.threads), '-i', run.input,
    '-map', '0:v:0', ...(probe.hasAudio ? ['-map', '0:a:0'] : []),
    '-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn',
    // Every frame at its own time: nothing duplicated or dropped to make a constant rate.
    '-fps_mode', 'passthrough',
    ...(copyVideo ? ['-c:v', 'copy'] : videoEncoder(format, probe, size, run.threads)),
    ...(!probe.hasAudio ? [] : copyAudio ? ['-c:a', 'copy'] : audioEncoder(format)),
    // A sparse stream (audio starting late, a long still) must not stop the muxer.
    '-max_muxing_queue_size', '4096',
    ...(format === 'webm' ? ['-cues_to_front', '1', '-f', 'webm'] : ['-movflags', '+faststart', '-f', 'mp4']),
    file
  ]
  const exit = await runProcess(run.tools.ffmpegPath, args, { timeoutMs: run.timeoutMs, maxStdoutBytes: 1024 * 1024, ...(run.signal ? { signal: run.signal } : {}) })
    .catch((error: unknown) => { throw mediaErrorOf(error) })
  run.signal?.throwIfAborted()
  throwIfFfmpegStopped(run.tools, exit)
  if (exit.code !== 0) {
    throw new MediaError('not_media', `could not make the playback copy: the recording cannot be decoded (${firstComplaint(exit.stderr)}${describeExit(run.tools.ffmpegPath, exit)})`)
  }
  return checkCopy(format, file, probe, size, copyVideo, run)
}

/**
 * ffmpeg's first line about the file ("h264: Invalid NAL unit size"), followed by "; ": its
 * last line, which describeExit quotes, is often only how it gave up ("Error marking filters as
 * finished").
 */
function firstComplaint (stderr: string): string {
  const first = stderr.trim().split('\n')[0]?.replace(/^\[(\w+) @ 0x[0-9a-f]+\] /, '$1: ').trim().replace(/\.$/, '')
  const last = stderr.trim().split('\n').pop()?.trim()
  return first && first !== last ? `${first}; ` : ''
}

/** ffmpeg's video encoder: VP9 or H.264 at their fast settings, upright (ffmpeg's autorotate), scaled to `size`. */
function videoEncoder (format: PlaybackFormat, probe: MediaProbe, size: { width: number, height: number }, threads: number): string[] {
  const scale = size.width !== probe.displayWidth || size.height !== probe.displayHeight
    ? ['-vf', `scale=${size.width}:${size.height}:flags=bicubic`]
    : []
  const common = [...scale, '-pix_fmt', 'yuv420p', '-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_SECONDS})`]
  if (format === 'mp4') return [...common, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-profile:v', 'high', '-threads', String(threads)]
  // Constrained quality: crf 32 (SSIM ~0.98 on the fixtures), capped for noisy sources.
  const maxBitrate = Math.max(300_000, Math.round(VP9_MAX_BITRATE_720P * (size.width * size.height) / (1280 * 720)))
  return [...common, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1',
    '-crf', '32', '-b:v', String(maxBitrate), '-threads', String(threads)]
}

/** Mono stays mono; stereo and beyond become stereo (what a browser plays everywhere). */
function audioEncoder (format: PlaybackFormat): string[] {
  const channels = ['-af', 'aformat=channel_layouts=mono|stereo']
  return format === 'mp4'
    ? [...channels, '-c:a', 'aac', '-b:a', AAC_BITRATE]
    : [...channels, '-c:a', 'libopus', '-b:a', OPUS_BITRATE]
}

/**
 * Whether the source's VP9 can go into the WebM as it is: nothing to rotate or scale, 8-bit
 * 4:2:0 (profile 0, what every VP9 decoder plays) and keyframes close enough to seek to. One
 * ffprobe run over the video packets' flags, only for VP9 sources.
 */
async function canCopyVideo (probe: MediaProbe, size: { width: number, height: number }, run: RunSettings): Promise<boolean> {
  if (probe.videoCodec !== 'vp9' || probe.rotation !== 0) return false
  if (size.width !== probe.width || size.height !== probe.height) return false
  const { stdout, code } = await runProcess(run.tools.ffprobePath, ['-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=pix_fmt:packet=pts_time,flags', '-of', 'default=noprint_wrappers=1', run.input],
  { timeoutMs: run.timeoutMs, ...(run.signal ? { signal: run.signal } : {}) }).catch((error: unknown) => { throw mediaErrorOf(error) })
  if (code !== 0) return false
  let pixelFormat = ''
  let time = NaN
  const keyframes: number[] = []
  for (const line of stdout.split('\n')) {
    const [name, value = ''] = line.split('=', 2)
    if (name === 'pix_fmt') pixelFormat = value
    else if (name === 'pts_time') time = Number(value)
    else if (name === 'flags' && value.startsWith('K') && Number.isFinite(time)) keyframes.push(time)
  }
  if (pixelFormat !== 'yuv420p' || keyframes.length === 0) return false
  keyframes.sort((a, b) => a - b)
  // The span after the last keyframe counts too: a seek near the end decodes from it.
  const edges = [...keyframes, keyframes[0]! + Math.max(probe.durationS, 0)]
  return edges.every((t, i) => i === 0 || t - edges[i - 1]! <= MAX_COPIED_KEYFRAME_GAP_S)
}

/**
 * The copy as ffprobe reads it: the expected codecs, upright at the planned size, and a
 * duration that covers the recording. A copy that ends well before the recording's stated
 * duration means the frames stop there (a truncated upload), the same rule as the frame stream's.
 */
async function checkCopy (format: PlaybackFormat, file: string, source: MediaProbe, size: { width: number, height: number }, videoCopied: boolean, run: RunSettings): Promise<PlaybackCopy> {
  const copy = await probeVideo(file, run.tools, { timeoutMs: run.timeoutMs, ...(run.signal ? { signal: run.signal } : {}) })
    .catch((error: unknown) => {
      if (error instanceof MediaError && error.code !== 'timeout' && error.code !== 'tool_failed') {
        throw new MediaError('not_media', `could not make the playback copy: no frame of the recording could be decoded (${error.message})`)
      }
      throw error
    })
  const videoCodec = format === 'webm' ? 'vp9' : 'h264'
  const audioCodec = format === 'webm' ? 'opus' : 'aac'
  if (copy.videoCodec !== videoCodec || (source.hasAudio && copy.audioCodec !== audioCodec) || copy.rotation !== 0 ||
      copy.width !== size.width || copy.height !== size.height) {
    throw new MediaError('tool_failed', `the playback copy came out as ${copy.videoCodec}/${copy.audioCodec ?? 'no audio'} ${copy.width}x${copy.height} rotated ${copy.rotation}, not ${videoCodec}/${source.hasAudio ? audioCodec : 'no audio'} ${size.width}x${size.height} upright`)
  }
  const durationS = copy.mediaDurationS
  if (source.durationS > 0 && durationS < source.durationS * 0.9 && source.durationS - durationS > 0.5) {
    throw new MediaError('truncated', `damaged or truncated video: the playback copy ends at ${durationS.toFixed(1)} s of the declared ${source.durationS.toFixed(1)} s`)
  }
  return {
    format,
    file,
    contentType: format === 'webm' ? 'video/webm' : 'video/mp4',
    codecs: copy.audioCodec ? [copy.videoCodec, copy.audioCodec] : [copy.videoCodec],
    durationS,
    width: copy.width,
    height: copy.height,
    bytes: copy.sizeBytes,
    videoCopied
  }
}
