/**
 * The numbers the voice is measured and judged by, in one place: read by the voice engine
 * (engine/activity.ts), the rule-based judging (feedback/aspects.ts), the facts and the
 * definitions the LLM is given (feedback/), so none of them can drift apart.
 *
 * Reference ranges: guidance, not science. Common speech-coaching figures, chosen to match the
 * advice interview coaches give, not norms measured on interviews.
 */

export interface Range { min: number, max: number }

/** Shorter silences inside speech are bridged; longer ones are pauses (de Jong & Wempe's 0.3 s). */
export const MIN_PAUSE_MS = 300

/**
 * Pace over the whole recording (pauses included), in syllables per minute. English: the usual
 * advice of about 130-170 words per minute, at ~1.4 syllables a word. Korean: each Hangul block
 * is a syllable and they are shorter, so comfortable Korean speech runs at more of them.
 */
export const PACE_SYLLABLES_PER_MINUTE = { en: { min: 180, max: 250 }, ko: { min: 250, max: 350 } } as const satisfies Record<'en' | 'ko', Range>
/** The same advice in words per minute; judged only with an English transcript. */
export const PACE_WORDS_PER_MINUTE_EN: Range = { min: 130, max: 170 }
/** A pause this long reads as a silence to the listener, not a breath between phrases. */
export const LONG_PAUSE_SECONDS = 2
/** More long pauses than this per minute are a lot. */
export const MAX_LONG_PAUSES_PER_MINUTE = 1
/** Pitch variability (semitones, standard deviation): under 2 sounds monotone, expressive speech is around 2-4. */
export const EXPRESSIVE_PITCH_SEMITONES: Range = { min: 2, max: 4 }
/** Speaking less of the recording than this leaves answers thin (or the microphone missed the voice). */
export const MIN_SPEAKING_PERCENT = 40
/** Filler words per minute: a strength at `good` or fewer, noticeable to a listener over `poor`. */
export const FILLERS_PER_MINUTE = { good: 2, poor: 5 } as const
/** Voice rates over a shorter recording are only a rough guide, reported but not judged. */
export const MIN_SECONDS_FOR_VOICE_RATES = 15
