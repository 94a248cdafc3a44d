/**
 * Pixel operations shared by every model: one bilinear affine warp from an RGB image into a
 * model's input tensor. Crops, rotations, letterboxing and face alignment are all an affine
 * map from output pixel to source pixel, so each model only says which map and how to
 * normalise.
 */
import type { RgbImage } from '../media/frames.js'

export type { RgbImage }

/** Row-major 2x3 affine matrix [a, b, c, d, e, f]: (x, y) -> (a x + b y + c, d x + e y + f). */
export type Affine = [number, number, number, number, number, number]

export interface TensorLayout {
  width: number
  height: number
  /** 'nchw' planar (most ONNX models) or 'nhwc' interleaved. */
  layout: 'nchw' | 'nhwc'
  /** Channel order written to the tensor. */
  channels: 'rgb' | 'bgr'
  /** Maps a 0..255 sample of channel c (in the tensor's order) to the model's value. */
  mean: [number, number, number]
  std: [number, number, number]
  /**
   * Samples outside the image: 'zero' (default, black) or 'replicate' (the nearest edge pixel,
   * MediaPipe's default for ROI crops such as the pose landmark model's).
   */
  border?: 'zero' | 'replicate'
  /**
   * How tensor pixels meet the source. 'centre' (default): the map takes tensor pixel centres
   * to source coordinates, pixel edges at integers on both sides. 'opencv': MediaPipe's CPU
   * ImageToTensor (OpenCV's warpPerspective, INTER_LINEAR, on the 8-bit image): the map's
   * corners go to the tensor's corners but integer coordinates are pixel centres on both
   * sides, so tensor pixel (i, j) samples source (a i + b j + c, d i + e j + f), half a tensor
   * pixel off 'centre'; positions are rounded to 1/32 pixel and samples to whole 0..255
   * values, as OpenCV's fixed-point bilinear does. The BlazePose models on a small person
   * move by a few per cent of the torso with that half pixel.
   */
  sampling?: 'centre' | 'opencv'
}

/**
 * Fills `out` (length 3*width*height) with the image sampled through `outputToSource`, which
 * maps tensor coordinates to source coordinates (see `sampling`). Samples outside the image are black (0
 * before normalisation), as MediaPipe's and OpenCV's crops pad.
 */
export function warpToTensor (image: RgbImage, outputToSource: Affine, spec: TensorLayout, out = new Float32Array(3 * spec.width * spec.height)): Float32Array {
  const { width: w, height: h } = spec
  const [a, b, c, d, e, f] = outputToSource
  const src = image.data
  const sw = image.width
  const sh = image.height
  const plane = w * h
  const swap = spec.channels === 'bgr'
  const m0 = spec.mean[0], m1 = spec.mean[1], m2 = spec.mean[2]
  const s0 = 1 / spec.std[0], s1 = 1 / spec.std[1], s2 = 1 / spec.std[2]
  const planar = spec.layout === 'nchw'
  const replicate = spec.border === 'replicate'
  const opencv = spec.sampling === 'opencv'
  for (let y = 0; y < h; y++) {
    // 'centre': output (x + 0.5, y + 0.5) maps to source coordinates, less 0.5 to index pixel
    // centres; 'opencv': output (x, y) maps straight to source pixel-centre coordinates.
    let sx = opencv ? b * y + c : a * 0.5 + b * (y + 0.5) + c - 0.5
    let sy = opencv ? e * y + f : d * 0.5 + e * (y + 0.5) + f - 0.5
    for (let x = 0; x < w; x++, sx += a, sy += d) {
      let r = 0, g = 0, bl = 0
      const px = opencv ? Math.round(sx * 32) / 32 : sx
      const py = opencv ? Math.round(sy * 32) / 32 : sy
      const x0 = Math.floor(px)
      const y0 = Math.floor(py)
      if (x0 >= 0 && y0 >= 0 && x0 < sw - 1 && y0 < sh - 1) {
        // Inside the image (nearly every sample of a face crop): no bounds checks.
        const fx = px - x0
        const fy = py - y0
        const i = (y0 * sw + x0) * 3
        const j = i + sw * 3
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
        r = src[i]! * w00 + src[i + 3]! * w10 + src[j]! * w01 + src[j + 3]! * w11
        g = src[i + 1]! * w00 + src[i + 4]! * w10 + src[j + 1]! * w01 + src[j + 4]! * w11
        bl = src[i + 2]! * w00 + src[i + 5]! * w10 + src[j + 2]! * w01 + src[j + 5]! * w11
      } else if (replicate) {
        const fx = px - x0
        const fy = py - y0
        const xa = Math.min(Math.max(x0, 0), sw - 1), xb = Math.min(Math.max(x0 + 1, 0), sw - 1)
        const ya = Math.min(Math.max(y0, 0), sh - 1) * sw, yb = Math.min(Math.max(y0 + 1, 0), sh - 1) * sw
        const i00 = (ya + xa) * 3, i10 = (ya + xb) * 3, i01 = (yb + xa) * 3, i11 = (yb + xb) * 3
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
        r = src[i00]! * w00 + src[i10]! * w10 + src[i01]! * w01 + src[i11]! * w11
        g = src[i00 + 1]! * w00 + src[i10 + 1]! * w10 + src[i01 + 1]! * w01 + src[i11 + 1]! * w11
        bl = src[i00 + 2]! * w00 + src[i10 + 2]! * w10 + src[i01 + 2]! * w01 + src[i11 + 2]! * w11
      } else if (x0 >= -1 && y0 >= -1 && x0 < sw && y0 < sh) {
        const fx = px - x0
        const fy = py - y0
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
        const inX0 = x0 >= 0, inX1 = x0 + 1 < sw, inY0 = y0 >= 0, inY1 = y0 + 1 < sh
        if (inY0) {
          const row = y0 * sw
          if (inX0) { const i = (row + x0) * 3; r += src[i]! * w00; g += src[i + 1]! * w00; bl += src[i + 2]! * w00 }
          if (inX1) { const i = (row + x0 + 1) * 3; r += src[i]! * w10; g += src[i + 1]! * w10; bl += src[i + 2]! * w10 }
        }
        if (inY1) {
          const row = (y0 + 1) * sw
          if (inX0) { const i = (row + x0) * 3; r += src[i]! * w01; g += src[i + 1]! * w01; bl += src[i + 2]! * w01 }
          if (inX1) { const i = (row + x0 + 1) * 3; r += src[i]! * w11; g += src[i + 1]! * w11; bl += src[i + 2]! * w11 }
        }
      }
      if (opencv) {
        r = Math.round(r)
        g = Math.round(g)
        bl = Math.round(bl)
      }
      const c0 = swap ? bl : r
      const c2 = swap ? r : bl
      const p = y * w + x
      if (planar) {
        out[p] = (c0 - m0) * s0
        out[plane + p] = (g - m1) * s1
        out[2 * plane + p] = (c2 - m2) * s2
      } else {
        out[p * 3] = (c0 - m0) * s0
        out[p * 3 + 1] = (g - m1) * s1
        out[p * 3 + 2] = (c2 - m2) * s2
      }
    }
  }
  return out
}

/** The map that scales a w x h output onto the source rectangle (x, y, width, height). */
export function rectToAffine (rect: { x: number, y: number, width: number, height: number }, outWidth: number, outHeight: number): Affine {
  return [rect.width / outWidth, 0, rect.x, 0, rect.height / outHeight, rect.y]
}

/**
 * The map from an output square of `size` pixels onto a rotated square region of the
 * source: centre (cx, cy), side length `side`, rotated by `rotation` radians (positive turns
 * the region clockwise on screen, as MediaPipe's NormalizedRect.rotation).
 */
export function rotatedSquareToAffine (cx: number, cy: number, side: number, rotation: number, size: number): Affine {
  const s = side / size
  const cos = Math.cos(rotation) * s
  const sin = Math.sin(rotation) * s
  const h = size / 2
  // source = centre + R * (output - h) * s
  return [cos, -sin, cx - cos * h + sin * h, sin, cos, cy - sin * h - cos * h]
}

/** Applies an affine map to a point. */
export function applyAffine (m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]]
}

/** Inverse of an affine map. */
export function invertAffine (m: Affine): Affine {
  const [a, b, c, d, e, f] = m
  const det = a * e - b * d
  if (Math.abs(det) < 1e-12) throw new Error('affine map is not invertible')
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)]
}
