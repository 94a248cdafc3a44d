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
 *   posture   how upright the second was, 0..100: the body-language score's posture part
 *             (score.ts) over the second's frames: 100 - 60 x slouched share - 20 x side-lean
 *             share - 20 x tilted-shoulders share - 20 x turned-away share, each share of the
 *             frames where that part could be measured (posture.ts; slouch and side lean need the
 *             hips, so a head-and-shoulders framing is judged on tilt and facing alone). 100
 *             upright and square to the camera, 40 slouched throughout. Null when the shoulders
 *             were not seen in the second.
 *
 * Pure and computed from the frames as stored (codec.ts keeps landmarks to 1/4000 of the frame),
 * with the frame aspect the metrics keep.
 */
import type { TimelineCurve } from '../contract.js'
import type { PoseFrame } from './types.js'
import type { PoseMetrics } from './metrics/index.js'
import { prepareSeries } from './metrics/visibility.js'
import { distance, shoulderMid, type Point } from './metrics/geometry.js'
import { postureFrame } from './metrics/posture.js'
import { POSE_THRESHOLDS } from './thresholds.js'
import type { PoseSeries } from './metrics/visibility.js'

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
  return [
    { name: 'movement', label: 'Body movement', unit: 'torsos/s', min: 0, max: MOVEMENT_MAX_TORSOS, points },
    { name: 'posture', label: 'Upright posture', unit: '/100', min: 0, max: 100, points: postureCurve(series, seconds) }
  ]
}

/** The posture curve: the posture score's formula over each second's frames. */
export function postureCurve (series: PoseSeries, seconds: number): TimelineCurve['points'] {
  const t = POSE_THRESHOLDS.posture
  const parts = Array.from({ length: seconds }, () => ({
    shoulders: 0, tilted: 0, turned: 0, bends: 0, slouched: 0, torsos: 0, leaning: 0
  }))
  series.bodies.forEach((b, i) => {
    const k = Math.floor(series.frames[i]!.t / 1000)
    if (!b?.shoulders || k < 0 || k >= seconds) return
    const p = postureFrame(b)
    const s = parts[k]!
    s.shoulders++
    if (p.tilt !== null && p.tilt > t.shoulderTiltDeg) s.tilted++
    if (p.yaw !== null && p.yaw > t.facingYawDeg) s.turned++
    if (p.bend !== null) {
      s.bends++
      if (p.bend > t.slouchBendDeg) s.slouched++
    }
    if (p.sideLean !== null) {
      s.torsos++
      if (p.sideLean > t.sideLeanDeg) s.leaning++
    }
  })
  return parts.map((s, k) => {
    if (!s.shoulders) return { t: k * 1000, v: null }
    const share = (n: number, of: number) => (of ? n / of : 0)
    const score = 100 - 60 * share(s.slouched, s.bends) - 20 * share(s.leaning, s.torsos) - 20 * share(s.tilted, s.shoulders) - 20 * share(s.turned, s.shoulders)
    return { t: k * 1000, v: Math.round(Math.max(0, Math.min(100, score)) * 10) / 10 }
  })
}
