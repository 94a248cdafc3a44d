/**
 * Visual notes: a vision model looks at a few annotated key frames, with the measured facts,
 * and writes one short note each on appearance, framing, lighting and posture, in the
 * feedback's language. Its own chat request, apart from the feedback's, so neither failure
 * loses the other; the same YAML-then-one-correction protocol and the same timeout and retries.
 * It never throws: when the notes cannot be produced (turned off, no key, no usable frame, a
 * failed request, an unusable reply) the section says so and why, and nothing is made up.
 */
import path from 'node:path'
import type { ChatCompletionContentPart, ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { projectRoot, type Config } from '../config.js'
import { describeFacts, type FeedbackFacts } from './facts.js'
import { LlmFeedbackError, chatAsker, problemList, readYamlMapping, replyProblems, type ChatReply } from './llm.js'
import { PromptFileError, fill, loadPrompt, renderCorrection, type InterviewPrompt, type PlaceholderRules } from './prompt.js'
import {
  MAX_VISUAL_REASON as MAX_REASON, VISUAL_NOTE_KEYS, VisualNoteTextsSchema, schemaProblems, visualNoteProblems,
  type Language, type Validation, type VisualNoteTexts, type VisualNotes
} from './schema.js'
import { prepareFrames, type KeyFrame, type PreparedFrame } from './visual-frames.js'

export type { KeyFrame } from './visual-frames.js'

export const DEFAULT_VISUAL_PROMPT_FILE = path.join(projectRoot, 'prompts', 'visual-notes.yaml')

export const VISUAL_PLACEHOLDERS: PlaceholderRules = {
  system: { allowed: ['output_schema', 'language_name', 'language_instructions'], required: ['output_schema'] },
  user: { allowed: ['facts', 'frames', 'duration', 'language_name', 'language_code'], required: ['facts', 'frames'] },
  correction: { allowed: ['problems', 'language_name', 'language_code'], required: ['problems'] }
}

/** How the model is asked to look: `low` is a fixed, small cost per image and enough for these notes. */
export const IMAGE_DETAIL = 'low'

export interface VisualNotesInput {
  facts: FeedbackFacts
  keyFrames?: readonly KeyFrame[] | undefined
}

export interface VisualNotesOptions {
  /** Another prompt file (tests, experiments). */
  promptFile?: string
}

/** The section without notes; the reason cut to what the schema allows. */
function skipped (reason: string): VisualNotes {
  const flat = reason.replace(/\s+/g, ' ').trim()
  return { produced: false, reason: flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 1)}…` : flat }
}

/** Parses and validates one reply: the four notes, citing only the frames' times, in `language`. */
export function readVisualReply (text: string, expect: { language: Language, framesMs: readonly number[] }): Validation<VisualNoteTexts> {
  const mapping = readYamlMapping(text, VISUAL_NOTE_KEYS)
  if (!mapping.ok) return mapping
  const value = mapping.value
  const problems = schemaProblems(VisualNoteTextsSchema, value)
  if (problems.length) return { ok: false, problems }
  const raw = value as VisualNoteTexts
  const notes = Object.fromEntries(VISUAL_NOTE_KEYS.map((key) => [key, raw[key].replace(/\s+/g, ' ').trim()])) as VisualNoteTexts
  const content = visualNoteProblems(notes, expect.framesMs, expect.language)
  return content.length ? { ok: false, problems: content } : { ok: true, value: notes }
}

/** The system message and the user message: the text, then each frame's time and its image. */
export function renderVisualMessages (prompt: InterviewPrompt, facts: FeedbackFacts, frames: readonly PreparedFrame[]): ChatCompletionMessageParam[] {
  const t = prompt.templates
  const language = t.languages[facts.language]
  const common = { language_name: language.name, language_code: facts.language }
  const system = fill(t.system, { ...common, output_schema: t.output_schema.trim(), language_instructions: language.instructions.trim() })
  const user = fill(t.user, {
    ...common,
    duration: facts.duration,
    frames: frames.map((f, i) => `- Frame ${i + 1} at ${f.label}: ${f.caption}`).join('\n'),
    facts: describeFacts(facts).map((line) => `- ${line}`).join('\n')
  })
  const content: ChatCompletionContentPart[] = [{ type: 'text', text: user }]
  for (const [i, frame] of frames.entries()) {
    content.push({ type: 'text', text: `Frame ${i + 1} at ${frame.label}:` })
    content.push({ type: 'image_url', image_url: { url: frame.dataUrl, detail: IMAGE_DETAIL } })
  }
  return [{ role: 'system', content: system }, { role: 'user', content }]
}

async function askForNotes (input: VisualNotesInput, llm: Config['llm'], model: string, prompt: InterviewPrompt, frames: PreparedFrame[]): Promise<VisualNotes> {
  const ask = chatAsker(llm, model, 'vision model')
  const framesMs = frames.map((f) => f.atMs)
  const language = input.facts.language
  const read = (reply: ChatReply) => replyProblems(reply, (text) => readVisualReply(text, { language, framesMs }))
  const produced = (notes: VisualNoteTexts, reply: ChatReply): VisualNotes => ({
    produced: true, model: reply.model, prompt_version: prompt.version, frames: framesMs, ...notes
  })

  const messages = renderVisualMessages(prompt, input.facts, frames)
  const first = await ask(messages)
  const firstResult = read(first)
  if (firstResult.ok) return produced(firstResult.value, first)
  const second = await ask([
    ...messages,
    { role: 'assistant', content: first.text || '(empty reply)' },
    { role: 'user', content: renderCorrection(prompt, language, firstResult.problems) }
  ])
  const secondResult = read(second)
  if (secondResult.ok) return produced(secondResult.value, second)
  return skipped(`vision model reply was not valid visual notes YAML twice: ${problemList(secondResult.problems)}`)
}

export async function writeVisualNotes (
  input: VisualNotesInput, llm: Config['llm'], visual: Config['visualNotes'] | undefined, options: VisualNotesOptions = {}
): Promise<VisualNotes> {
  if (!visual) return skipped('visual notes were not requested')
  if (!visual.enabled) return skipped('visual notes are turned off (VISUAL_NOTES=false)')
  if (!llm.apiKey) return skipped('no OpenAI-compatible API key configured (OPENAI_API_KEY)')
  const given = input.keyFrames ?? []
  if (given.length === 0) return skipped('no key frames to show the vision model')
  try {
    const { frames, skipped: unusable } = await prepareFrames(given, input.facts.durationS)
    if (frames.length === 0) {
      return skipped(`none of the ${given.length} key frame${given.length === 1 ? '' : 's'} could be used: ${problemList(unusable)}`)
    }
    const prompt = await loadPrompt(options.promptFile ?? DEFAULT_VISUAL_PROMPT_FILE, VISUAL_PLACEHOLDERS)
    return await askForNotes(input, llm, visual.model, prompt, frames)
  } catch (error) {
    if (error instanceof LlmFeedbackError) return skipped(error.message)
    if (error instanceof PromptFileError) return skipped(`vision prompt is invalid: ${error.message}`)
    return skipped(`visual notes failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`)
  }
}
