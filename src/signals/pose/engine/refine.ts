/**
 * MediaPipe's RefineLandmarksFromHeatmap for the pose landmark model: each landmark moves to the
 * confidence-weighted mean position of the heatmap cells in a 7x7 window around it, when the
 * window's best confidence (sigmoid of the heatmap) reaches 0.5. Coordinates are normalised to
 * the crop; the heatmap is HWC with one channel a landmark.
 */
export interface HeatmapRefineOptions { kernel: number, minConfidence: number }
export const HEATMAP_REFINE: HeatmapRefineOptions = { kernel: 7, minConfidence: 0.5 }

/** Refines `points` ([x, y] pairs, crop-normalised) in place. */
export function refineFromHeatmap (points: Float32Array, heatmap: Float32Array, size: number, channels: number, options = HEATMAP_REFINE): Float32Array {
  const offset = (options.kernel - 1) / 2
  for (let i = 0; i < channels; i++) {
    // Truncation toward zero, as the original's int conversion.
    const col = Math.trunc(points[i * 2]! * size)
    const row = Math.trunc(points[i * 2 + 1]! * size)
    if (col < 0 || col >= size || row < 0 || row >= size) continue
    let sum = 0, max = 0, wx = 0, wy = 0
    for (let r = Math.max(0, row - offset); r < Math.min(size, row + offset + 1); r++) {
      for (let c = Math.max(0, col - offset); c < Math.min(size, col + offset + 1); c++) {
        const confidence = 1 / (1 + Math.exp(-heatmap[(r * size + c) * channels + i]!))
        sum += confidence
        if (confidence > max) max = confidence
        wx += c * confidence
        wy += r * confidence
      }
    }
    if (max >= options.minConfidence && sum > 0) {
      points[i * 2] = wx / size / sum
      points[i * 2 + 1] = wy / size / sum
    }
  }
  return points
}
