/**
 * What the voice measures mean, for the LLM prompt's {{metric_definitions}}: built from
 * ../thresholds.ts, so the prompt quotes the ranges the rules judge by.
 */
import {
  EXPRESSIVE_PITCH_SEMITONES as PITCH, FILLERS_PER_MINUTE, LONG_PAUSE_SECONDS, MAX_LONG_PAUSES_PER_MINUTE, MIN_PAUSE_MS,
  MIN_SPEAKING_PERCENT, PACE_SYLLABLES_PER_MINUTE as PACE, PACE_WORDS_PER_MINUTE_EN as WPM
} from '../thresholds.js'

const span = (r: { min: number, max: number }) => `${r.min}-${r.max}`

export const VOICE_DEFINITIONS: readonly string[] = [
  `Voice (from the audio track; the ranges are guidance, not norms). Speech: the time inside speech, as a share of the recording. Under ${MIN_SPEAKING_PERCENT}% is little speech for the time (thin answers, long silences, or a microphone that missed the voice).`,
  `Pace: syllables per minute over the whole recording, pauses included. Reference ranges: English ${span(PACE.en)} (about ${span(WPM)} words per minute at ~1.4 syllables a word), Korean ${span(PACE.ko)} (Korean syllables are shorter). The facts name the language used. Syllables per minute while speaking (pauses left out) is the articulation rate, given for context.`,
  `Pauses: silences of ${MIN_PAUSE_MS / 1000} s or more between stretches of speech (not before the first word or after the last). A pause of ${LONG_PAUSE_SECONDS} s or more reads as a long silence; an occasional one to think is natural, more than ${MAX_LONG_PAUSES_PER_MINUTE} per minute is a lot.`,
  `Intonation: pitch variability, the standard deviation of the voice's pitch in semitones. Under ${PITCH.min} sounds monotone; expressive speech is around ${span(PITCH)}. Pitch range: 10th to 90th percentile of the pitch, in semitones.`,
  'Loudness variation: how much the loudness of syllables changes, in dB (emphasis); given for context, no reference range.',
  `Transcript (only when the facts include one): words per minute over the whole recording (English reference ${span(WPM)}) and filler words from a fixed list ("um", "uh", "like", "you know", ... / "음", "어", "그", ...), with the most frequent ones and their first mm:ss. More than ${FILLERS_PER_MINUTE.poor} filler words per minute is a lot.`,
  'The voice has no score category.'
]
