/**
 * Recordings as phones and browsers make them, built from the fixtures with ffmpeg:
 * - a portrait phone MP4 (H.264 + AAC) stored on its side with a 90° display matrix, at a
 *   variable frame rate, with a white bar across the top of the upright picture (so a test can
 *   tell upright from upside down);
 * - a MediaRecorder-style WebM (VP8 or VP9 + Opus, variable frame rate, written as a stream:
 *   no duration in its header and no Cues), and the same without audio.
 * Each maker checks with ffprobe that the file really is what it claims, so a different ffmpeg
 * fails here rather than making a test pass on an ordinary file.
 */
import path from 'node:path'
import fs from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fixtures } from './environment.js'

/** The face fixture the recordings are cut from (640x360, 23.976 fps, H.264 + AAC). */
const SOURCE = 'video/sad_to_happy_pexels.mp4'

/** One frame time of the fixture (23.976 fps), seconds. */
export const SOURCE_FRAME_S = 1001 / 24000

/** Drops frames 2 of every 5 and 3 of every 7: gaps of 1, 2 and 3 frame times, irregularly. */
const IRREGULAR_FRAMES = "select='not(eq(mod(n\\,5)\\,2))*not(eq(mod(n\\,7)\\,3))'"

/** Rows of the white bar across the top of the upright phone picture. */
export const PHONE_BAR_ROWS = 48

export interface MadeVideo {
  file: string
  /** What a viewer sees (after rotation). */
  uprightWidth: number
  uprightHeight: number
  /** The longest stream or the container's duration, seconds. */
  durationS: number
  /** Presentation times of the video frames, seconds from the first, sorted. */
  frameTimesS: number[]
  hasAudio: boolean
}

function ffmpeg (args: string[], output?: string): void {
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { maxBuffer: 256 * 1024 * 1024 })
  if (made.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${String(made.stderr)}`)
  if (output !== undefined) fs.writeFileSync(output, made.stdout)
}

function ffprobe (args: string[]): string {
  const run = spawnSync('ffprobe', ['-v', 'error', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (run.status !== 0) throw new Error(`ffprobe ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

/** The first video stream's frame times (seconds from its first frame, sorted), from its packets. */
export function videoFrameTimes (file: string): number[] {
  const times = ffprobe(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file])
    .split('\n').filter(Boolean).map(Number).sort((a, b) => a - b)
  return times.map((t) => t - times[0]!)
}

interface StreamFacts { codec_type: string, codec_name: string, width?: number, height?: number, side_data_list?: Array<{ rotation?: number }> }

function facts (file: string): { streams: StreamFacts[], durationS: number } {
  const probe = JSON.parse(ffprobe(['-show_entries', 'stream=codec_type,codec_name,width,height,duration:stream_side_data=rotation:format=duration', '-of', 'json', file])) as
    { streams: Array<StreamFacts & { duration?: string }>, format: { duration?: string } }
  const durations = [probe.format.duration, ...probe.streams.map((s) => s.duration)].map(Number).filter(Number.isFinite)
  return { streams: probe.streams, durationS: Math.max(0, ...durations) }
}

/** Fails unless consecutive frame gaps take at least two clearly different values. */
function assertVariableRate (file: string, times: number[]): void {
  const gaps = new Set(times.slice(1).map((t, i) => Math.round((t - times[i]!) * 1000)))
  if (gaps.size < 2) throw new Error(`${file} has a constant frame rate (gaps ${[...gaps].join(', ')} ms): the select filter did not drop frames`)
}

/**
 * A portrait phone recording of `seconds` (at most the fixture's 19.7 s): the upright picture is
 * 360x640 (a face, white bar across the top), stored as 640x360 turned a quarter counter-clockwise
 * with a display matrix that turns it back clockwise (rotation -90 in ffprobe's side data, as an
 * iPhone writes), H.264 + AAC, variable frame rate.
 */
export function phoneVideo (dir: string, seconds = 6): MadeVideo {
  const sideways = path.join(dir, `phone-sideways-${seconds}s.mp4`)
  const file = path.join(dir, `phone-portrait-${seconds}s.mp4`)
  ffmpeg(['-t', String(seconds), '-i', path.join(fixtures, SOURCE),
    '-vf', `crop=202:360:300:0,scale=360:640,drawbox=x=0:y=0:w=iw:h=${PHONE_BAR_ROWS}:color=white:t=fill,transpose=cclock,${IRREGULAR_FRAMES}`,
    '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-c:a', 'aac', '-b:a', '96k', sideways])
  // ffmpeg 5.1 writes the old "rotate" tag as a display matrix when stream-copying into MP4;
  // its 270 comes out as ffprobe's -90 (a quarter turn clockwise to show it), checked below.
  ffmpeg(['-i', sideways, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', file])
  fs.rmSync(sideways)
  const { streams, durationS } = facts(file)
  const video = streams.find((s) => s.codec_type === 'video')
  const rotation = video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation
  if (video?.width !== 640 || video.height !== 360 || rotation !== -90) {
    throw new Error(`${file} is ${video?.width}x${video?.height} with rotation ${rotation}, not 640x360 with a -90 display matrix`)
  }
  const frameTimesS = videoFrameTimes(file)
  assertVariableRate(file, frameTimesS)
  return { file, uprightWidth: 360, uprightHeight: 640, durationS, frameTimesS, hasAudio: true }
}

export interface BrowserRecordingOptions {
  codec?: 'vp8' | 'vp9'
  seconds?: number
  audio?: boolean
}

/**
 * A recording as a browser's MediaRecorder writes it: WebM, VP8 or VP9 + Opus (or no audio),
 * variable frame rate, written as a stream (piped), so the header states no duration and the
 * file has no Cues.
 */
export function browserRecording (dir: string, options: BrowserRecordingOptions = {}): MadeVideo {
  const { codec = 'vp9', seconds = 6, audio = true } = options
  const file = path.join(dir, `browser-${codec}${audio ? '' : '-silent'}-${seconds}s.webm`)
  const video = codec === 'vp8' ? ['-c:v', 'libvpx', '-b:v', '1M'] : ['-c:v', 'libvpx-vp9', '-b:v', '1M', '-row-mt', '1']
  ffmpeg(['-t', String(seconds), '-i', path.join(fixtures, SOURCE), '-vf', IRREGULAR_FRAMES, '-fps_mode', 'vfr',
    ...video, '-deadline', 'realtime', '-cpu-used', '8', '-g', '120',
    ...(audio ? ['-c:a', 'libopus'] : ['-an']), '-f', 'webm', 'pipe:1'], file)
  const made = facts(file)
  if (made.durationS !== 0) throw new Error(`${file} states a duration (${made.durationS} s): it was not written as a stream`)
  if (fs.readFileSync(file).includes(CUES_ID)) throw new Error(`${file} has Cues: it was not written as a stream`)
  const frameTimesS = videoFrameTimes(file)
  assertVariableRate(file, frameTimesS)
  // Without audio the recording ends with its last frame (one frame time after it starts).
  const durationS = audio ? seconds : frameTimesS[frameTimesS.length - 1]! + SOURCE_FRAME_S
  return { file, uprightWidth: 640, uprightHeight: 360, durationS, frameTimesS, hasAudio: audio }
}

/** The EBML ID of a Matroska Cues element (the seek index). */
export const CUES_ID = Buffer.from([0x1c, 0x53, 0xbb, 0x6b])
