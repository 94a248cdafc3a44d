/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) whose replies a test scripts:
 * a completion, an HTTP error, or a hang. It records every request it receives.
 *
 * It takes image input as a vision model does and checks it as OpenAI does: every image_url
 * part must be a base64 data URL of a PNG, JPEG, GIF or WebP whose bytes decode as that format
 * (read with sharp), with detail low, high or auto; anything else is refused with a 400
 * invalid_request_error before the script is consulted (those land in `refused`, not in
 * `requests`). `acceptsImages: false` plays a text-only model that refuses any image.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp, { type Metadata } from 'sharp'
import type { TestContext } from './environment.js'

export type Reply =
  | { content: string, model?: string, finishReason?: string }
  | { status: number, error: string }
  | { hang: 'before-headers' | 'after-headers' }

export type ContentPart =
  | { type: 'text', text: string }
  | { type: 'image_url', image_url: { url: string, detail?: string } }

export interface ReceivedImage {
  /** The media type the data URL declared. */
  mediaType: string
  /** What the bytes decode as (sharp): jpeg, png... */
  format: string
  width: number
  height: number
  bytes: number
  detail: string | undefined
}

export interface RecordedRequest {
  authorization: string | undefined
  body: { model: string, temperature?: number, messages: Array<{ role: string, content: string | ContentPart[] }> }
  /** Every image the request carried, in order. */
  images: ReceivedImage[]
  /** All text of the request's messages, joined with newlines. */
  text: string
}

export interface Refusal { status: number, code: string, message: string }

export interface Stub { baseUrl: string, requests: RecordedRequest[], refused: Refusal[] }

export interface StubOptions {
  /** false: a text-only model, refusing every image part (default true). */
  acceptsImages?: boolean
}

const IMAGE_TYPES: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' }
const DETAILS = ['low', 'high', 'auto']

class BadRequest extends Error {
  constructor (readonly code: string, message: string) { super(message) }
}

/** Checks one image part as OpenAI does and says what it holds. */
async function readImage (part: { image_url?: { url?: unknown, detail?: unknown } }): Promise<ReceivedImage> {
  const url = part.image_url?.url
  const detail = part.image_url?.detail
  if (typeof url !== 'string') throw new BadRequest('invalid_type', 'Invalid type for \'messages[].content[].image_url.url\': expected a string.')
  if (detail !== undefined && (typeof detail !== 'string' || !DETAILS.includes(detail))) {
    throw new BadRequest('invalid_value', `Invalid value for 'detail': '${String(detail)}'. Supported values are: 'low', 'high' and 'auto'.`)
  }
  const match = /^data:([\w/+.-]+);base64,(.*)$/s.exec(url)
  if (!match) throw new BadRequest('invalid_image_url', 'Invalid image URL: the stub takes only base64 data URLs (data:image/jpeg;base64,...).')
  const [, mediaType, payload] = match as unknown as [string, string, string]
  const expected = IMAGE_TYPES[mediaType.toLowerCase()]
  if (!expected) throw new BadRequest('invalid_image_format', `Invalid MIME type. Only image types are supported. (got ${mediaType})`)
  if (payload.length === 0 || payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) {
    throw new BadRequest('invalid_image_url', 'Invalid base64 image_url.')
  }
  const bytes = Buffer.from(payload, 'base64')
  let meta: Metadata
  try {
    meta = await sharp(bytes).metadata()
    // The header alone can look right: decode the pixels too, as a server resizing it would.
    await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer()
  } catch {
    throw new BadRequest('invalid_image_format', 'You uploaded an unsupported image. Please make sure your image is valid.')
  }
  if (meta.format !== expected) {
    throw new BadRequest('invalid_image_format', `You uploaded an unsupported image: declared ${mediaType}, but the data is ${meta.format}.`)
  }
  return { mediaType, format: meta.format, width: meta.width, height: meta.height, bytes: bytes.length, detail }
}

/** The images of a request, checked; throws BadRequest at the first bad part. */
async function readParts (body: RecordedRequest['body'], acceptsImages: boolean): Promise<{ images: ReceivedImage[], text: string }> {
  const images: ReceivedImage[] = []
  const texts: string[] = []
  if (!Array.isArray(body?.messages)) throw new BadRequest('invalid_type', 'Invalid type for \'messages\': expected an array.')
  for (const message of body.messages) {
    if (typeof message.content === 'string') { texts.push(message.content); continue }
    if (!Array.isArray(message.content)) throw new BadRequest('invalid_type', 'Invalid type for \'messages[].content\': expected a string or an array.')
    for (const part of message.content as Array<Record<string, unknown>>) {
      if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text)
      else if (part.type === 'image_url') {
        if (!acceptsImages || message.role !== 'user') throw new BadRequest('invalid_content', 'Image input is not supported for this model or message role.')
        images.push(await readImage(part as { image_url?: { url?: unknown, detail?: unknown } }))
      } else throw new BadRequest('invalid_value', `Invalid value: '${String(part.type)}'. Supported values are: 'text' and 'image_url'.`)
    }
  }
  return { images, text: texts.join('\n') }
}

/**
 * Starts the server; `script(n, request)` gives the reply to the n-th accepted request (0-based),
 * which it may tell apart by what the request holds (images or not, when two calls overlap).
 */
export async function startStub (t: TestContext, script: (n: number, request: RecordedRequest) => Reply, options: StubOptions = {}): Promise<Stub> {
  const requests: RecordedRequest[] = []
  const refused: Refusal[] = []
  const acceptsImages = options.acceptsImages ?? true
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }))
          return
        }
        let body: RecordedRequest['body']
        let parts: { images: ReceivedImage[], text: string }
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body']
          parts = await readParts(body, acceptsImages)
        } catch (error) {
          const bad = error instanceof BadRequest ? error : new BadRequest('invalid_json', 'We could not parse the JSON body of your request.')
          refused.push({ status: 400, code: bad.code, message: bad.message })
          res.writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: bad.message, type: 'invalid_request_error', param: null, code: bad.code } }))
          return
        }
        const recorded: RecordedRequest = { authorization: req.headers.authorization, body, ...parts }
        requests.push(recorded)
        const reply = script(requests.length - 1, recorded)
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
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests, refused }
}
