/**
 * The decoded picture the artifact images are made from: packed RGB, 3 bytes a pixel, rows top
 * to bottom (what ffmpeg's rgb24 gives and sharp's raw input takes).
 */
import sharp, { type JpegOptions, type Sharp } from 'sharp'

export interface RawImage {
  data: Buffer
  width: number
  height: number
  channels: 3
}

/** Throws a RangeError naming what is wrong when `image` is not a usable RawImage. */
export function checkRawImage (image: RawImage, what = 'image'): void {
  if (!image || typeof image !== 'object') throw new RangeError(`${what} is missing`)
  const { width, height, channels, data } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what} has an invalid size ${String(width)}x${String(height)}`)
  }
  if (channels !== 3) throw new RangeError(`${what} must be RGB (3 channels), not ${String(channels)}`)
  if (!Buffer.isBuffer(data) || data.length !== width * height * 3) {
    throw new RangeError(`${what}: ${Buffer.isBuffer(data) ? data.length : 'no'} bytes of pixels for ${width}x${height} RGB (${width * height * 3} expected)`)
  }
}

/** A sharp pipeline over the raw pixels. */
export function fromRaw (image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
}

/** Even, at least 2: JPEG encoders and video players like even sides. */
export function evenSide (n: number): number {
  return Math.max(2, Math.round(n / 2) * 2)
}

/** JPEG settings for every artifact picture: small files, no visible blocking at ~80. */
export const JPEG_OPTIONS: JpegOptions = { quality: 80, mozjpeg: true, chromaSubsampling: '4:2:0' }
