/**
 * The key frames the vision model sees: checked (a readable image, a time inside the video, a
 * caption of bounded length), at most MAX_VISUAL_FRAMES spread over the video, downscaled and
 * re-encoded as JPEG data URLs. A frame that cannot be used is left out and said why; the
 * caller decides what to do when none is left.
 */
import sharp from 'sharp'
import { MAX_VISUAL_FRAMES } from './schema.js'
import { formatTimestamp } from './timestamps.js'

export interface KeyFrame {
  /** The annotated frame as JPEG (another format sharp reads is accepted and re-encoded). */
  jpeg: Buffer
  /** Its time in the video. */
  atMs: number
  /** What was measured there, e.g. "look_away at 0:12: gaze 25° right of the camera". */
  caption: string
}

export interface PreparedFrame {
  atMs: number
  /** mm:ss of atMs, as the notes may cite it. */
  label: string
  caption: string
  /** data:image/jpeg;base64,... of the downscaled frame. */
  dataUrl: string
  width: number
  height: number
}

/** The longest side sent: with `detail: low` the model sees at most 512x512 anyway. */
export const FRAME_MAX_SIDE = 512
export const MAX_CAPTION = 200
/** A larger input is not a key frame but a mistake; sharp is not asked to decode it. */
export const MAX_FRAME_BYTES = 10 * 1024 * 1024
/** Frames decoded at most (spread over the video), so a long list costs no more than this. */
const MAX_CANDIDATES = 24

/** `count` items of `items` spread evenly from the first to the last, in order. */
export function spread<T> (items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items]
  if (count === 1) return [items[Math.floor((items.length - 1) / 2)]!]
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]!)
}

function cleanCaption (caption: unknown): string {
  const flat = typeof caption === 'string' ? caption.replace(/\s+/g, ' ').trim() : ''
  if (!flat) return 'key frame'
  return flat.length > MAX_CAPTION ? `${flat.slice(0, MAX_CAPTION - 1)}…` : flat
}

async function encode (jpeg: Buffer): Promise<{ data: Buffer, width: number, height: number }> {
  const { data, info } = await sharp(jpeg, { failOn: 'error' })
    .rotate() // EXIF orientation, as a viewer would show it
    .resize({ width: FRAME_MAX_SIDE, height: FRAME_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

/**
 * The frames to send, in time order, and why each left-out one was left out ("00:12: not a
 * readable image (...)"). Frames beyond the first in the same second are redundant: a note
 * could not tell them apart by their mm:ss.
 */
export async function prepareFrames (frames: readonly KeyFrame[], durationS: number): Promise<{ frames: PreparedFrame[], skipped: string[] }> {
  const skipped: string[] = []
  const endMs = Math.ceil(durationS) * 1000
  const seconds = new Set<number>()
  const usable = frames
    .filter((frame, i) => {
      const at = Number.isFinite(frame?.atMs) ? formatTimestamp(frame.atMs) : `frame ${i + 1}`
      if (!Number.isFinite(frame?.atMs) || frame.atMs < 0 || frame.atMs > endMs) skipped.push(`${at}: its time (${String(frame?.atMs)} ms) is not inside the ${formatTimestamp(endMs)} video`)
      else if (!Buffer.isBuffer(frame.jpeg) || frame.jpeg.length === 0) skipped.push(`${at}: no image data`)
      else if (frame.jpeg.length > MAX_FRAME_BYTES) skipped.push(`${at}: the image is larger than ${MAX_FRAME_BYTES / 1024 / 1024} MB`)
      else return true
      return false
    })
    .sort((a, b) => a.atMs - b.atMs)
    .filter((frame) => {
      const second = Math.floor(frame.atMs / 1000)
      if (seconds.has(second)) return false
      seconds.add(second)
      return true
    })

  const decoded: PreparedFrame[] = []
  for (const frame of spread(usable, MAX_CANDIDATES)) {
    const label = formatTimestamp(frame.atMs)
    try {
      const { data, width, height } = await encode(frame.jpeg)
      decoded.push({ atMs: Math.floor(frame.atMs), label, caption: cleanCaption(frame.caption), dataUrl: `data:image/jpeg;base64,${data.toString('base64')}`, width, height })
    } catch (error) {
      skipped.push(`${label}: not a readable image (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`)
    }
  }
  return { frames: spread(decoded, MAX_VISUAL_FRAMES), skipped }
}
