/**
 * Coaching feedback for an analysis: written by the LLM when an API key is configured, else by
 * the rules; when the LLM fails for any reason the rules write it instead and `fallbackReason`
 * says why in one sentence, so a recording always gets feedback. Both writers take the signal
 * modules' contributions they are given (input.signals) and never name a kind.
 */
import type { Config } from '../config.js'
import { buildFacts, type FeedbackInput } from './facts.js'
import { LlmFeedbackError, writeLlmFeedback } from './llm.js'
import { DEFAULT_PROMPT_FILE, PromptFileError, loadPrompt } from './prompt.js'
import { RULES_VERSION, writeRulesFeedback } from './rules.js'
import { feedbackToYaml, type Feedback, type Language } from './schema.js'

export type { Feedback, Language } from './schema.js'
export { RULES_VERSION } from './rules.js'
export type { FeedbackInput } from './facts.js'
export type { FeedbackContribution, SignalFeedback } from './contribution.js'

export interface FeedbackResult {
  source: 'llm' | 'rules'
  /** The model that wrote it; null for the rules. */
  model: string | null
  /** The prompt file's version for LLM feedback; RULES_VERSION for rule-based feedback. */
  promptVersion: string
  language: Language
  /** The feedback as stored and shown: YAML that parses back to `feedback`. */
  yaml: string
  feedback: Feedback
  /** Set when the LLM was configured but its feedback could not be used. */
  fallbackReason?: string
}

export interface FeedbackOptions {
  /** Another prompt file (tests, experiments). */
  promptFile?: string
}

function reasonOf (error: unknown): string {
  if (error instanceof LlmFeedbackError) return error.message
  if (error instanceof PromptFileError) return `LLM prompt is invalid: ${error.message}`
  return `LLM feedback failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
}

export async function writeFeedback (input: FeedbackInput, llm: Config['llm'], options: FeedbackOptions = {}): Promise<FeedbackResult> {
  const facts = buildFacts(input)
  const rules = (fallbackReason?: string): FeedbackResult => {
    const feedback = writeRulesFeedback(facts)
    return {
      source: 'rules',
      model: null,
      promptVersion: RULES_VERSION,
      language: input.language,
      yaml: feedbackToYaml(feedback),
      feedback,
      ...(fallbackReason ? { fallbackReason } : {})
    }
  }
  if (!llm.apiKey) return rules()
  try {
    const prompt = await loadPrompt(options.promptFile ?? DEFAULT_PROMPT_FILE)
    const { feedback, model } = await writeLlmFeedback({ facts }, llm, prompt)
    return { source: 'llm', model, promptVersion: prompt.version, language: input.language, yaml: feedbackToYaml(feedback), feedback }
  } catch (error) {
    return rules(reasonOf(error))
  }
}
