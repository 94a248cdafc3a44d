/**
 * One live frame's JPEG to the packed RGB the engine analyses, at most the analysis width
 * (ANALYSIS_WIDTH), as the video path's ffmpeg delivers it. sharp decodes on libuv's thread
 * pool, off the event loop. The header is read first, so a frame too large is refused before
 * any pixel is allocated.
 */
import sharp, { type Metadata } from 'sharp'
import type { VideoFrame } from '../media/frames.js'
import { FrameError } from './protocol.js'

export async function decodeJpeg (jpeg: Buffer, options: { maxWidth: number, maxPixels: number, timeMs: number, index: number }): Promise<VideoFrame> {
  let meta: Metadata
  try {
    meta = await sharp(jpeg).metadata()
  } catch (error) {
    throw new FrameError('bad_frame', `frame could not be read as a JPEG: ${(error as Error).message}`)
  }
  if (meta.format !== 'jpeg') throw new FrameError('not_jpeg', `frame is ${meta.format ?? 'not an image'}, not a JPEG`)
  const { width, height } = meta
  if (!width || !height) throw new FrameError('bad_frame', 'frame has no size in its JPEG header')
  if (width * height > options.maxPixels) throw new FrameError('frame_too_large', `frame is ${width}x${height}, more than ${options.maxPixels} pixels (LIVE_MAX_FRAME_PIXELS)`)
  try {
    const { data, info } = await sharp(jpeg, { limitInputPixels: options.maxPixels, failOn: 'error' })
      .resize({ width: Math.min(width, options.maxWidth), withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`)
    // A fresh Uint8Array of its own (sharp's buffer is external memory, which cannot always be transferred).
    return { width: info.width, height: info.height, data: new Uint8Array(data), timeMs: options.timeMs, index: options.index }
  } catch (error) {
    throw new FrameError('bad_frame', `frame could not be decoded: ${(error as Error).message}`)
  }
}
