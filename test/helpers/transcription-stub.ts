/**
 * A local OpenAI-compatible speech-to-text server (POST /v1/audio/transcriptions, multipart)
 * whose replies a test scripts: a verbose_json transcript or an HTTP error. It records every
 * request with its form fields and the uploaded file.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from './environment.js'

export type TranscriptionReply =
  | { json: Record<string, unknown> }
  | { status: number, error: string }

export interface UploadedFile { filename: string, contentType: string, data: Buffer }

export interface TranscriptionRequest {
  authorization: string | undefined
  /** Text fields by name (a repeated field such as timestamp_granularities[] has several values). */
  fields: Record<string, string[]>
  file: UploadedFile | null
}

export interface TranscriptionStub { baseUrl: string, requests: TranscriptionRequest[] }

interface Part { name: string, filename?: string, contentType?: string, data: Buffer }

/** Splits a multipart/form-data body into its parts (enough of RFC 7578 for the openai client). */
export function parseMultipart (body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType)
  if (!boundary) throw new Error(`no multipart boundary in "${contentType}"`)
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`)
  const parts: Part[] = []
  let start = body.indexOf(delimiter)
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length)
    if (next < 0) break
    const chunk = body.subarray(start + delimiter.length + 2, next - 2) // without the CRLFs around it
    const split = chunk.indexOf('\r\n\r\n')
    const headers = chunk.subarray(0, split).toString('utf8')
    const disposition = /content-disposition:[^\r\n]*?name="([^"]*)"(?:; filename="([^"]*)")?/i.exec(headers)
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)
    parts.push({
      name: disposition?.[1] ?? '',
      ...(disposition?.[2] !== undefined ? { filename: disposition[2] } : {}),
      ...(type ? { contentType: type[1]!.trim() } : {}),
      data: chunk.subarray(split + 4)
    })
    start = next
  }
  return parts
}

/** Starts the server; `script(n)` gives the reply to the n-th request (0-based). */
export async function startTranscriptionStub (t: TestContext, script: (n: number) => TranscriptionReply): Promise<TranscriptionStub> {
  const requests: TranscriptionRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }))
        return
      }
      const fields: Record<string, string[]> = {}
      let file: UploadedFile | null = null
      for (const part of parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '')) {
        if (part.filename !== undefined) file = { filename: part.filename, contentType: part.contentType ?? '', data: part.data }
        else (fields[part.name] ??= []).push(part.data.toString('utf8'))
      }
      requests.push({ authorization: req.headers.authorization, fields, file })
      const reply = script(requests.length - 1)
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.error, type: 'server_error' } }))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests }
}
