/**
 * The shape of the voice's phrase tables (phrases-en.ts, phrases-ko.ts): every sentence the
 * rule-based writer uses for the voice; numbers and timestamps come from the facts, reference
 * values from ../thresholds.ts.
 */
import type { Language } from '../../../feedback/schema.js'
import type { MeasuredVoice, TranscriptFacts } from './facts.js'

export type VoiceAspectKey = 'pace' | 'pauses' | 'intonation' | 'fillers'

/** Where a rate falls against its range. */
export type Where = 'within' | 'fast' | 'slow'
export type PitchWhere = 'below' | 'within' | 'above'

export interface VoicePhrases {
  languageName: Record<Language, string>
  /** The aspects as the summary names them. */
  name: Record<VoiceAspectKey, string>
  summary: {
    noAudio: string
    notAnalysed: string
    noSpeech: string
    measures: (v: MeasuredVoice) => string
    bestWorst: (best: string | null, worst: string | null) => string
  }
  pace: {
    title: Record<Where | 'mixed' | 'good', string>
    evidence: (v: MeasuredVoice, where: Where, wordsWhere: Where | null) => string
    /** What to aim for, in the units a speaker can check. */
    target: (v: MeasuredVoice) => string
    suggestion: Record<Where | 'mixed', (target: string) => string>
  }
  pauses: {
    good: string
    poorLong: string
    poorLittle: string
    poor: string
    evidence: (v: MeasuredVoice) => string
    suggestionLong: (first: string | null) => string
    suggestionLittle: string
    suggestion: string
  }
  intonation: { good: string, poor: string, evidence: (v: MeasuredVoice, pitch: NonNullable<MeasuredVoice['pitch']>, where: PitchWhere) => string, suggestion: string }
  fillers: { good: string, poor: string, evidence: (t: TranscriptFacts) => string, suggestion: (word: string | null, first: string | null) => string }
}
