/**
 * The one place that builds the `openai` client, for the LLM feedback and the transcript alike:
 * any OpenAI-compatible server (OPENAI_BASE_URL), the configured timeout and retries, and a count
 * of the HTTP attempts (the client retries inside one call) so failure messages can say how many
 * were made.
 */
import OpenAI from 'openai'
import type { Config } from './config.js'

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1'

export interface CountingClient {
  client: OpenAI
  /** HTTP attempts since the last reset. */
  attempts: () => number
  resetAttempts: () => void
}

export function openAiClient (llm: Config['llm']): CountingClient {
  let attempts = 0
  const client = new OpenAI({
    apiKey: llm.apiKey,
    baseURL: llm.baseUrl ?? DEFAULT_BASE_URL,
    timeout: llm.timeoutMs,
    maxRetries: llm.maxRetries,
    fetch: (url, init) => {
      // For uploads the client probes its fetch's FormData support with a data: URL: not an attempt.
      if (!String(url).startsWith('data:')) attempts++
      return fetch(url, init)
    }
  })
  return { client, attempts: () => attempts, resetAttempts: () => { attempts = 0 } }
}

/**
 * The client's timeout ends when the response headers arrive; a body that stalls after them
 * would hang forever. This bounds a whole call: twice the timeout per attempt plus the client's
 * backoff between attempts (0.5 s doubling, at most 8 s).
 */
export function requestDeadlineMs (llm: Pick<Config['llm'], 'timeoutMs' | 'maxRetries'>): number {
  let backoffMs = 0
  for (let retry = 0; retry < llm.maxRetries; retry++) backoffMs += Math.min(500 * 2 ** retry, 8000)
  return 2 * llm.timeoutMs * (llm.maxRetries + 1) + backoffMs
}
