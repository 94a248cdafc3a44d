/**
 * An event's thumbnail: its key frame as a small JPEG for a timeline (about 320 px wide).
 */
import { checkRawImage, evenSide, fromRaw, JPEG_OPTIONS, type RawImage } from './raw-image.js'

/** JPEG `width` pixels wide (never wider than the frame), aspect kept. */
export async function thumbnailJpeg (image: RawImage, width = 320): Promise<Buffer> {
  checkRawImage(image, 'thumbnail frame')
  if (!(Number.isInteger(width) && width >= 16 && width <= 4096)) throw new RangeError(`thumbnail width must be a whole number of pixels from 16 to 4096, got ${width}`)
  const outWidth = Math.min(width, image.width)
  const outHeight = evenSide(image.height * outWidth / image.width)
  return fromRaw(image).resize(outWidth, outHeight, { fit: 'fill', kernel: 'lanczos3' }).jpeg(JPEG_OPTIONS).toBuffer()
}
