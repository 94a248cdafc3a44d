/**
 * What a kind of signal gives the feedback writers (DRAFT: the feedback helper finalises it).
 * Both writers iterate over the registered modules: the LLM gets every module's definitions and
 * fact statements, the rule-based writer every module's judged aspects.
 */
import type { Aspect } from './aspect.js'
import type { Language } from './schema.js'

export interface FactContext {
  /** The video's length in seconds. */
  durationS: number
  language: Language
  /** Facts of the modules registered before this one, by kind. */
  facts: ReadonlyMap<string, unknown>
}

export interface FeedbackContribution<Metrics, Facts> {
  /** The metrics reduced to the rounded numbers and mm:ss timestamps both writers cite. */
  facts (metrics: Metrics, context: FactContext): Facts
  /** The facts as English statements, one per line, for the LLM prompt. */
  describe (facts: Facts): string[]
  /** What the measures mean, with their reference ranges (read from the module's thresholds). */
  definitions: string[]
  /** The rule-based writer's judged aspects, written in `language`. */
  aspects (facts: Facts, language: Language): Aspect[]
}
