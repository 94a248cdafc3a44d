/**
 * warpToTensor against a plain per-sample reference (bilinear, borders as specified, OpenCV's
 * rounding when asked), for random crops inside, across and outside the image, in every
 * layout, channel order and sampling: a faster warp must give exactly these values.
 */
import t from 'tap'
import fc from 'fast-check'
import { warpToTensor, rotatedSquareToAffine, applyAffine, type RgbImage, type TensorLayout } from '../../src/engine/image.js'

function referenceSample (image: RgbImage, x: number, y: number, spec: TensorLayout): [number, number, number] {
  const opencv = spec.sampling === 'opencv'
  const px = opencv ? Math.round(x * 32) / 32 : x
  const py = opencv ? Math.round(y * 32) / 32 : y
  const x0 = Math.floor(px)
  const y0 = Math.floor(py)
  const fx = px - x0
  const fy = py - y0
  const pixel = (xi: number, yi: number, c: number): number => {
    if (spec.border === 'replicate') {
      xi = Math.min(Math.max(xi, 0), image.width - 1)
      yi = Math.min(Math.max(yi, 0), image.height - 1)
    } else if (xi < 0 || yi < 0 || xi >= image.width || yi >= image.height) {
      return 0
    }
    return image.data[(yi * image.width + xi) * 3 + c]!
  }
  const rgb = [0, 1, 2].map((c) => {
    const v = pixel(x0, y0, c) * (1 - fx) * (1 - fy) + pixel(x0 + 1, y0, c) * fx * (1 - fy) + pixel(x0, y0 + 1, c) * (1 - fx) * fy + pixel(x0 + 1, y0 + 1, c) * fx * fy
    return opencv ? Math.round(v) : v
  }) as [number, number, number]
  return spec.channels === 'bgr' ? [rgb[2], rgb[1], rgb[0]] : rgb
}

function reference (image: RgbImage, map: ReturnType<typeof rotatedSquareToAffine>, spec: TensorLayout): Float32Array {
  const out = new Float32Array(3 * spec.width * spec.height)
  const plane = spec.width * spec.height
  for (let j = 0; j < spec.height; j++) {
    for (let i = 0; i < spec.width; i++) {
      const [x, y] = spec.sampling === 'opencv' ? applyAffine(map, i, j) : applyAffine(map, i + 0.5, j + 0.5).map((v) => v - 0.5) as [number, number]
      const sample = referenceSample(image, x, y, spec)
      for (let c = 0; c < 3; c++) {
        const value = (sample[c]! - spec.mean[c]!) / spec.std[c]!
        out[spec.layout === 'nchw' ? c * plane + j * spec.width + i : (j * spec.width + i) * 3 + c] = value
      }
    }
  }
  return out
}

const between = (min: number, max: number) => fc.integer({ min: 0, max: 10_000 }).map((k) => min + ((max - min) * k) / 10_000)

const image: RgbImage = { width: 37, height: 29, data: Uint8Array.from({ length: 37 * 29 * 3 }, (_, i) => (i * 7919) % 256) }

t.test('every layout, channel order, border and sampling, on crops inside, across and outside the image', async (t) => {
  fc.assert(fc.property(
    fc.record({
      // Uniform over the range (fc.double favours values near 0, which would put most crops at a corner).
      cx: between(-10, 47),
      cy: between(-10, 39),
      side: between(2, 60),
      rotation: between(-Math.PI, Math.PI),
      layout: fc.constantFrom('nchw' as const, 'nhwc' as const),
      channels: fc.constantFrom('rgb' as const, 'bgr' as const),
      border: fc.constantFrom('zero' as const, 'replicate' as const),
      sampling: fc.constantFrom('centre' as const, 'opencv' as const)
    }),
    ({ cx, cy, side, rotation, ...options }) => {
      const spec: TensorLayout = { width: 12, height: 12, mean: [10, 20, 30], std: [2, 3, 4], ...options }
      const map = rotatedSquareToAffine(cx, cy, side, rotation, 12)
      const fast = warpToTensor(image, map, spec)
      const expected = reference(image, map, spec)
      for (let k = 0; k < fast.length; k++) {
        if (Math.abs(fast[k]! - expected[k]!) > 1e-4) throw new Error(`value ${k}: ${fast[k]} against ${expected[k]}`)
      }
    }
  ), { numRuns: 400 })
  t.pass('400 random crops match the reference')
})
