/** The CLI's human-readable summary of an AnalysisResult. */
import type { AnalysisResult } from '../engine/analyze.js'
import { EMOTIONS } from '../signals/face/metrics/index.js'

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function formatReport (result: AnalysisResult): string {
  const { video, sampling, metrics: m } = result
  const rows: Array<[string, string]> = [
    ['video', `${video.width}x${video.height} ${video.videoCodec}, ${video.durationS.toFixed(1)} s, ${video.fps.toFixed(2)} fps, audio ${video.audioCodec ?? 'none'}`],
    ['analysed', `${sampling.frames} frames at ${sampling.fps.toFixed(2)} fps (${sampling.width}x${sampling.height}), emotion ${sampling.emotionFps}/s`],
    ['face in view', pct(m.presence.faceVisibleRatio)],
    ['other faces in view', pct(m.presence.multipleFacesRatio)],
    ['eye contact', `${pct(m.attention.eyeContactRatio)} of face time; gaze stability ${m.attention.gazeStability.toFixed(2)} (spread ${m.attention.gazeSpreadDeg.toFixed(1)} deg)`],
    ['looked away', m.attention.lookAways.length ? m.attention.lookAways.map((l) => `${secs(l.startMs)}-${secs(l.endMs)}`).join(', ') : 'never (1 s or longer)'],
    ['blinks', `${m.blinks.count} (${m.blinks.ratePerMinute.toFixed(1)}/min, mean ${m.blinks.meanDurationMs.toFixed(0)} ms)${m.blinks.events.length ? ' at ' + m.blinks.events.map((e) => secs(e.startMs)).join(', ') : ''}`],
    ['head movement', `${m.head.meanSpeedDegPerSecond.toFixed(1)} deg/s; yaw ${m.head.mean.yaw.toFixed(1)}±${m.head.std.yaw.toFixed(1)}, pitch ${m.head.mean.pitch.toFixed(1)}±${m.head.std.pitch.toFixed(1)}, roll ${m.head.mean.roll.toFixed(1)}±${m.head.std.roll.toFixed(1)} deg`],
    ['emotion', m.emotion.dominant
      ? EMOTIONS.map((e) => [e, m.emotion.distribution[e]] as const).filter(([, p]) => p >= 0.05).sort((a, b) => b[1] - a[1]).map(([e, p]) => `${e} ${pct(p)}`).join(', ')
      : 'no estimate (no face)'],
    ['emotion timeline', m.emotion.timeline.map((b) => `${secs(b.startMs)} ${b.dominant}`).join(' | ') || '-'],
    ...voiceRows(result),
    ['time', `${secs(result.timings.total ?? 0)} (${((video.durationS * 1000) / (result.timings.total || 1)).toFixed(2)}x real time)`]
  ]
  for (const warning of result.warnings) rows.push(['warning', warning])
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}

function voiceRows ({ voice }: AnalysisResult): Array<[string, string]> {
  const v = voice.metrics
  if (!voice.hasAudio || !v) return [['voice', 'no audio track: voice not analysed']]
  if (v.speechS === 0) return [['voice', `no speech detected in the audio track (${v.durationS.toFixed(1)} s)`]]
  const pauses = v.pauses.count
    ? `${v.pauses.count} (mean ${v.pauses.meanS.toFixed(1)} s, longest ${v.pauses.longestS.toFixed(1)} s at ${v.pauses.items.map((p) => secs(p.startMs)).join(', ')})`
    : 'none of 0.3 s or more'
  const pitch = v.pitch.medianHz === null
    ? 'no voiced speech'
    : `median ${v.pitch.medianHz.toFixed(0)} Hz, range ${v.pitch.rangeSemitones!.toFixed(1)} semitones, variability ${v.pitch.variabilitySemitones!.toFixed(1)}`
  return [
    ['speaking', `${pct(v.speakingRatio)} of the time (${v.speechS.toFixed(1)} of ${v.durationS.toFixed(1)} s)`],
    ['speaking rate', `${v.syllablesPerMinuteSpeaking.toFixed(0)} syllables/min while speaking, ${v.syllablesPerMinuteTotal.toFixed(0)} overall (${v.syllables} syllables)`],
    ['pauses', pauses],
    ['loudness', `mean ${v.loudness.meanDb.toFixed(1)} dB, variation ${v.loudness.variationDb.toFixed(1)} dB`],
    ['pitch', pitch]
  ]
}
