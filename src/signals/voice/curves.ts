/**
 * The voice's curve for the timeline overview, from its per-second frames (as stored):
 *
 *   loudness  the mean intensity of the second's speech (dBFS, a recording level: 0 is the
 *             loudest a file can hold), shown between LOUDNESS_RANGE_DB's -60 and 0 dBFS
 *             (values outside are clamped); null for a second without speech, so silence and
 *             background noise draw no line.
 *   speaking_rate  syllables per second of speech (articulation rate) over a 3 s window centred
 *             on the second: the syllables counted in the window's seconds over their speech
 *             time, so pauses do not lower it. Null for a second with less than
 *             SPEAKING_RATE_MIN_SPEECH (25 %) speech, or a window with under 0.5 s of it.
 *             Conversational speech is about 3-6 syll/s; shown 0..SPEAKING_RATE_MAX (8, clamped).
 */
import type { TimelineCurve } from '../contract.js'
import type { VoiceFrame } from './engine/index.js'

export const LOUDNESS_RANGE_DB = { min: -60, max: 0 } as const
export const SPEAKING_RATE_MAX = 8
export const SPEAKING_RATE_MIN_SPEECH = 0.25
const RATE_WINDOW_S = 1 // seconds either side
const RATE_MIN_WINDOW_SPEECH_S = 0.5

export function voiceCurves (frames: readonly VoiceFrame[]): TimelineCurve[] {
  const { min, max } = LOUDNESS_RANGE_DB
  const points = [...frames].sort((a, b) => a.t - b.t).map((f) => ({
    t: f.t,
    v: f.loudnessDb === null || !Number.isFinite(f.loudnessDb) ? null : Math.max(min, Math.min(max, f.loudnessDb))
  }))
  return [
    { name: 'loudness', label: 'Loudness (speech)', unit: 'dBFS', min, max, points },
    { name: 'speaking_rate', label: 'Speaking rate', unit: 'syll/s', min: 0, max: SPEAKING_RATE_MAX, points: speakingRate(frames) }
  ]
}

/** The speaking_rate curve from the per-second frames (one point per frame, in time order). */
export function speakingRate (frames: readonly VoiceFrame[]): TimelineCurve['points'] {
  const sorted = [...frames].sort((a, b) => a.t - b.t)
  return sorted.map((f, i) => {
    if (!(f.speech >= SPEAKING_RATE_MIN_SPEECH)) return { t: f.t, v: null }
    let syllables = 0
    let speech = 0
    for (let j = Math.max(0, i - RATE_WINDOW_S); j <= Math.min(sorted.length - 1, i + RATE_WINDOW_S); j++) {
      // The neighbours are only neighbours when they are the adjacent seconds.
      if (Math.abs(sorted[j]!.t - f.t) > RATE_WINDOW_S * 1000) continue
      syllables += sorted[j]!.syllables
      speech += sorted[j]!.speech
    }
    if (speech < RATE_MIN_WINDOW_SPEECH_S) return { t: f.t, v: null }
    return { t: f.t, v: Math.round(Math.min(SPEAKING_RATE_MAX, syllables / speech) * 100) / 100 }
  })
}
