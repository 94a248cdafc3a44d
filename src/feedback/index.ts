/**
 * Coaching feedback for an analysis: written by the LLM when an API key is configured, else by
 * the rules; when the LLM fails for any reason the rules write it instead and `fallbackReason`
 * says why in one sentence, so a recording always gets feedback. Both writers take the signal
 * modules' contributions they are given (input.signals) and never name a kind.
 *
 * Whichever writer wrote it, the feedback carries a visual_notes section: a vision model's notes
 * on the key frames (visual-notes.ts), asked alongside and apart from the feedback, or why there
 * are none.
 */
import type { Config } from '../config.js'
import { buildFacts, type FeedbackFacts, type FeedbackInput as FactsInput } from './facts.js'
import { LlmFeedbackError, writeLlmFeedback } from './llm.js'
import { DEFAULT_PROMPT_FILE, PromptFileError, loadPrompt } from './prompt.js'
import { RULES_VERSION, writeRulesFeedback } from './rules.js'
import { feedbackToYaml, type Feedback, type Language, type VisualNotes } from './schema.js'
import { writeVisualNotes, type KeyFrame } from './visual-notes.js'

export type { Feedback, Language, VisualNotes } from './schema.js'
export { RULES_VERSION } from './rules.js'
export type { KeyFrame } from './visual-notes.js'
export type { FeedbackContribution, SignalFeedback } from './contribution.js'

export interface FeedbackInput extends FactsInput {
  /** Annotated key frames for the visual notes (at most four are sent, spread over the video). */
  keyFrames?: KeyFrame[]
}

export interface FeedbackResult {
  source: 'llm' | 'rules'
  /** The model that wrote it; null for the rules. */
  model: string | null
  /** The prompt file's version for LLM feedback; RULES_VERSION for rule-based feedback. */
  promptVersion: string
  language: Language
  /** The feedback as stored and shown: YAML that parses back to `feedback`. */
  yaml: string
  feedback: Feedback & { visual_notes: VisualNotes }
  /** Set when the LLM was configured but its feedback could not be used. */
  fallbackReason?: string
}

export interface FeedbackOptions {
  /** Another prompt file (tests, experiments). */
  promptFile?: string
  /** config.visualNotes; without it the section says the notes were not requested. */
  visualNotes?: Config['visualNotes']
  /** Another prompt file for the visual notes (tests, experiments). */
  visualPromptFile?: string
}

type Written = Omit<FeedbackResult, 'yaml' | 'feedback'> & { feedback: Feedback }

function reasonOf (error: unknown): string {
  if (error instanceof LlmFeedbackError) return error.message
  if (error instanceof PromptFileError) return `LLM prompt is invalid: ${error.message}`
  return `LLM feedback failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
}

async function writeMain (facts: FeedbackFacts, llm: Config['llm'], options: FeedbackOptions): Promise<Written> {
  const rules = (fallbackReason?: string): Written => ({
    source: 'rules',
    model: null,
    promptVersion: RULES_VERSION,
    language: facts.language,
    feedback: writeRulesFeedback(facts),
    ...(fallbackReason ? { fallbackReason } : {})
  })
  if (!llm.apiKey) return rules()
  try {
    const prompt = await loadPrompt(options.promptFile ?? DEFAULT_PROMPT_FILE)
    const { feedback, model } = await writeLlmFeedback({ facts }, llm, prompt)
    return { source: 'llm', model, promptVersion: prompt.version, language: facts.language, feedback }
  } catch (error) {
    return rules(reasonOf(error))
  }
}

export async function writeFeedback (input: FeedbackInput, llm: Config['llm'], options: FeedbackOptions = {}): Promise<FeedbackResult> {
  const facts = buildFacts(input)
  const [written, visualNotes] = await Promise.all([
    writeMain(facts, llm, options),
    writeVisualNotes({ facts, keyFrames: input.keyFrames }, llm, options.visualNotes, options.visualPromptFile ? { promptFile: options.visualPromptFile } : {})
  ])
  const feedback = { ...written.feedback, visual_notes: visualNotes }
  return { ...written, yaml: feedbackToYaml(feedback), feedback }
}
