/**
 * Getting a recording into S3 for a tenant. The server chooses every key (under the tenant's
 * allowed location), so a client can never write anywhere else. Three ways in:
 *  - put: one presigned PUT with Content-Type and Content-Length signed (the size cannot be
 *    exceeded), checked with a HEAD on completion;
 *  - multipart: presigned part URLs; completion lists the parts S3 holds, checks each part's
 *    size against the plan and completes server-side (the client never handles ETags);
 *  - direct: the file streamed through the API to S3 with a byte cap and a container sniff.
 * Completing (or a direct upload) may start the analysis through the same service as
 * POST /analyze.
 */
import crypto from 'node:crypto'
import { Transform, type Readable } from 'node:stream'
import type { Config } from '../config.js'
import type { UploadRepository, UploadRecord } from '../repositories/uploads.js'
import type { AnalysisRepository } from '../repositories/analyses.js'
import type { Tenant } from '../repositories/tenants.js'
import type { ObjectStorage } from '../storage/object-storage.js'
import { StorageError } from '../storage/object-storage.js'
import type { AnalysisQueue } from '../queue/analysis-queue.js'
import { checkLocation, describeLocation, LocationRefused, type S3Location } from '../auth/locations.js'
import { acceptAnalysis, RequestRejected, type AcceptedAnalysis, type RequestDeps } from './analysis-requests.js'
import { formatBytes } from '../format.js'

/** A request the client must change (or retry: 503), with this message. */
export class UploadRejected extends Error {
  constructor (readonly statusCode: 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503, message: string) {
    super(message)
    this.name = 'UploadRejected'
  }
}

export interface UploadDeps {
  config: Pick<Config, 'uploads' | 's3'> & RequestDeps['config']
  uploads: UploadRepository
  analyses: AnalysisRepository
  storage: ObjectStorage
  queue: AnalysisQueue
}

/** S3's limits for multipart uploads: parts of at least 5 MiB (but the last), at most 10,000 of them. */
const MIN_PART_BYTES = 5 * 1024 ** 2
const MAX_PARTS = 10_000

export interface PartPlan { partNumber: number, offset: number, size: number }

/** A pending upload's instructions: where and how to send the bytes. */
export interface UploadView {
  upload: UploadRecord
  put: { url: string, headers: Record<string, string> } | null
  parts: Array<PartPlan & { uploaded: boolean, url: string | null }> | null
}

export interface AnalyzeRequest { userId?: string, sessionId: string, options?: Record<string, unknown>, idempotencyKey?: string }

// ---- content types and containers ---------------------------------------------------------

type Container = 'matroska' | 'isobmff'

/** The containers the known types must start with (webm is a Matroska profile, mov and mp4 are ISO BMFF). */
const CONTAINER_OF: Record<string, Container> = {
  'video/webm': 'matroska',
  'video/x-matroska': 'matroska',
  'video/mp4': 'isobmff',
  'video/quicktime': 'isobmff'
}

const EXTENSION_OF: Record<string, string> = {
  'video/webm': 'webm', 'video/x-matroska': 'mkv', 'video/mp4': 'mp4', 'video/quicktime': 'mov'
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/

/**
 * The media type without parameters ("video/webm;codecs=vp8,opus" -> "video/webm"), if it is one
 * the deployment accepts; else 415 naming the accepted ones.
 */
export function acceptedContentType (declared: string, allowed: readonly string[]): string {
  const type = declared.split(';')[0]!.trim().toLowerCase()
  if (!MEDIA_TYPE.test(type) || !allowed.some((a) => a.toLowerCase() === type)) {
    throw new UploadRejected(415, `content type "${declared.slice(0, 100)}" is not accepted for uploads (accepted: ${allowed.join(', ')})`)
  }
  return type
}

/** The container a file's first bytes announce: Matroska/WebM (EBML header) or ISO BMFF (mp4, mov). */
export function sniffContainer (head: Uint8Array): Container | null {
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'matroska'
  // An ISO BMFF file starts with a box: 4 bytes of size, then its type. Old QuickTime files
  // may start with moov, mdat, wide, free, skip or pnot instead of ftyp.
  const box = head.length >= 8 ? Buffer.from(head.subarray(4, 8)).toString('latin1') : ''
  if (['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(box)) return 'isobmff'
  return null
}

const CONTAINER_NAME: Record<Container, string> = { matroska: 'WebM/Matroska', isobmff: 'MP4/QuickTime' }

/** Refuses a file whose first bytes do not match its declared known type (a renamed text file, say). */
function checkSignature (head: Uint8Array, contentType: string): void {
  const expected = CONTAINER_OF[contentType]
  if (!expected) return // a type the deployment added: ffprobe decides when it is analysed
  const found = sniffContainer(head)
  if (found === expected) return
  throw new UploadRejected(415, found
    ? `the file is declared as ${contentType} but its first bytes are those of a ${CONTAINER_NAME[found]} file; declare ${found === 'matroska' ? 'video/webm' : 'video/mp4'}`
    : `the file is declared as ${contentType} but does not start like a ${CONTAINER_NAME[expected]} file (first bytes ${Buffer.from(head.subarray(0, 8)).toString('hex') || 'none'})`)
}

// ---- where the object goes ----------------------------------------------------------------

/** The tenant's location for uploads: one in the uploads bucket when it has one. */
export function uploadLocation (tenant: Tenant, uploadsBucket: string): S3Location {
  const location = tenant.allowedLocations.find((l) => l.bucket === uploadsBucket) ?? tenant.allowedLocations[0]
  if (!location) throw new UploadRejected(403, `tenant "${tenant.id}" has no allowed S3 location to upload to (add one: npm run keys -- tenant ${tenant.id} --allow bucket/prefix)`)
  return location
}

/** `<prefix>uploads/<id>.<ext>`: chosen by the server, checked like any key a tenant names. */
function uploadKey (location: S3Location, id: string, contentType: string): string {
  const key = `${location.prefix}uploads/${id}.${EXTENSION_OF[contentType] ?? 'video'}`
  try {
    checkLocation([location], location.bucket, key)
  } catch (error) {
    if (error instanceof LocationRefused) throw new UploadRejected(403, `cannot upload under ${describeLocation(location)}: ${error.message}`)
    throw error
  }
  return key
}

/** Parts of at least UPLOAD_PART_BYTES (larger when the file would need over 10,000). */
export function planParts (size: number, configuredPartBytes: number): { partBytes: number, parts: PartPlan[] } {
  const partBytes = Math.max(configuredPartBytes, MIN_PART_BYTES, Math.ceil(size / MAX_PARTS))
  const parts: PartPlan[] = []
  for (let offset = 0, n = 1; offset < size; offset += partBytes, n++) {
    parts.push({ partNumber: n, offset, size: Math.min(partBytes, size - offset) })
  }
  return { partBytes, parts }
}

// ---- presigned uploads --------------------------------------------------------------------

export interface NewUploadRequest { contentType: string, size: number, filename?: string, userId?: string }

/** Records an upload and hands out its URLs: one PUT up to the part size, else a multipart upload. */
export async function createUpload (tenant: Tenant, request: NewUploadRequest, deps: UploadDeps): Promise<UploadView> {
  const { config, storage, uploads } = deps
  const contentType = acceptedContentType(request.contentType, config.uploads.contentTypes)
  if (request.size > config.limits.maxVideoBytes) {
    throw new UploadRejected(413, `file too large: ${formatBytes(request.size)} > the ${formatBytes(config.limits.maxVideoBytes)} limit (MAX_VIDEO_BYTES)`)
  }
  const location = uploadLocation(tenant, config.s3.uploadsBucket)
  const id = crypto.randomUUID()
  const key = uploadKey(location, id, contentType)
  const multipart = request.size > config.uploads.partBytes
  const plan = multipart ? planParts(request.size, config.uploads.partBytes) : null
  const multipartUploadId = plan ? await storageCall(() => storage.createMultipartUpload(location.bucket, key, contentType)) : undefined
  const record = (): Promise<UploadRecord> => uploads.create({
    tenantId: tenant.id,
    ...(request.userId !== undefined ? { userId: request.userId } : {}),
    ...(request.filename !== undefined ? { filename: request.filename } : {}),
    s3Bucket: location.bucket,
    s3Key: key,
    contentType,
    sizeBytes: request.size,
    method: plan ? 'multipart' : 'put',
    ...(plan ? { partBytes: plan.partBytes, multipartUploadId } : {}),
    expiresAt: new Date(Date.now() + config.uploads.urlSeconds * 1000)
  }, id)
  let upload: UploadRecord
  try {
    upload = await record()
  } catch (error) {
    // Without its row nobody could ever complete or abort it.
    if (multipartUploadId) await storage.abortMultipartUpload(location.bucket, key, multipartUploadId).catch(() => {})
    throw error
  }
  return await instructions(upload, [], deps, upload.expiresAt)
}

/** The tenant's upload with, while pending, fresh URLs for what is still missing (to resume). */
export async function describeUpload (tenantId: string, id: string, deps: UploadDeps): Promise<UploadView> {
  const upload = await ownedUpload(tenantId, id, deps)
  if (upload.state !== 'pending' || upload.method === 'direct') return { upload, put: null, parts: null }
  const uploaded = upload.method === 'multipart' ? await listUploadedParts(upload, deps) : []
  if (uploaded === null) throw new UploadRejected(409, `the multipart upload of ${upload.id} no longer exists in S3; start a new upload with POST /uploads`)
  const expiresAt = new Date(Date.now() + deps.config.uploads.urlSeconds * 1000)
  await deps.uploads.extendExpiry(upload.id, expiresAt)
  return await instructions({ ...upload, expiresAt: new Date(Math.max(expiresAt.getTime(), upload.expiresAt.getTime())) }, uploaded, deps, expiresAt)
}

async function instructions (upload: UploadRecord, uploaded: ReadonlyArray<{ partNumber: number, size: number }>, deps: UploadDeps, expiresAt: Date): Promise<UploadView> {
  const { storage } = deps
  const seconds = Math.max(1, Math.round((expiresAt.getTime() - Date.now()) / 1000))
  if (upload.method === 'put') {
    const url = await storage.presignPut(upload.s3Bucket, upload.s3Key, { contentType: upload.contentType, contentLength: upload.sizeBytes, expiresInSeconds: seconds })
    return { upload, put: { url, headers: { 'content-type': upload.contentType } }, parts: null }
  }
  const { parts } = planParts(upload.sizeBytes, upload.partBytes!)
  const done = new Map(uploaded.map((p) => [p.partNumber, p.size]))
  return {
    upload,
    put: null,
    parts: await Promise.all(parts.map(async (part) => {
      // A part of the wrong size must be sent again (the same part number replaces it).
      const isUploaded = done.get(part.partNumber) === part.size
      return {
        ...part,
        uploaded: isUploaded,
        url: isUploaded ? null : await storage.presignPart(upload.s3Bucket, upload.s3Key, upload.multipartUploadId!, part, seconds)
      }
    }))
  }
}

/**
 * Finishes an upload: a multipart upload is completed from the parts S3 holds (each checked
 * against the plan), a single PUT is checked with a HEAD. Completing again is harmless, and
 * `analyze` may then still start the analysis (its own replay rules apply).
 */
export async function completeUpload (tenant: Tenant, id: string, analyze: AnalyzeRequest | undefined, deps: UploadDeps): Promise<{ view: UploadView, analysis: AcceptedAnalysis | null }> {
  let upload = await ownedUpload(tenant.id, id, deps)
  if (upload.state === 'aborted') throw new UploadRejected(409, `upload ${id} was aborted; start a new one with POST /uploads`)
  if (upload.state === 'pending') {
    if (upload.method === 'direct') throw new UploadRejected(409, `upload ${id} is a direct upload still being received`)
    const size = upload.method === 'multipart' ? await completeMultipart(upload, deps) : await checkSinglePut(upload, deps)
    if (!(await deps.uploads.markCompleted(upload.id, size))) {
      // Aborted meanwhile (DELETE raced this request): leave nothing behind.
      const now = (await deps.uploads.get(upload.id))!
      if (now.state === 'aborted') {
        await deps.storage.delete(upload.s3Bucket, upload.s3Key).catch(() => {})
        throw new UploadRejected(409, `upload ${id} was aborted while completing`)
      }
    }
    upload = (await deps.uploads.get(upload.id))!
  }
  const analysis = analyze ? await startAnalysis(tenant, upload, analyze, deps) : null
  return { view: { upload: analysis ? { ...upload, analysisId: analysis.analysis.id } : upload, put: null, parts: null }, analysis }
}

async function completeMultipart (upload: UploadRecord, deps: UploadDeps): Promise<number> {
  const { storage } = deps
  const uploaded = await listUploadedParts(upload, deps)
  if (uploaded === null) return await finishedElsewhere(upload, deps)
  const { parts } = planParts(upload.sizeBytes, upload.partBytes!)
  const held = new Map(uploaded.map((p) => [p.partNumber, p]))
  const extra = uploaded.filter((p) => p.partNumber > parts.length).map((p) => p.partNumber)
  if (extra.length > 0) throw new UploadRejected(422, `upload ${upload.id} has parts beyond the ${parts.length} planned: ${extra.join(', ')}`)
  const missing = parts.filter((p) => !held.has(p.partNumber)).map((p) => p.partNumber)
  if (missing.length > 0) {
    throw new UploadRejected(409, `upload ${upload.id} is incomplete: part${missing.length > 1 ? 's' : ''} ${summariseNumbers(missing)} of ${parts.length} not uploaded yet (GET /uploads/${upload.id} gives their URLs)`)
  }
  const wrong = parts.filter((p) => held.get(p.partNumber)!.size !== p.size)
  if (wrong.length > 0) {
    const first = wrong[0]!
    throw new UploadRejected(422, `upload ${upload.id}: part ${first.partNumber} is ${held.get(first.partNumber)!.size} bytes, expected ${first.size}${wrong.length > 1 ? ` (and ${wrong.length - 1} more part(s) of the wrong size)` : ''}; upload ${wrong.length > 1 ? 'them' : 'it'} again (GET /uploads/${upload.id} gives the URLs)`)
  }
  try {
    await storage.completeMultipartUpload(upload.s3Bucket, upload.s3Key, upload.multipartUploadId!, uploaded)
  } catch (error) {
    // A concurrent complete may have won: then the object is there and the upload id is gone.
    if (error instanceof StorageError && error.code === 'object_not_found') return await finishedElsewhere(upload, deps)
    throw storageRejected(error)
  }
  return await checkStoredSize(upload, deps)
}

/** The multipart upload is gone from S3: completed by a concurrent request, or aborted outside the API. */
async function finishedElsewhere (upload: UploadRecord, deps: UploadDeps): Promise<number> {
  const info = await storageCall(() => deps.storage.head(upload.s3Bucket, upload.s3Key))
  if (info && info.size === upload.sizeBytes) return info.size
  throw new UploadRejected(409, `the multipart upload of ${upload.id} no longer exists in S3; start a new upload with POST /uploads`)
}

async function checkSinglePut (upload: UploadRecord, deps: UploadDeps): Promise<number> {
  const info = await storageCall(() => deps.storage.head(upload.s3Bucket, upload.s3Key))
  if (!info) throw new UploadRejected(409, `nothing uploaded yet for ${upload.id}: PUT the file to its URL first (GET /uploads/${upload.id} gives a fresh one)`)
  return await checkStoredSize(upload, deps, info.size)
}

async function checkStoredSize (upload: UploadRecord, deps: UploadDeps, known?: number): Promise<number> {
  const size = known ?? (await storageCall(() => deps.storage.head(upload.s3Bucket, upload.s3Key)))?.size
  if (size === upload.sizeBytes) return size
  throw new UploadRejected(422, `upload ${upload.id}: S3 holds ${size === undefined ? 'no object' : `${size} bytes`}, but ${upload.sizeBytes} were declared`)
}

/** The parts S3 holds, or null when the multipart upload no longer exists there. */
async function listUploadedParts (upload: UploadRecord, deps: UploadDeps) {
  try {
    return await deps.storage.listParts(upload.s3Bucket, upload.s3Key, upload.multipartUploadId!)
  } catch (error) {
    if (error instanceof StorageError && error.code === 'object_not_found') return null
    throw storageRejected(error)
  }
}

/**
 * Aborts a pending upload: the multipart upload and its parts go, and a single PUT's object if
 * it was already sent. Aborting twice is harmless; a completed upload cannot be aborted.
 */
export async function abortUpload (tenantId: string, id: string, deps: UploadDeps): Promise<void> {
  const upload = await ownedUpload(tenantId, id, deps)
  if (upload.state === 'completed') throw new UploadRejected(409, `upload ${id} is already completed; its object ${upload.s3Bucket}/${upload.s3Key} stays`)
  if (upload.state === 'aborted') return
  await abortPending(upload, deps)
}

/**
 * Pending uploads whose URLs expired more than `graceMs` ago (and direct uploads that have run
 * past their time: their process died) are aborted, so S3 keeps no parts nobody will complete.
 * For the sweeper; returns how many were aborted. One that fails stays for the next sweep.
 */
export async function abortExpiredUploads (deps: Pick<UploadDeps, 'uploads' | 'storage'>, options: { graceMs: number, now?: number }): Promise<{ aborted: number, failed: number }> {
  const before = new Date((options.now ?? Date.now()) - options.graceMs)
  const counts = { aborted: 0, failed: 0 }
  for (;;) {
    const page = await deps.uploads.listExpiredPending(before, EXPIRED_PAGE)
    let done = 0
    for (const upload of page) {
      try {
        await abortPending(upload, deps)
        done++
      } catch {
        counts.failed++
      }
    }
    counts.aborted += done
    if (page.length < EXPIRED_PAGE || done === 0) return counts
  }
}

const EXPIRED_PAGE = 100

/** S3 first (a failure leaves the row pending, to be tried again), then the row. */
async function abortPending (upload: UploadRecord, deps: Pick<UploadDeps, 'uploads' | 'storage'>): Promise<void> {
  if (upload.method === 'multipart') await storageCall(() => deps.storage.abortMultipartUpload(upload.s3Bucket, upload.s3Key, upload.multipartUploadId!))
  // Also for a single PUT (the object may be there, uncompleted) and a direct upload in flight
  // (its receiver finds the row aborted and deletes what it stored).
  await storageCall(() => deps.storage.delete(upload.s3Bucket, upload.s3Key))
  await deps.uploads.markAborted(upload.id)
}

/** Takes back a direct upload whose request failed after the file was stored: the client never learnt of it. */
export async function discardUpload (upload: UploadRecord, deps: UploadDeps): Promise<void> {
  await deps.uploads.markAborted(upload.id, { completed: true })
  await storageCall(() => deps.storage.delete(upload.s3Bucket, upload.s3Key))
}

// ---- direct uploads -----------------------------------------------------------------------

export interface DirectFile { stream: Readable, contentType: string, filename?: string }

/**
 * Streams a file to S3 under a server-chosen key: never held whole in memory (ObjectStorage.put
 * sends it in parts as it arrives). More than DIRECT_UPLOAD_MAX_BYTES is a 413, and a first few
 * bytes that are not the declared container a 415; either way S3 keeps nothing (lib-storage
 * aborts its multipart upload) and the upload row is marked aborted.
 */
export async function receiveDirectUpload (tenant: Tenant, file: DirectFile, userId: string | undefined, deps: UploadDeps): Promise<UploadRecord> {
  const { config, uploads, storage } = deps
  const contentType = acceptedContentType(file.contentType, config.uploads.contentTypes)
  const location = uploadLocation(tenant, config.s3.uploadsBucket)
  const id = crypto.randomUUID()
  const key = uploadKey(location, id, contentType)
  const upload = await uploads.create({
    tenantId: tenant.id,
    ...(userId !== undefined ? { userId } : {}),
    ...(file.filename ? { filename: file.filename.slice(0, 255) } : {}),
    // A direct upload may take as long as a presigned URL lives; past that (and the sweeper's
    // grace) its process is taken for dead.
    s3Bucket: location.bucket, s3Key: key, contentType, sizeBytes: 0, method: 'direct', expiresAt: new Date(Date.now() + config.uploads.urlSeconds * 1000)
  }, id)

  const inspector = new UploadInspector(config.uploads.directMaxBytes, contentType)
  // pipe() does not forward errors: a broken form (busboy) or a client gone must fail the upload too.
  let broken: Error | null = null
  file.stream.on('error', (error) => {
    broken = error
    inspector.destroy(error)
  })
  file.stream.pipe(inspector)
  try {
    await storage.put(location.bucket, key, inspector, contentType)
    if (inspector.bytes === 0) throw new UploadRejected(422, 'the file is empty')
  } catch (error) {
    file.stream.destroy()
    await uploads.markAborted(upload.id).catch(() => {})
    // A failed stream never completes a PutObject and lib-storage aborts its multipart
    // upload; an empty file did complete: nothing may be left in either case.
    await storage.delete(location.bucket, key).catch(() => {})
    if (inspector.rejection) throw inspector.rejection
    if (broken) throw new UploadRejected(400, `the request broke off before the file was complete: ${(broken as Error).message}`)
    throw storageRejected(error)
  }
  if (!(await uploads.markCompleted(upload.id, inspector.bytes))) {
    await storage.delete(location.bucket, key).catch(() => {})
    throw new UploadRejected(409, `upload ${upload.id} was aborted while it was being received`)
  }
  return (await uploads.get(upload.id))!
}

/** Bytes through unchanged, counted (over the limit: 413) and the first few checked for the container (415). */
class UploadInspector extends Transform {
  bytes = 0
  rejection: UploadRejected | null = null
  private head: Buffer[] = []
  private headBytes = 0
  private checked = false

  constructor (private readonly maxBytes: number, private readonly contentType: string) {
    super()
  }

  override _transform (chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length
    if (this.bytes > this.maxBytes) {
      return callback(this.reject(new UploadRejected(413, `file too large: over the ${formatBytes(this.maxBytes)} limit of direct uploads (DIRECT_UPLOAD_MAX_BYTES); use POST /uploads for larger files`)))
    }
    if (this.checked) return callback(null, chunk)
    this.head.push(chunk)
    this.headBytes += chunk.length
    if (this.headBytes < SNIFF_BYTES) return callback()
    this.release(callback)
  }

  override _flush (callback: (error?: Error | null, data?: Buffer) => void): void {
    if (this.checked || this.headBytes === 0) return callback()
    this.release(callback)
  }

  /** Checks the buffered first bytes, then lets them through. */
  private release (callback: (error?: Error | null, data?: Buffer) => void): void {
    const head = Buffer.concat(this.head)
    this.head = []
    this.checked = true
    try {
      checkSignature(head, this.contentType)
    } catch (error) {
      return callback(this.reject(error as UploadRejected))
    }
    callback(null, head)
  }

  private reject (rejection: UploadRejected): UploadRejected {
    this.rejection = rejection
    return rejection
  }
}

/** Enough for both signatures (EBML: 4 bytes, ISO BMFF: the first box's size and type). */
const SNIFF_BYTES = 12

// ---- analysis and helpers -----------------------------------------------------------------

/** Starts (or finds) the analysis of a completed upload, as POST /analyze would. */
export async function startAnalysis (tenant: Tenant, upload: UploadRecord, analyze: AnalyzeRequest, deps: UploadDeps): Promise<AcceptedAnalysis> {
  if (upload.state !== 'completed') throw new UploadRejected(409, `upload ${upload.id} is ${upload.state}, not completed`)
  const userId = analyze.userId ?? upload.userId
  if (!userId) throw new UploadRejected(400, 'analyze needs a user_id (or give one when creating the upload)')
  try {
    const accepted = await acceptAnalysis({
      tenant,
      s3Bucket: upload.s3Bucket,
      s3Key: upload.s3Key,
      userId,
      sessionId: analyze.sessionId,
      ...(analyze.idempotencyKey ? { idempotencyKey: analyze.idempotencyKey } : {}),
      options: analyze.options ?? {}
    }, { config: deps.config, analyses: deps.analyses, storage: deps.storage, queue: deps.queue })
    await deps.uploads.setAnalysis(upload.id, accepted.analysis.id)
    return accepted
  } catch (error) {
    if (error instanceof RequestRejected) {
      throw new UploadRejected(error.statusCode, `upload ${upload.id} is stored as ${upload.s3Bucket}/${upload.s3Key}, but the analysis was not started: ${error.message}`)
    }
    throw error
  }
}

async function ownedUpload (tenantId: string, id: string, deps: UploadDeps): Promise<UploadRecord> {
  const upload = await deps.uploads.getOwned(tenantId, id)
  // Another tenant's upload answers exactly as an unknown id does.
  if (!upload) throw new UploadRejected(404, `upload not found: ${id}`)
  return upload
}

async function storageCall<T> (call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw storageRejected(error)
  }
}

/** S3 trouble is the service's (503), never the caller's; a missing bucket is the deployment's. */
function storageRejected (error: unknown): Error {
  if (error instanceof UploadRejected) return error
  if (error instanceof StorageError) return new UploadRejected(503, error.message)
  return error as Error
}

/** 1, 2, 3, 5 -> "1-3, 5". */
function summariseNumbers (numbers: number[]): string {
  const ranges: string[] = []
  for (let i = 0; i < numbers.length;) {
    let j = i
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++
    ranges.push(i === j ? String(numbers[i]) : `${numbers[i]}-${numbers[j]}`)
    i = j + 1
  }
  return ranges.join(', ')
}
