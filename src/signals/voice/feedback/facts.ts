/**
 * The voice facts both feedback writers cite: the voice metrics and the optional transcript
 * reduced to rounded numbers and mm:ss timestamps (judged by the ranges in ../thresholds.ts), and
 * their English statements for the LLM prompt. Pure functions.
 *
 * A recording without an audio track, or whose audio holds no detectable speech, is a fact too:
 * the feedback then says the voice was not analysed instead of citing voice numbers.
 */
import { round } from '../../../numbers.js'
import type { FactContext } from '../../../feedback/contribution.js'
import type { Language } from '../../../feedback/schema.js'
import { formatTimestamp, timeRange, type TimeRange } from '../../../feedback/timestamps.js'
import type { Transcript } from '../../../transcripts/transcribe.js'
import type { VoiceMetrics } from '../engine/summary.js'
import {
  EXPRESSIVE_PITCH_SEMITONES, FILLERS_PER_MINUTE, LONG_PAUSE_SECONDS, MIN_PAUSE_MS, MIN_SECONDS_FOR_VOICE_RATES, MIN_SPEAKING_PERCENT,
  PACE_SYLLABLES_PER_MINUTE, PACE_WORDS_PER_MINUTE_EN, type Range
} from '../thresholds.js'

/** The voice module's metrics as the feedback gets them (the syllable times are not needed). */
export interface VoiceInput {
  /** False for a file without an audio stream: metrics null. */
  hasAudio: boolean
  metrics: Omit<VoiceMetrics, 'nucleiMs'> | null
}

/** The filler words listed by name, most frequent first. */
const MAX_LISTED_FILLERS = 3

export interface TranscriptFacts {
  /** The language the transcript was read in (its filler list). */
  language: Language
  wordsPerMinute: number
  /** The words-per-minute reference, only for an English transcript. */
  wordsPerMinuteRange: Range | null
  fillers: {
    count: number
    perMinute: number
    /** The most frequent ones, each with its first mm:ss (null when the service gave no word times). */
    top: Array<{ word: string, count: number, first: string | null }>
  }
}

export interface MeasuredVoice {
  status: 'measured'
  /** The language the pace is judged for: the transcript's when there is one, else the feedback's. */
  language: Language
  languageFromTranscript: boolean
  speechSeconds: number
  speakingPercent: number
  syllables: number
  /** Over the whole recording, pauses included. */
  syllablesPerMinute: number
  /** Over the speech time only (articulation rate). */
  syllablesPerMinuteSpeaking: number
  paceRange: Range
  /** False under MIN_SECONDS_FOR_VOICE_RATES of recording. */
  ratesReliable: boolean
  pauses: {
    /** Pauses of 0.3 s or more inside the speech. */
    count: number
    meanSeconds: number
    longest: TimeRange | null
    /** Pauses of LONG_PAUSE_SECONDS or more, in time order. */
    long: TimeRange[]
    longPerMinute: number
  }
  /** Null when there was too little voiced speech to measure the pitch. */
  pitch: { variabilitySemitones: number, rangeSemitones: number } | null
  loudnessVariationDb: number
  transcript: TranscriptFacts | null
}

export type VoiceFacts =
  | { status: 'no-audio' }
  /** An audio track, but no voice metrics were produced for it. */
  | { status: 'not-analysed' }
  /** An audio track without detectable speech (silent, or a muted microphone). */
  | { status: 'no-speech' }
  | MeasuredVoice

/** The language a transcript's text is in, or null for an empty transcript (nothing to go by). */
function transcriptLanguage (transcript: Transcript | null): Language | null {
  return transcript && transcript.text.trim() !== '' ? transcript.fillerLanguage : null
}

function transcriptFacts (transcript: Transcript, language: Language): TranscriptFacts {
  const groups = new Map<string, { word: string, count: number, firstMs: number | null, order: number }>()
  transcript.fillers.items.forEach((item, order) => {
    const group = groups.get(item.word) ?? { word: item.word, count: 0, firstMs: null, order }
    group.count++
    if (item.startMs !== null && (group.firstMs === null || item.startMs < group.firstMs)) group.firstMs = item.startMs
    groups.set(item.word, group)
  })
  const top = [...groups.values()]
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, MAX_LISTED_FILLERS)
    .map((g) => ({ word: g.word, count: g.count, first: g.firstMs === null ? null : formatTimestamp(g.firstMs) }))
  return {
    language,
    wordsPerMinute: Math.round(transcript.wordsPerMinute),
    wordsPerMinuteRange: language === 'en' ? PACE_WORDS_PER_MINUTE_EN : null,
    fillers: { count: transcript.fillers.count, perMinute: round(transcript.fillers.perMinute, 1), top }
  }
}

/**
 * The voice facts. The context's durationS (the video's length) cuts the pause ranges, like
 * every other range; its language judges the pace when no transcript tells the language. Null
 * metrics (the voice stage did not run): not analysed.
 */
export function voiceFacts (voice: VoiceInput | null, context: Pick<FactContext, 'durationS' | 'language' | 'transcript'>): VoiceFacts {
  const { durationS, language: feedbackLanguage, transcript } = context
  if (voice === null) return { status: 'not-analysed' }
  if (!voice.hasAudio) return { status: 'no-audio' }
  const m = voice.metrics
  if (!m) return { status: 'not-analysed' }
  // Nothing to judge; a transcript of silence would only hold the service's guesses.
  if (m.speechS <= 0 || m.syllables === 0) return { status: 'no-speech' }

  const durationMs = durationS * 1000
  const minutes = Math.max(m.durationS / 60, 1 / 60)
  // Cut to the video like every other range (the audio can run a little longer than the picture).
  const pauses = m.pauses.items.filter((p) => p.startMs < durationMs).map((p) => timeRange(p.startMs, p.endMs, durationMs))
  const longest = pauses.reduce<TimeRange | null>((best, p) => (best === null || p.endMs - p.startMs > best.endMs - best.startMs ? p : best), null)
  // Judged on the unrounded length, so a 1.96 s pause is not called 2 s or more.
  const long = pauses.filter((p) => (p.endMs - p.startMs) / 1000 >= LONG_PAUSE_SECONDS)
  const fromTranscript = transcriptLanguage(transcript)
  const language = fromTranscript ?? feedbackLanguage
  const { variabilitySemitones, rangeSemitones } = m.pitch
  return {
    status: 'measured',
    language,
    languageFromTranscript: fromTranscript !== null,
    speechSeconds: round(m.speechS, 1),
    speakingPercent: Math.round(m.speakingRatio * 100),
    syllables: m.syllables,
    syllablesPerMinute: Math.round(m.syllablesPerMinuteTotal),
    syllablesPerMinuteSpeaking: Math.round(m.syllablesPerMinuteSpeaking),
    paceRange: PACE_SYLLABLES_PER_MINUTE[language],
    ratesReliable: m.durationS >= MIN_SECONDS_FOR_VOICE_RATES,
    pauses: {
      count: m.pauses.count,
      meanSeconds: round(m.pauses.meanS, 1),
      longest,
      long,
      longPerMinute: round(long.length / minutes, 1)
    },
    pitch: variabilitySemitones === null || rangeSemitones === null
      ? null
      : { variabilitySemitones: round(variabilitySemitones, 1), rangeSemitones: round(rangeSemitones, 1) },
    loudnessVariationDb: round(m.loudness.variationDb, 1),
    transcript: transcript && fromTranscript ? transcriptFacts(transcript, fromTranscript) : null
  }
}

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ko: 'Korean' }
const rangeText = (r: Range) => `${r.min}-${r.max}`

/** The voice facts as English statements for the LLM prompt. */
export function describeVoiceFacts (v: VoiceFacts): string[] {
  if (v.status === 'no-audio') return ['Voice: the video has no audio track, so the voice was not analysed (no pace, pauses, intonation or filler words).']
  if (v.status === 'not-analysed') return ['Voice: not analysed for this recording (no pace, pauses, intonation or filler words).']
  if (v.status === 'no-speech') return ['Voice: no speech was detected in the audio track (silent, or the microphone did not pick up the voice), so pace, pauses, intonation and filler words were not measured.']
  const p = v.pauses
  const lines = [
    `Speech: ${v.speechSeconds} s, ${v.speakingPercent}% of the recording` +
      (v.speakingPercent < MIN_SPEAKING_PERCENT ? ` (under ${MIN_SPEAKING_PERCENT}%: little speech for the time)` : '') +
      (v.ratesReliable ? '.' : `; the recording is under ${MIN_SECONDS_FOR_VOICE_RATES} s, so the voice rates below are only a rough estimate.`),
    `Pace: ${v.syllablesPerMinute} syllables per minute over the whole recording, pauses included ` +
      `(reference for ${LANGUAGE_NAMES[v.language]}: ${rangeText(v.paceRange)}; language from the ${v.languageFromTranscript ? 'transcript' : 'feedback language'}); ` +
      `${v.syllablesPerMinuteSpeaking} syllables per minute while speaking (${v.syllables} syllables).`,
    `Pauses of ${MIN_PAUSE_MS / 1000} s or more while speaking: ${p.count}` +
      (p.longest ? `, mean ${p.meanSeconds} s, longest ${p.longest.seconds} s at ${p.longest.label}` : '') +
      `; of ${LONG_PAUSE_SECONDS} s or more: ${p.long.length} (${p.longPerMinute} per minute)` +
      (p.long.length ? `: ${p.long.map((l) => `${l.label} (${l.seconds} s)`).join(', ')}.` : '.'),
    v.pitch
      ? `Intonation: pitch variability ${v.pitch.variabilitySemitones} semitones (under ${EXPRESSIVE_PITCH_SEMITONES.min} sounds monotone; expressive speech is around ${rangeText(EXPRESSIVE_PITCH_SEMITONES)}); pitch range ${v.pitch.rangeSemitones} semitones (10th to 90th percentile).`
      : 'Intonation: too little voiced speech to measure the pitch.',
    `Loudness variation between syllables: ${v.loudnessVariationDb} dB.`
  ]
  const t = v.transcript
  if (!t) {
    lines.push('No transcript: words per minute and filler words were not measured.')
  } else {
    lines.push(
      `Transcript (${LANGUAGE_NAMES[t.language]}): ${t.wordsPerMinute} words per minute over the whole recording` +
        (t.wordsPerMinuteRange ? ` (reference for English: ${rangeText(t.wordsPerMinuteRange)}).` : '.'),
      `Filler words: ${t.fillers.count} (${t.fillers.perMinute} per minute; more than ${FILLERS_PER_MINUTE.poor} per minute is a lot)` +
        (t.fillers.top.length ? `; most frequent: ${t.fillers.top.map((w) => `"${w.word}" ${w.count} ${w.count === 1 ? 'time' : 'times'}${w.first ? ` (first at ${w.first})` : ''}`).join(', ')}.` : '.')
    )
  }
  return lines
}
