/** The voice's rows in the CLI report. */
import { percent, seconds } from '../../format.js'
import type { VoiceSummary } from './summary.js'

export function voiceReportRows (voice: VoiceSummary): Array<[string, string]> {
  const v = voice.metrics
  if (!voice.hasAudio || !v) return [['voice', 'no audio track: voice not analysed']]
  if (v.speechS === 0) return [['voice', `no speech detected in the audio track (${v.durationS.toFixed(1)} s)`]]
  const pauses = v.pauses.count
    ? `${v.pauses.count} (mean ${v.pauses.meanS.toFixed(1)} s, longest ${v.pauses.longestS.toFixed(1)} s at ${v.pauses.items.map((p) => seconds(p.startMs)).join(', ')})`
    : 'none of 0.3 s or more'
  const pitch = v.pitch.medianHz === null
    ? 'no voiced speech'
    : `median ${v.pitch.medianHz.toFixed(0)} Hz, range ${v.pitch.rangeSemitones!.toFixed(1)} semitones, variability ${v.pitch.variabilitySemitones!.toFixed(1)}`
  return [
    ['speaking', `${percent(v.speakingRatio)} of the time (${v.speechS.toFixed(1)} of ${v.durationS.toFixed(1)} s)`],
    ['speaking rate', `${v.syllablesPerMinuteSpeaking.toFixed(0)} syllables/min while speaking, ${v.syllablesPerMinuteTotal.toFixed(0)} overall (${v.syllables} syllables)`],
    ['pauses', pauses],
    ['loudness', `mean ${v.loudness.meanDb.toFixed(1)} dB, variation ${v.loudness.variationDb.toFixed(1)} dB`],
    ['pitch', pitch]
  ]
}
