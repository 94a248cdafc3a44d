/** The face's rows in the CLI report. */
import { EMOTIONS, type FaceMetrics } from './metrics/index.js'
import { percent, seconds } from '../../format.js'

export function faceReportRows (m: FaceMetrics): Array<[string, string]> {
  return [
    ['face in view', percent(m.presence.faceVisibleRatio)],
    ['other faces in view', percent(m.presence.multipleFacesRatio)],
    ['eye contact', `${percent(m.attention.eyeContactRatio)} of face time; gaze stability ${m.attention.gazeStability.toFixed(2)} (spread ${m.attention.gazeSpreadDeg.toFixed(1)} deg)`],
    ['looked away', m.attention.lookAways.length ? m.attention.lookAways.map((l) => `${seconds(l.startMs)}-${seconds(l.endMs)}`).join(', ') : 'never (1 s or longer)'],
    ['blinks', `${m.blinks.count} (${m.blinks.ratePerMinute.toFixed(1)}/min, mean ${m.blinks.meanDurationMs.toFixed(0)} ms)${m.blinks.events.length ? ' at ' + m.blinks.events.map((e) => seconds(e.startMs)).join(', ') : ''}`],
    ['head movement', `${m.head.meanSpeedDegPerSecond.toFixed(1)} deg/s; yaw ${m.head.mean.yaw.toFixed(1)}±${m.head.std.yaw.toFixed(1)}, pitch ${m.head.mean.pitch.toFixed(1)}±${m.head.std.pitch.toFixed(1)}, roll ${m.head.mean.roll.toFixed(1)}±${m.head.std.roll.toFixed(1)} deg`],
    ['emotion', m.emotion.dominant
      ? EMOTIONS.map((e) => [e, m.emotion.distribution[e]] as const).filter(([, p]) => p >= 0.05).sort((a, b) => b[1] - a[1]).map(([e, p]) => `${e} ${percent(p)}`).join(', ')
      : 'no estimate (no face)'],
    ['emotion timeline', m.emotion.timeline.map((b) => `${seconds(b.startMs)} ${b.dominant}`).join(' | ') || '-']
  ]
}
