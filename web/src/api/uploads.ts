/**
 * A recording from the browser to S3 through Candor's upload endpoint: POST /uploads, the bytes
 * PUT straight to the presigned URL(s) with progress, then POST /uploads/:id/complete, which can
 * start the analysis. Owned by the record/upload page; the live page uses it too.
 *
 * - `put`: one XHR PUT of the whole file with the signed headers.
 * - `multipart`: each part's slice PUT to its URL, PART_CONCURRENCY at a time, progress summed.
 *   A part that fails is tried again (PART_ATTEMPTS in all) with fresh URLs from GET /uploads/:id,
 *   which also says which parts S3 already holds. The server completes the upload from S3's list,
 *   so ETags are never needed here.
 * - Cancelling (the signal) aborts the PUTs in flight and the upload (DELETE /uploads/:id).
 */
import type { Static } from 'typebox'
import type { AnalyzeOptions } from '../../../src/schemas/analysis.js'
import type { UploadResponse } from '../../../src/schemas/uploads.js'
import { request } from './client.js'

export interface UploadProgress {
  sentBytes: number
  totalBytes: number
  /** creating: asking for URLs; sending: bytes to S3; completing: storing and starting the analysis. */
  phase: 'creating' | 'sending' | 'completing' | 'done'
  /** Times a PUT failed and was tried again so far. */
  retries: number
}

export interface UploadRequest {
  file: Blob
  filename?: string
  /** The person the recording belongs to (user_id of the analysis). */
  userId: string
  /** Start the analysis once stored, with these options. */
  analyze?: { sessionId: string, options?: Static<typeof AnalyzeOptions> }
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
  /** Overrides the file's own type (e.g. a File whose type the OS left empty). */
  contentType?: string
}

export interface UploadResult {
  uploadId: string
  /** Set when `analyze` was given. */
  analysisId: string | null
  /** 'put' or 'multipart': how the bytes went. */
  method: 'put' | 'multipart' | 'direct'
}

/** The server's defaults (UPLOAD_CONTENT_TYPES, MAX_VIDEO_BYTES); the server has the last word (415, 413). */
export const UPLOAD_CONTENT_TYPES = ['video/webm', 'video/mp4', 'video/quicktime', 'video/x-matroska'] as const
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3

/** Parts in flight at once: enough to fill a home uplink, few enough not to starve the page. */
export const PART_CONCURRENCY = 3
/** Tries per PUT (the first included) before the upload fails. */
export const PART_ATTEMPTS = 4

const EXTENSION_TYPES: Record<string, string> = { webm: 'video/webm', mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', mkv: 'video/x-matroska' }

/** The file's media type without parameters, from its type or, when the browser gave none, its name. */
export function fileContentType (file: Blob, filename?: string): string {
  const type = file.type.split(';')[0]!.trim().toLowerCase()
  if (type) return type
  const extension = (filename ?? (file instanceof File ? file.name : '')).split('.').pop()?.toLowerCase() ?? ''
  return EXTENSION_TYPES[extension] ?? ''
}

export type FileProblem = { kind: 'empty' } | { kind: 'type', type: string } | { kind: 'size', size: number, max: number }

/** Why the server would refuse this file, checked before any byte is sent; null when it looks fine. */
export function checkFile (file: Blob, filename?: string): FileProblem | null {
  if (file.size === 0) return { kind: 'empty' }
  const type = fileContentType(file, filename)
  if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(type)) return { kind: 'type', type: type || 'unknown' }
  if (file.size > MAX_UPLOAD_BYTES) return { kind: 'size', size: file.size, max: MAX_UPLOAD_BYTES }
  return null
}

/** A PUT to S3 that failed; status 0 when the browser saw no response (network, or S3 refused without CORS headers). */
export class TransferError extends Error {
  constructor (readonly status: number, message: string) {
    super(message)
    this.name = 'TransferError'
  }
}

function abortError (): DOMException {
  return new DOMException('the upload was cancelled', 'AbortError')
}

export async function uploadRecording (upload: UploadRequest): Promise<UploadResult> {
  const { file, signal } = upload
  const filename = upload.filename ?? (file instanceof File ? file.name : undefined)
  const contentType = upload.contentType ?? fileContentType(file, filename)
  const totalBytes = file.size
  let retries = 0
  const report = (phase: UploadProgress['phase'], sentBytes: number) => upload.onProgress?.({ sentBytes, totalBytes, phase, retries })
  if (signal?.aborted) throw abortError()

  report('creating', 0)
  let created = await request<UploadResponse>('/uploads', {
    method: 'POST',
    body: { content_type: contentType || 'application/octet-stream', size: totalBytes, ...(filename ? { filename: filename.slice(0, 255) } : {}), user_id: upload.userId },
    ...(signal ? { signal } : {})
  })
  const id = created.upload_id
  try {
    if (created.method === 'put') {
      await withRetries(async (attempt) => {
        if (attempt > 1) created = await request<UploadResponse>(`/uploads/${id}`, signal ? { signal } : {})
        if (created.state !== 'pending' || !created.put) return // already there
        await put(created.put.url, created.put.headers, file, (loaded) => report('sending', loaded), signal)
      }, () => { retries++ }, signal)
      report('sending', totalBytes)
    } else if (created.method === 'multipart') {
      await sendParts(id, created, file, (sent) => report('sending', sent), () => { retries++ }, signal)
      report('sending', totalBytes)
    } else {
      throw new Error(`unexpected upload method ${created.method}`)
    }
    if (signal?.aborted) throw abortError()
    report('completing', totalBytes)
    const analyze = upload.analyze
    const completed = await request<UploadResponse>(`/uploads/${id}/complete`, {
      method: 'POST',
      body: analyze ? { analyze: { session_id: analyze.sessionId, ...(analyze.options ? { options: analyze.options } : {}) } } : {}
    })
    report('done', totalBytes)
    return { uploadId: id, analysisId: completed.analysis?.analysis_id ?? completed.analysis_id ?? null, method: created.method }
  } catch (error) {
    // Cancelled (or failed for good) before completing: nothing should stay behind in S3.
    if (signal?.aborted || error instanceof TransferError) {
      await request(`/uploads/${id}`, { method: 'DELETE' }).catch(() => undefined)
    }
    if (signal?.aborted) throw abortError()
    throw error
  }
}

/** Runs `work(attempt)` up to PART_ATTEMPTS times while it fails with a TransferError, waiting a little longer each time. */
async function withRetries (work: (attempt: number) => Promise<void>, onRetry: () => void, signal?: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await work(attempt)
      return
    } catch (error) {
      if (signal?.aborted) throw abortError()
      if (!(error instanceof TransferError) || attempt >= PART_ATTEMPTS) throw error
      onRetry()
      await sleep(500 * 2 ** (attempt - 1), signal)
    }
  }
}

async function sendParts (
  id: string, created: UploadResponse, file: Blob, onSent: (sent: number) => void, onRetry: () => void, signal?: AbortSignal
): Promise<void> {
  const parts = created.parts ?? []
  // Bytes of finished parts plus what each part in flight has sent.
  let done = parts.filter((p) => p.uploaded).reduce((sum, p) => sum + p.size, 0)
  const inFlight = new Map<number, number>()
  const emit = () => onSent(done + [...inFlight.values()].reduce((a, b) => a + b, 0))
  const urls = new Map(parts.map((p) => [p.part_number, p.url]))
  const queue = parts.filter((p) => !p.uploaded)
  let refreshing: Promise<void> | null = null
  /** Fresh URLs for every part S3 does not hold yet (one GET shared by the parts that need it). */
  const refresh = async () => {
    refreshing ??= request<UploadResponse>(`/uploads/${id}`, signal ? { signal } : {}).then((fresh) => {
      for (const p of fresh.parts ?? []) urls.set(p.part_number, p.uploaded ? null : p.url)
    }).finally(() => { refreshing = null })
    await refreshing
  }
  emit()
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const { part_number: number, offset, size } = part
      await withRetries(async (attempt) => {
        if (attempt > 1) await refresh()
        const url = urls.get(number)
        if (url === null || url === undefined) return // S3 already holds it (an earlier try got through)
        inFlight.set(number, 0)
        emit()
        try {
          await put(url, {}, file.slice(offset, offset + size), (loaded) => { inFlight.set(number, loaded); emit() }, signal)
        } finally {
          inFlight.delete(number)
        }
      }, onRetry, signal)
      done += size
      emit()
    }
  }
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, queue.length) }, worker))
}

/** Headers the browser sets itself and refuses from scripts. */
const FORBIDDEN = new Set(['content-length', 'host', 'connection', 'expect'])

function put (url: string, headers: Record<string, string>, body: Blob, onProgress: (loaded: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError())
      return
    }
    const xhr = new XMLHttpRequest()
    const onAbort = () => xhr.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const settle = () => signal?.removeEventListener('abort', onAbort)
    xhr.open('PUT', url)
    for (const [name, value] of Object.entries(headers)) {
      if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value)
    }
    xhr.upload.addEventListener('progress', (event) => onProgress(Math.min(event.loaded, body.size)))
    xhr.addEventListener('load', () => {
      settle()
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size)
        resolve()
      } else {
        reject(new TransferError(xhr.status, `storage refused the upload (${xhr.status}${s3Code(xhr.responseText)})`))
      }
    })
    xhr.addEventListener('error', () => { settle(); reject(new TransferError(0, 'the connection to storage failed')) })
    xhr.addEventListener('timeout', () => { settle(); reject(new TransferError(0, 'storage did not answer in time')) })
    xhr.addEventListener('abort', () => { settle(); reject(abortError()) })
    xhr.send(body)
  })
}

/** S3's error code from its XML body, e.g. " AccessDenied". */
function s3Code (body: string): string {
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(body)?.[1]
  return code ? ` ${code}` : ''
}

function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = () => { clearTimeout(timer); reject(abortError()) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
