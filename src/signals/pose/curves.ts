/**
 * The pose module's curve for the timeline overview, one point per second of video (`t` the
 * start of the second):
 *
 *   movement  how far the body moved in the second: the distance between the shoulder
 *             midpoint's mean position in this second and in the one before, in torsos (the
 *             pose metrics' unit, metrics/visibility.ts). 0 sitting still; 0.1 a shift in the
 *             chair; clamped at MOVEMENT_MAX_TORSOS (1, walking). Null when the shoulders were
 *             not seen in either second, for the first second, and for every second when no
 *             torso length was measured. Averaging a second's positions keeps landmark jitter
 *             (a few pixels frame to frame) from reading as movement.
 *
 * Pure and computed from the frames as stored (codec.ts keeps landmarks to 1/4000 of the frame),
 * with the frame aspect the metrics keep.
 */
import type { TimelineCurve } from '../contract.js'
import type { PoseFrame } from './types.js'
import type { PoseMetrics } from './metrics/index.js'
import { prepareSeries } from './metrics/visibility.js'
import { distance, shoulderMid, type Point } from './metrics/geometry.js'

export const MOVEMENT_MAX_TORSOS = 1

export function poseCurves (frames: readonly PoseFrame[], metrics: Pick<PoseMetrics, 'durationS' | 'frameAspect'>): TimelineCurve[] {
  const series = prepareSeries(frames, metrics.frameAspect, metrics.durationS, null)
  const seconds = Math.max(0, Math.ceil(series.durationMs / 1000))
  const sums = Array.from({ length: seconds }, () => ({ x: 0, y: 0, n: 0 }))
  for (const b of series.bodies) {
    if (!b?.shoulders) continue
    const k = Math.floor(b.t / 1000)
    if (k < 0 || k >= seconds) continue
    const at = shoulderMid(b)
    sums[k]!.x += at.x
    sums[k]!.y += at.y
    sums[k]!.n++
  }
  const means: Array<Point | null> = sums.map((s) => (s.n ? { x: s.x / s.n, y: s.y / s.n } : null))
  const torso = series.torso
  const points = means.map((at, k) => {
    const before = k > 0 ? means[k - 1] : null
    const v = at && before && torso ? Math.min(MOVEMENT_MAX_TORSOS, Math.round(distance(at, before) / torso * 1000) / 1000) : null
    return { t: k * 1000, v }
  })
  return [{ name: 'movement', label: 'Body movement', unit: 'torsos/s', min: 0, max: MOVEMENT_MAX_TORSOS, points }]
}
