/**
 * SSD anchor centres as MediaPipe's SsdAnchorsCalculator lays them out for its BlazePose and
 * BlazeFace detectors (fixed anchor size, so only the centres matter): one grid per distinct stride, consecutive
 * layers with the same stride sharing a grid, `perLayer` anchors per cell per layer.
 */
export interface AnchorOptions {
  inputSize: number
  strides: readonly number[]
  /** Anchors each layer puts on a cell: one per aspect ratio plus the interpolated-scale one. */
  perLayer: number
  offset: number
}

/** Anchor centres, normalised to the input: [x0, y0, x1, y1, ...] in the model's output order. */
export function ssdAnchors (options: AnchorOptions): Float32Array {
  const { inputSize, strides, perLayer, offset } = options
  const centres: number[] = []
  let layer = 0
  while (layer < strides.length) {
    const stride = strides[layer]!
    let last = layer
    while (last < strides.length && strides[last] === stride) last++
    const perCell = (last - layer) * perLayer
    const cells = Math.ceil(inputSize / stride)
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) centres.push((x + offset) / cells, (y + offset) / cells)
      }
    }
    layer = last
  }
  return Float32Array.from(centres)
}
