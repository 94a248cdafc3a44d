/**
 * multipart/form-data bodies written by hand, so tests control the order of parts, the declared
 * content types and broken forms exactly (a FormData object decides those itself).
 */
import crypto from 'node:crypto'

export type FormPart =
  | { name: string, value: string, contentType?: string }
  | { name: string, filename: string, contentType: string, data: Buffer }

export function formData (parts: FormPart[]): { payload: Buffer, headers: Record<string, string> } {
  const boundary = `----candor${crypto.randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n` +
        (part.contentType ? `Content-Type: ${part.contentType}\r\n` : '') + `\r\n${part.value}\r\n`))
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
        `Content-Type: ${part.contentType}\r\n\r\n`), part.data, Buffer.from('\r\n'))
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** The same form as a stream: the file read from disk as it is sent (for uploads larger than memory should hold). */
export async function * streamedForm (boundary: string, fields: Record<string, string>, file: { filename: string, contentType: string, chunks: AsyncIterable<Uint8Array> }): AsyncGenerator<Uint8Array> {
  for (const [name, value] of Object.entries(fields)) {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
  }
  yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`)
  for await (const chunk of file.chunks) yield chunk
  yield Buffer.from(`\r\n--${boundary}--\r\n`)
}
