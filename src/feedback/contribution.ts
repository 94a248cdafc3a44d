/**
 * What a kind of signal gives the feedback writers. Both writers iterate over the list of
 * (kind, contribution, metrics) they are given, in registry order, and never name a kind:
 *   - the LLM writer gets every module's `definitions` (the prompt's {{metric_definitions}}) and
 *     the statements `describe` makes of its facts, then one generic line with the scores;
 *   - the rule-based writer gets every module's judged `aspects` (ranked across modules by
 *     `Aspect.rank`), its `summary` sentence, and the names of its score categories.
 *
 * A module whose metrics are null (the stage did not run, or measured nothing) still takes
 * part: `facts(null, ...)` returns facts that say so, `describe` says so in one statement,
 * `measured` is false (its categories are left out of the summary's best and worst area),
 * `aspects` returns none and `summary` may say so in one sentence.
 *
 * The numbers a module's facts hold are already rounded and its times are mm:ss labels
 * (feedback/timestamps.ts); `describe`, `aspects` and `summary` only cite them, so every number
 * and timestamp either writer writes is one of the facts. Reference ranges and judging limits
 * are read from the module's thresholds file, so the definitions, the judging and the scores
 * cannot drift apart.
 *
 * Ranks (Aspect.rank): one scale shared by all modules, lower listed first, by how soon an
 * interviewer notices the aspect. The existing aspects use multiples of 10, leaving room
 * between them; ties keep registry order, then the order `aspects` returned them in.
 *   improvement  presence 10, eyeContact 20, pace 30, lookAways 40, fillers 50, expression 60,
 *                pauses 70, intonation 80, head 90, gaze 100, blinks 110
 *   strength     eyeContact 10, lookAways 20, expression 30, pace 40, presence 50, intonation 60,
 *                fillers 70, pauses 80, head 90, gaze 100, blinks 110
 */
import type { Transcript } from '../transcripts/transcribe.js'
import type { Aspect } from './aspect.js'
import type { Language } from './schema.js'

export type { Aspect, AspectRank, Verdict } from './aspect.js'

export interface FactContext {
  /** The video's length in seconds (ranges are cut to it). */
  durationS: number
  /** The feedback's language (e.g. the voice judges the pace by it when no transcript tells). */
  language: Language
  /** The transcript when one was made, else null. */
  transcript: Transcript | null
  /** Facts of the modules listed before this one, by kind. */
  facts: ReadonlyMap<string, unknown>
}

/** A score category's name as the summary writes it ("eye contact", "시선 접촉"). */
export type CategoryName = Record<Language, string>

export interface FeedbackContribution<Metrics, Facts> {
  /**
   * The metrics reduced to the rounded numbers and mm:ss timestamps both writers cite. Null
   * metrics (not analysed) give facts that say so.
   */
  facts (metrics: Metrics | null, context: FactContext): Facts
  /** False when the facts hold no measurement (no face found, no audio...). */
  measured (facts: Facts): boolean
  /** The facts as English statements, one per line, for the LLM prompt (unmeasured: one saying so). */
  describe (facts: Facts): string[]
  /**
   * What the measures mean, with their reference ranges (built from the module's thresholds):
   * one bullet each for the prompt's {{metric_definitions}}, including how its score categories
   * are computed and their weight.
   */
  definitions: readonly string[]
  /** The score categories this module adds, by key as in Scores.categories, with their names. */
  categories: Readonly<Record<string, CategoryName>>
  /** The rule-based writer's judged aspects, written in `language`; none when unmeasured. */
  aspects (facts: Facts, language: Language): Aspect[]
  /**
   * The rule-based summary's sentence(s) about this module: its key numbers, or that it was
   * not measured; `aspects` are this module's own. Null or absent: nothing to add.
   */
  summary? (facts: Facts, aspects: readonly Aspect[], language: Language): string | null
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyContribution = FeedbackContribution<any, any>

/** One module's part of a feedback request: the writers get a list of these, in registry order. */
export interface SignalFeedback {
  kind: string
  contribution: AnyContribution
  /** The module's metrics, or null when it did not measure anything. */
  metrics: unknown
}
