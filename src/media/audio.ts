/**
 * The audio track of a video (or an audio file) through ffmpeg, spawned: 16 kHz mono float32
 * PCM streamed in chunks with back-pressure, so memory stays flat whatever the length (an hour
 * is 230 MB of samples); and the same audio written to a small file for a speech-to-text upload.
 */
import fs from 'node:fs/promises'
import { MediaError, mediaErrorOf, throwIfFfmpegStopped, type AudioInfo, type ToolPaths } from './ffprobe.js'
import { runProcess, startProcess, describeExit } from './process-runner.js'

export type { AudioInfo } from './ffprobe.js'

/** What the voice analysis and speech-to-text models expect: 16 kHz, one channel. */
export const AUDIO_SAMPLE_RATE = 16_000

interface AudioProbe {
  streams?: Array<{ codec_name?: string, duration?: string }>
  format?: { duration?: string }
}

/**
 * Whether the file has an audio stream, with ffprobe. Unlike probeVideo this accepts audio-only
 * files (a WAV has no video stream but is a fine input here). In an analysis, the job's
 * probeVideo already answered this (MediaProbe.audio): pass that along instead.
 */
export async function probeAudio (file: string, paths: ToolPaths, timeoutMs = 30_000, signal?: AbortSignal): Promise<AudioInfo> {
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new MediaError('file_not_found', `media file not found: ${file}`)
    throw error
  })
  if (stat.size === 0) throw new MediaError('empty_file', `not media: the file is empty (${file})`)
  const { stdout, stderr, code } = await runProcess(paths.ffprobePath, ['-v', 'error', '-select_streams', 'a:0',
    '-show_entries', 'stream=codec_name,duration:format=duration', '-print_format', 'json', file],
  { timeoutMs, ...(signal ? { signal } : {}), maxStdoutBytes: 1024 * 1024 }).catch((error: unknown) => { throw mediaErrorOf(error) })
  if (code !== 0) {
    const reason = stderr.trim().split('\n').pop()?.replace(`${file}: `, '') ?? 'unknown format'
    throw new MediaError('not_media', `not media: ffprobe cannot read it (${reason})`)
  }
  let probe: AudioProbe
  try {
    probe = JSON.parse(stdout) as AudioProbe
  } catch {
    throw new MediaError('tool_failed', 'ffprobe printed output that is not JSON')
  }
  const stream = probe.streams?.[0]
  if (!stream) return { hasAudio: false, durationS: 0, codec: null }
  return {
    hasAudio: true,
    durationS: Number(stream.duration) || Number(probe.format?.duration) || 0,
    codec: stream.codec_name ?? null
  }
}

/** The first audio stream, downmixed and resampled by ffmpeg, as raw little-endian float32. */
function pcmArguments (file: string): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-i', file,
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(AUDIO_SAMPLE_RATE), '-f', 'f32le', 'pipe:1']
}

/**
 * Yields the samples in chunks as ffmpeg produces them (pipe-sized, up to ~1 s each). Reading
 * the pipe only as fast as the consumer asks is the back-pressure: ffmpeg blocks on a full pipe.
 * A file without an audio stream fails here: check probeAudio first. An aborted `signal` kills
 * ffmpeg and the stream throws the signal's reason.
 */
export async function * streamAudio (file: string, paths: ToolPaths, signal?: AbortSignal): AsyncGenerator<Float32Array> {
  const { child, stderrTail, exited, kill } = startProcess(paths.ffmpegPath, pcmArguments(file), signal ? { signal } : {})
  exited.catch(() => {}) // awaited after the samples
  // A chunk may end inside a 4-byte sample: the partial bytes wait for the next chunk.
  let carry: Buffer = Buffer.alloc(0)
  try {
    for await (const data of child.stdout as AsyncIterable<Buffer>) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, data]) : data
      const whole = bytes.length - (bytes.length % 4)
      carry = Buffer.from(bytes.subarray(whole))
      if (whole === 0) continue
      // Copied into an aligned buffer of its own: a Buffer may start at any byte offset.
      const samples = new Float32Array(whole / 4)
      new Uint8Array(samples.buffer).set(bytes.subarray(0, whole))
      yield samples
    }
    const exit = await exited.catch((error: unknown) => { throw mediaErrorOf(error) })
    signal?.throwIfAborted()
    throwIfFfmpegStopped(paths, exit)
    if (exit.code !== 0) throw new MediaError('not_media', `the audio could not be decoded (${describeExit(paths.ffmpegPath, { ...exit, stderr: stderrTail() })})`)
  } finally {
    kill()
  }
}

export type UploadFormat = 'wav' | 'ogg'

/**
 * Speech-to-text services take files up to 25 MB (OpenAI's limit). 16-bit PCM WAV at 16 kHz
 * (32 kB/s) is what every server decodes: used up to 10 minutes (19 MB, a margin under the
 * limit); longer audio goes as Opus in Ogg at 24 kb/s (3 kB/s: 25 MB is over 2 hours), which
 * keeps speech fully intelligible for recognition.
 */
export const WAV_MAX_SECONDS = 10 * 60

export function uploadFormat (durationS: number): UploadFormat {
  return durationS <= WAV_MAX_SECONDS ? 'wav' : 'ogg'
}

/** Writes the first audio stream as 16 kHz mono WAV or Opus/Ogg to `out`. */
export async function writeSpeechFile (file: string, out: string, format: UploadFormat, paths: ToolPaths, timeoutMs = 600_000, signal?: AbortSignal): Promise<void> {
  const codec = format === 'wav' ? ['-c:a', 'pcm_s16le', '-f', 'wav'] : ['-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-f', 'ogg']
  const exit = await runProcess(paths.ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', file,
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(AUDIO_SAMPLE_RATE), ...codec, out],
  { timeoutMs, ...(signal ? { signal } : {}), maxStdoutBytes: 1024 * 1024 }).catch((error: unknown) => { throw mediaErrorOf(error) })
  if (exit.code !== 0) throw new MediaError('tool_failed', `could not extract the audio (${describeExit(paths.ffmpegPath, exit)})`)
}
