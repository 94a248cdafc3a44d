/** Body language rows in the CLI report. */
import { percent, seconds } from '../../format.js'
import type { PoseMetrics } from './metrics/index.js'
import { bodyLanguageScore } from './score.js'

const orDash = (value: number | null, format: (v: number) => string) => (value === null ? '-' : format(value))
const share = (ratio: number | null) => orDash(ratio, percent)
const degrees = (value: number | null) => orDash(value, (v) => `${v.toFixed(1)} deg`)

export function poseReportRows (m: PoseMetrics): Array<[string, string]> {
  const touches = m.hands.faceTouches.length
    ? m.hands.faceTouches.map((f) => `${seconds(f.startMs)}-${seconds(f.endMs)} (${f.region})`).join(', ')
    : 'none'
  const rows: Array<[string, string]> = [
    ['body', `${m.visibility.replace(/_/g, ' ')} (body visible ${percent(m.bodyVisibleRatio)} of ${m.frames} pose frames)` +
      (m.bodyVisible ? `; body-language score ${bodyLanguageScore(m) ?? '-'}` : '; posture and gestures not measured')],
    ['face touches', touches]
  ]
  if (m.visibility === 'not_visible') return rows
  rows.push(['posture', `shoulder tilt ${degrees(m.posture.shoulderTiltDeg)} (tilted ${share(m.posture.tiltedRatio)}), facing ${degrees(m.posture.facingYawDeg)}, ` +
    `head forward ${degrees(m.posture.headForwardDeg)}, slouched ${share(m.posture.slouchRatio)}` +
    (m.posture.slouches.length ? ` at ${m.posture.slouches.map((s) => seconds(s.startMs)).join(', ')}` : '')])
  if (!m.bodyVisible) return rows
  rows.push(
    ['movement', `sway ${orDash(m.movement.swayTorsos, (v) => `${v.toFixed(2)} torsos`)}${m.movement.pacing ? ', pacing' : ''}`],
    ['hands', `in view ${percent(m.hands.visibleRatio)}; ${m.hands.gestures.length} gestures (${orDash(m.hands.gesturesPerMinute, (v) => `${v.toFixed(1)}/min`)}, open ${share(m.hands.openGestureRatio)}); ` +
      `fidgeting ${share(m.hands.fidgetRatio)}, arms crossed ${share(m.hands.armsCrossedRatio)}`]
  )
  return rows
}
