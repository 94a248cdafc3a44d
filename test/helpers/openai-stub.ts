/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) whose replies a test scripts:
 * a completion, an HTTP error, or a hang. It records every request it receives.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from './environment.js'

export type Reply =
  | { content: string, model?: string, finishReason?: string }
  | { status: number, error: string }
  | { hang: 'before-headers' | 'after-headers' }

export interface RecordedRequest {
  authorization: string | undefined
  body: { model: string, temperature?: number, messages: Array<{ role: string, content: string }> }
}

export interface Stub { baseUrl: string, requests: RecordedRequest[] }

/** Starts the server; `script(n)` gives the reply to the n-th request (0-based). */
export async function startStub (t: TestContext, script: (n: number) => Reply): Promise<Stub> {
  const requests: RecordedRequest[] = []
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => { raw += chunk })
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }))
        return
      }
      const body = JSON.parse(raw) as RecordedRequest['body']
      requests.push({ authorization: req.headers.authorization, body })
      const reply = script(requests.length - 1)
      if ('hang' in reply) {
        // Never answers, or sends the headers and then stalls: the client has to give up.
        if (reply.hang === 'after-headers') res.writeHead(200, { 'content-type': 'application/json' }).write('{"id": "chatcmpl-')
        return
      }
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.error, type: 'server_error' } }))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: reply.model ?? `${body.model}-stub`,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content, refusal: null }, finish_reason: reply.finishReason ?? 'stop', logprobs: null }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }
      }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests }
}

