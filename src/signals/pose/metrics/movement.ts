/**
 * Whole-body movement from the shoulder midpoint's horizontal position (frames with both
 * shoulders seen), in torsos (see visibility.ts):
 *
 *   sway     rocking from side to side: the root mean square of the midpoint's x minus its
 *            moving average over swayWindowMs (3 s, centred), so a slow drift or walk is travel,
 *            not sway. Calm at or under swayTorsos.calm (0.05), restless above
 *            swayTorsos.restless (0.12).
 *   travel   the path of the midpoint smoothed over smoothingMs (1 s), per minute of measured
 *            time (steps across gaps over 1 s are not counted); range = its 5th to 95th
 *            percentile. Pacing = range >= pacingRangeTorsos (1) and travel >=
 *            pacingTravelTorsosPerMinute (2): walking to and fro, not one shift in the chair.
 * Null when the shoulders were seen for less than minMeasuredMs (2 s).
 */
import { POSE_THRESHOLDS } from '../thresholds.js'
import { quantile, shoulderMid } from './geometry.js'
import type { PoseSeries } from './visibility.js'

export interface MovementMetrics {
  measuredS: number
  swayTorsos: number | null
  travelTorsosPerMinute: number | null
  rangeTorsos: number | null
  pacing: boolean | null
}

/** Centred moving average over `spanMs` (two pointers; the samples are in time order). */
export function smooth (samples: ReadonlyArray<{ t: number, v: number }>, spanMs: number): Array<{ t: number, v: number }> {
  const out: Array<{ t: number, v: number }> = []
  let lo = 0
  let hi = 0
  let sum = 0
  for (const s of samples) {
    while (hi < samples.length && samples[hi]!.t <= s.t + spanMs / 2) sum += samples[hi++]!.v
    while (samples[lo]!.t < s.t - spanMs / 2) sum -= samples[lo++]!.v
    out.push({ t: s.t, v: sum / (hi - lo) })
  }
  return out
}

export function summarizeMovement (series: PoseSeries): MovementMetrics {
  const m = POSE_THRESHOLDS.movement
  const unit = series.torso
  const samples = unit === null
    ? []
    : series.bodies.flatMap((b) => (b?.shoulders ? [{ t: b.t, v: shoulderMid(b).x / unit }] : []))
  const measuredMs = samples.length * series.frameMs
  if (measuredMs < POSE_THRESHOLDS.visibility.minMeasuredMs) {
    return { measuredS: measuredMs / 1000, swayTorsos: null, travelTorsosPerMinute: null, rangeTorsos: null, pacing: null }
  }
  const trend = smooth(samples, m.swayWindowMs)
  const sway = Math.sqrt(samples.reduce((sum, s, i) => sum + (s.v - trend[i]!.v) ** 2, 0) / samples.length)
  const smoothed = smooth(samples, m.smoothingMs)
  let travel = 0
  for (let i = 1; i < smoothed.length; i++) {
    if (smoothed[i]!.t - smoothed[i - 1]!.t <= 1000) travel += Math.abs(smoothed[i]!.v - smoothed[i - 1]!.v)
  }
  const values = smoothed.map((s) => s.v)
  const range = quantile(values, 0.95) - quantile(values, 0.05)
  const perMinute = travel / (measuredMs / 60_000)
  return {
    measuredS: measuredMs / 1000,
    swayTorsos: sway,
    travelTorsosPerMinute: perMinute,
    rangeTorsos: range,
    pacing: range >= m.pacingRangeTorsos && perMinute >= m.pacingTravelTorsosPerMinute
  }
}
