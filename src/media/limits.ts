/**
 * What a file may ask of the decoder, judged from the probe before a single frame is decoded:
 * a tiny file can declare 16384x16384 frames, 1000 fps or ten hours of 1x1 frames, and each
 * would tie up a worker for nothing. Pure: the job, the API's early remote probe and the
 * engine all apply the same rules with the same messages.
 */
import { formatBytes, formatDuration } from '../format.js'
import type { ProbedVideo } from './ffprobe.js'

export interface MediaLimits {
  maxVideoBytes: number
  maxVideoSeconds: number
  /** Pixels per frame (width x height). */
  maxVideoPixels: number
  maxVideoFps: number
  /** Frames in the whole video (duration x frame rate, or as declared or counted). */
  maxVideoFrames: number
  /** Streams of every kind in the file. */
  maxMediaStreams: number
}

export type MediaLimitCode = 'file_too_large' | 'video_too_long' | 'resolution_too_high' | 'frame_rate_too_high' | 'too_many_streams' | 'too_many_frames'

/** The file is beyond a limit: no retry can change that. */
export class MediaLimitError extends Error {
  constructor (readonly code: MediaLimitCode, message: string) {
    super(message)
    this.name = 'MediaLimitError'
  }
}

export type LimitedFacts = Pick<ProbedVideo, 'sizeBytes' | 'durationS' | 'mediaDurationS' | 'width' | 'height' | 'averageFps' | 'streamCount'>

/**
 * Throws MediaLimitError for the first limit the file exceeds. Checked in this order so that
 * each hostile shape gets the reason that describes it: ten hours of 1x1 frames is too long,
 * 1000 fps is too fast, and only a legal length at a legal rate can have too many frames.
 * Without a stated average rate, rate and frames wait for checkCountedFrames.
 */
export function checkMediaLimits (video: LimitedFacts, limits: MediaLimits): void {
  if (video.sizeBytes > limits.maxVideoBytes) {
    throw new MediaLimitError('file_too_large', `video too large: ${formatBytes(video.sizeBytes)} > ${formatBytes(limits.maxVideoBytes)} limit`)
  }
  // Whatever plays longest (an audio track can outlast the video) is what would be decoded.
  const durationS = Math.max(video.durationS, video.mediaDurationS)
  if (durationS > limits.maxVideoSeconds) {
    throw new MediaLimitError('video_too_long', `video too long: ${formatDuration(durationS)} > ${formatDuration(limits.maxVideoSeconds)} limit`)
  }
  const pixels = video.width * video.height
  if (pixels > limits.maxVideoPixels) {
    throw new MediaLimitError('resolution_too_high', `resolution too high: ${video.width}x${video.height} = ${megapixels(pixels)} > ${megapixels(limits.maxVideoPixels)} limit`)
  }
  const fps = video.averageFps ?? 0
  if (fps > limits.maxVideoFps) {
    throw new MediaLimitError('frame_rate_too_high', `frame rate too high: ${formatRate(fps)} fps > ${formatRate(limits.maxVideoFps)} fps limit`)
  }
  if (video.streamCount > limits.maxMediaStreams) {
    throw new MediaLimitError('too_many_streams', `too many streams: ${video.streamCount} > ${limits.maxMediaStreams} limit`)
  }
  const frames = Math.round(video.durationS * fps)
  if (frames > limits.maxVideoFrames) {
    throw new MediaLimitError('too_many_frames', `too many frames: ${frames} (${formatDuration(video.durationS)} at ${formatRate(fps)} fps) > ${limits.maxVideoFrames} limit`)
  }
}

/**
 * The frames actually in the file, counted from its packets without decoding (`spanS` from the
 * first to the last): a header can declare 30 fps over packets that come 1000 a second, or
 * 1.5 s over packets that span hours (resampled to a fixed rate, every second of the span
 * would be decoded and analysed).
 */
export function checkCountedFrames (counted: number, spanS: number, limits: Pick<MediaLimits, 'maxVideoFrames' | 'maxVideoFps' | 'maxVideoSeconds'>): void {
  if (counted > limits.maxVideoFrames) {
    throw new MediaLimitError('too_many_frames', `too many frames: ${counted} in the file > ${limits.maxVideoFrames} limit`)
  }
  if (spanS > limits.maxVideoSeconds) {
    throw new MediaLimitError('video_too_long', `video too long: its frames span ${formatDuration(spanS)} > ${formatDuration(limits.maxVideoSeconds)} limit (more than the file's header says)`)
  }
  // Over at least a second, so that a clip of a few frames is not judged by one short gap.
  const fps = (counted - 1) / spanS
  if (spanS >= 1 && fps > limits.maxVideoFps) {
    throw new MediaLimitError('frame_rate_too_high', `frame rate too high: ${formatRate(fps)} fps counted in the file > ${formatRate(limits.maxVideoFps)} fps limit`)
  }
}

/** A decoder met frames larger than the header said (frames.ts stops it with ffmpeg's -max_pixels). */
export function oversizedFrameError (width: number, height: number, maxPixels: number): MediaLimitError {
  return new MediaLimitError('resolution_too_high',
    `resolution too high: frames decode at ${width}x${height} = ${megapixels(width * height)} > ${megapixels(maxPixels)} limit (more than the file's header says)`)
}

function megapixels (pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} MP`
}

/** 1000, 29.97, 23.976: at most three decimals, none when whole. */
function formatRate (fps: number): string {
  return String(Math.round(fps * 1000) / 1000)
}
