/**
 * The facts both feedback writers work from: every signal module's facts (the analysis reduced
 * to rounded numbers and mm:ss timestamps, so the LLM and the rule-based writer cite exactly the
 * same values) plus the scores, and the English statements and definitions the LLM is given.
 * Generic over the modules it is handed: it never names a kind. Pure functions.
 */
import { round } from '../numbers.js'
import type { Scores } from '../signals/scores.js'
import type { Transcript } from '../transcripts/transcribe.js'
import type { AnyContribution, SignalFeedback } from './contribution.js'
import type { Language } from './schema.js'
import { formatTimestamp } from './timestamps.js'

export { formatRange, formatTimestamp, parseTimestamp, type TimeRange } from './timestamps.js'

export interface FeedbackInput {
  /** Every module's contribution and metrics, in registry order (metrics null: not analysed). */
  signals: readonly SignalFeedback[]
  scores: Scores
  /** The video's length (a module's metrics may end at its last analysed frame). */
  durationS: number
  language: Language
  /** The transcript when one was made (the voice facts use it). */
  transcript?: Transcript | null
}

export interface SignalFacts {
  kind: string
  contribution: AnyContribution
  facts: unknown
}

export interface FeedbackFacts {
  language: Language
  /** The video's length in seconds, 0.1 s precision. */
  durationS: number
  /** The video's length as mm:ss. */
  duration: string
  scores: Scores
  signals: SignalFacts[]
}

export function buildFacts (input: FeedbackInput): FeedbackFacts {
  const kinds = new Set<string>()
  const byKind = new Map<string, unknown>()
  const signals = input.signals.map(({ kind, contribution, metrics }) => {
    if (kinds.has(kind)) throw new Error(`feedback input lists the ${kind} signals twice`)
    kinds.add(kind)
    const facts = contribution.facts(metrics ?? null, { durationS: input.durationS, language: input.language, transcript: input.transcript ?? null, facts: byKind })
    byKind.set(kind, facts)
    return { kind, contribution, facts }
  })
  return {
    language: input.language,
    durationS: round(input.durationS, 1),
    duration: formatTimestamp(input.durationS * 1000),
    scores: input.scores,
    signals
  }
}

/** The score categories as the facts and the YAML cite them: key and value, in order. */
export function scoreLine (scores: Scores): string {
  const categories = Object.entries(scores.categories)
  return `Scores: interview ${scores.interviewScore}/60` +
    (categories.length ? `; ${categories.map(([key, value]) => `${key} ${value}`).join(', ')} (each 0-100).` : '; no category could be scored.')
}

/** The facts as English statements, one per line, for the LLM prompt: each module's, then the scores. */
export function describeFacts (f: FeedbackFacts): string[] {
  return [...f.signals.flatMap((s) => s.contribution.describe(s.facts)), scoreLine(f.scores)]
}

/** The prompt's {{metric_definitions}}: each module's, then how the interview score combines the categories. */
export function metricDefinitions (signals: ReadonlyArray<{ contribution: AnyContribution }>): string[] {
  return [
    ...signals.flatMap((s) => s.contribution.definitions),
    'Interview score (0-60): 0.6 times the weighted mean of the category scores present (the weights given with each category, normalised over those present).'
  ]
}
