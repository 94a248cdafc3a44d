/**
 * The LLM feedback writer: one chat completion asking for YAML in the prompt's format, parsed
 * and validated; an unusable reply gets one follow-up listing its exact problems. Transport
 * failures (5xx, 429, timeouts, dropped connections) are retried with backoff by the openai
 * client itself (`maxRetries`). Every failure becomes an LlmFeedbackError whose message a user
 * can read, so the caller can fall back to the rule-based writer and say why.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import YAML from 'yaml'
import type { Config } from '../config.js'
import { openAiClient, requestDeadlineMs, DEFAULT_BASE_URL } from '../llm-client.js'
import { describeFacts, metricDefinitions, type FeedbackFacts } from './facts.js'
import { renderCorrection, renderMessages, type InterviewPrompt } from './prompt.js'
import { canonicalFeedback, feedbackScores, validateFeedback, type Feedback, type Language, type Validation } from './schema.js'

/** Low, so the same analysis gives much the same feedback, but not 0, so wording stays natural. */
export const TEMPERATURE = 0.2

export { requestDeadlineMs } from '../llm-client.js'

export class LlmFeedbackError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LlmFeedbackError'
  }
}

export interface LlmFeedbackInput {
  facts: FeedbackFacts
}

export interface LlmFeedback {
  feedback: Feedback
  /** The model that answered, as the API reports it. */
  model: string
  /** 1, or 2 when the first reply needed correcting. */
  replies: number
}

/** The YAML inside a ```yaml fence when the model added one despite the instructions. */
export function stripCodeFences (text: string): string {
  const fenced = /```[ \t]*(?:ya?ml)?[ \t]*\r?\n([\s\S]*?)\r?\n?[ \t]*```/i.exec(text)
  return (fenced ? fenced[1]! : text).trim()
}

/** A model's reply as one YAML mapping (code fences stripped, duplicate keys refused), or what is wrong with it. */
export function readYamlMapping (text: string, keys: readonly string[]): Validation<Record<string, unknown>> {
  const yaml = stripCodeFences(text)
  if (!yaml) return { ok: false, problems: ['the reply was empty'] }
  const document = YAML.parseDocument(yaml, { uniqueKeys: true })
  if (document.errors.length) {
    return { ok: false, problems: document.errors.slice(0, 3).map((e) => `the reply is not valid YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`) }
  }
  const value: unknown = document.toJS()
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problems: [`the reply must be one YAML mapping with the keys ${keys.join(', ')}`] }
  }
  return { ok: true, value: value as Record<string, unknown> }
}

export interface ReplyExpectations {
  language: Language
  /** The computed scores that replace the model's. */
  scores: Feedback['scores']
  durationS: number
}

/**
 * Parses and validates one reply. The language and the scores are set before validation, and
 * visual_notes dropped: they are ours, not the model's, so a wrong or missing value there is
 * corrected, not retried.
 */
export function readReply (text: string, expect: ReplyExpectations): Validation<Feedback> {
  const mapping = readYamlMapping(text, ['language', 'summary', 'strengths', 'improvements', 'scores'])
  if (!mapping.ok) return mapping
  const { visual_notes: _, ...written } = mapping.value
  const result = validateFeedback({ ...written, language: expect.language, scores: expect.scores }, { durationS: expect.durationS, language: expect.language })
  return result.ok ? { ok: true, value: canonicalFeedback(result.value) } : result
}

const oneLine = (text: string, max = 200) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** A transport or API error as one sentence, without stack or secrets; `label` names who was asked. */
export function describeRequestError (error: unknown, attempts: number, llm: Config['llm'], label = 'LLM'): string {
  const tries = plural(Math.max(attempts, 1), 'attempt')
  if (error instanceof APIConnectionTimeoutError) return `${label} request timed out after ${llm.timeoutMs} ms (${tries})`
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: { cause?: { code?: string }, code?: string, message?: string } }).cause
    const detail = cause?.cause?.code ?? cause?.code ?? cause?.message ?? error.message
    return `${label} request failed: could not connect to ${new URL(llm.baseUrl ?? DEFAULT_BASE_URL).host} (${oneLine(detail, 80)}) after ${tries}`
  }
  if (error instanceof APIError) return `${label} request failed: ${oneLine(error.message)} after ${tries}`
  return `${label} request failed: ${oneLine(error instanceof Error ? error.message : String(error))}`
}

export function problemList (problems: string[]): string {
  const shown = problems.slice(0, 3).join('; ')
  return problems.length > 3 ? `${shown} (and ${problems.length - 3} more)` : shown
}

export interface ChatReply {
  text: string
  refusal: string | null
  /** The reply hit the token limit. */
  truncated: boolean
  /** The model that answered, as the API reports it. */
  model: string
}

/**
 * One chat completion with `model`, bounded by the overall deadline; every failure becomes an
 * LlmFeedbackError whose message starts with `label` ("LLM", "vision model").
 */
export function chatAsker (llm: Config['llm'], model: string, label = 'LLM'): (messages: ChatCompletionMessageParam[]) => Promise<ChatReply> {
  const { client, attempts, resetAttempts } = openAiClient(llm)
  return async (messages) => {
    resetAttempts()
    const deadlineMs = requestDeadlineMs(llm)
    const deadline = AbortSignal.timeout(deadlineMs)
    try {
      const completion = await client.chat.completions.create({ model, temperature: TEMPERATURE, messages }, { signal: deadline })
      const choice = completion.choices[0]
      return {
        text: choice?.message.content ?? '',
        refusal: choice?.message.refusal ?? null,
        truncated: choice?.finish_reason === 'length',
        model: completion.model || model
      }
    } catch (error) {
      if (deadline.aborted) throw new LlmFeedbackError(`${label} request timed out: no complete reply within ${deadlineMs} ms (${plural(attempts(), 'attempt')})`)
      throw new LlmFeedbackError(describeRequestError(error, attempts(), llm, label))
    }
  }
}

/** A reply's own problems before its content is read: a refusal, or a cut-off text. */
export function replyProblems<T> (reply: ChatReply, read: (text: string) => Validation<T>): Validation<T> {
  if (reply.refusal) return { ok: false, problems: [`the model refused: ${oneLine(reply.refusal)}`] }
  const result = read(reply.text)
  if (result.ok || !reply.truncated) return result
  return { ok: false, problems: ['the reply was cut off before the end; keep the text shorter', ...result.problems] }
}

export async function writeLlmFeedback (input: LlmFeedbackInput, llm: Config['llm'], prompt: InterviewPrompt): Promise<LlmFeedback> {
  if (!llm.apiKey) throw new LlmFeedbackError('no LLM API key is configured')
  const ask = chatAsker(llm, llm.model)

  const language = input.facts.language
  const expect: ReplyExpectations = { language, scores: feedbackScores(input.facts.scores.categories), durationS: input.facts.durationS }
  const read = (reply: ChatReply): Validation<Feedback> => replyProblems(reply, (text) => readReply(text, expect))

  const { system, user } = renderMessages(prompt, {
    language, facts: describeFacts(input.facts), duration: input.facts.duration, definitions: metricDefinitions(input.facts.signals)
  })
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: system }, { role: 'user', content: user }]
  const first = await ask(messages)
  const firstResult = read(first)
  if (firstResult.ok) return { feedback: firstResult.value, model: first.model, replies: 1 }

  const second = await ask([
    ...messages,
    { role: 'assistant', content: first.text || '(empty reply)' },
    { role: 'user', content: renderCorrection(prompt, language, firstResult.problems) }
  ])
  const secondResult = read(second)
  if (secondResult.ok) return { feedback: secondResult.value, model: second.model, replies: 2 }
  throw new LlmFeedbackError(`LLM reply was not valid feedback YAML twice: ${problemList(secondResult.problems)}`)
}
