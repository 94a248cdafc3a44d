/**
 * Accepting an analysis request for a tenant: the location must be one the tenant may use
 * (checked before any S3 call); a repeated request (the same Idempotency-Key, or the same
 * bucket/key/session) returns the existing analysis without touching S3; otherwise the S3
 * object must exist, be non-empty and under the size limit, and when ffprobe can read its
 * headers over a presigned URL it must be a video within the limits (else the job decides).
 * A tenant at its cap of queued + processing analyses gets 429. The estimate uses the video's
 * duration and the real-time factor measured on recent analyses.
 */
import type { Config } from '../config.js'
import type { AnalysisRepository, AnalysisRecord } from '../repositories/analyses.js'
import type { ObjectStorage } from '../storage/object-storage.js'
import { StorageError } from '../storage/object-storage.js'
import { enqueueAnalysis, type AnalysisQueue } from '../queue/analysis-queue.js'
import { probeUrl, MediaError } from '../media/ffprobe.js'
import { checkMediaLimits, MediaLimitError } from '../media/limits.js'
import { formatBytes } from '../format.js'
import { checkLocation, LocationRefused } from '../auth/locations.js'
import type { Tenant } from '../repositories/tenants.js'
import { TenantAtCapacity } from '../repositories/analyses.js'

export interface AnalysisRequest {
  tenant: Tenant
  s3Bucket: string
  s3Key: string
  userId: string
  sessionId: string
  idempotencyKey?: string
  options: Record<string, unknown>
}

export interface AcceptedAnalysis {
  analysis: AnalysisRecord
  created: boolean
  estimatedCompletion: Date | null
}

/** A request the client must change (or retry later: 429, 503), with this message. */
export class RequestRejected extends Error {
  constructor (readonly statusCode: 403 | 404 | 413 | 422 | 429 | 503, message: string) {
    super(message)
    this.name = 'RequestRejected'
  }
}

export interface RequestDeps {
  config: Pick<Config, 'limits' | 'ffmpeg' | 'queue' | 'tenants'>
  analyses: AnalysisRepository
  storage: ObjectStorage
  queue: AnalysisQueue
}

/** Real-time factor assumed before any analysis has been measured here (npm run bench). */
const DEFAULT_REALTIME_FACTOR = 2.5
/** Bitrate assumed to guess a duration from the size when the headers cannot be read. */
const ASSUMED_BITS_PER_SECOND = 1_500_000

export async function acceptAnalysis (request: AnalysisRequest, deps: RequestDeps): Promise<AcceptedAnalysis> {
  const { config, analyses, storage, queue } = deps
  try {
    checkLocation(request.tenant.allowedLocations, request.s3Bucket, request.s3Key)
  } catch (error) {
    if (error instanceof LocationRefused) throw new RequestRejected(403, error.message)
    throw error
  }
  const newAnalysis = {
    tenantId: request.tenant.id,
    userId: request.userId,
    sessionId: request.sessionId,
    s3Bucket: request.s3Bucket,
    s3Key: request.s3Key,
    ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    options: request.options
  }
  const earlier = await analyses.findExisting(newAnalysis)
  if (earlier) return await existingAnalysis(earlier, request, deps)

  const object = await headObject(storage, request.s3Bucket, request.s3Key)
  if (object.size === 0) throw new RequestRejected(422, `S3 object is empty: ${request.s3Bucket}/${request.s3Key}`)
  if (object.size > config.limits.maxVideoBytes) {
    throw new RequestRejected(422, `S3 object too large: ${request.s3Bucket}/${request.s3Key} is ${formatBytes(object.size)} > the ${formatBytes(config.limits.maxVideoBytes)} limit`)
  }
  const durationS = await videoDuration(request, object.size, deps)

  let created: Awaited<ReturnType<typeof analyses.create>>
  try {
    created = await analyses.create({
      ...newAnalysis,
      ...(object.etag ? { s3Etag: object.etag } : {}),
      s3Size: object.size
    }, request.tenant.maxActiveAnalyses ?? config.tenants.maxActiveAnalyses)
  } catch (error) {
    if (error instanceof TenantAtCapacity) throw new RequestRejected(429, error.message)
    throw error
  }
  if (!created.created) return await existingAnalysis(created.analysis, request, deps)
  await ensureQueued(created.analysis, queue)
  return { analysis: created.analysis, created: true, estimatedCompletion: await estimateCompletion(durationS, deps) }
}

/**
 * An earlier identical request: its analysis (queued again if its enqueue had failed). The
 * same Idempotency-Key with a different request is the caller's mistake, not a replay.
 */
async function existingAnalysis (analysis: AnalysisRecord, request: AnalysisRequest, deps: RequestDeps): Promise<AcceptedAnalysis> {
  const same = analysis.s3Bucket === request.s3Bucket && analysis.s3Key === request.s3Key &&
    analysis.sessionId === request.sessionId && analysis.userId === request.userId
  if (!same && request.idempotencyKey !== undefined && analysis.idempotencyKey === request.idempotencyKey) {
    throw new RequestRejected(422, `Idempotency-Key "${request.idempotencyKey}" was already used for a different request (analysis ${analysis.id} of ${analysis.s3Bucket}/${analysis.s3Key}); use a new key`)
  }
  await ensureQueued(analysis, deps.queue)
  const estimatedCompletion = analysis.status === 'queued' || analysis.status === 'processing'
    ? await estimateCompletion(analysis.video?.durationS ?? null, deps)
    : null
  return { analysis, created: false, estimatedCompletion }
}

/**
 * A queued analysis (new, or an earlier request whose enqueue failed) must have its job. The
 * job id is the analysis id, so this never queues an analysis twice.
 */
async function ensureQueued (analysis: AnalysisRecord, queue: AnalysisQueue): Promise<void> {
  if (analysis.status !== 'queued') return
  try {
    await enqueueAnalysis(queue, analysis.id)
  } catch (error) {
    throw new RequestRejected(503, `job queue unavailable (${(error as Error).message}); the analysis ${analysis.id} is recorded and will be queued when you retry`)
  }
}

async function headObject (storage: ObjectStorage, bucket: string, key: string) {
  try {
    const info = await storage.head(bucket, key)
    if (!info) throw new RequestRejected(422, `S3 object not found: ${bucket}/${key}`)
    return info
  } catch (error) {
    if (!(error instanceof StorageError)) throw error
    if (error.code === 'bucket_not_found') throw new RequestRejected(422, error.message)
    throw new RequestRejected(503, error.message)
  }
}

/**
 * The video's duration from its headers over a presigned URL; rejects what is clearly not a
 * video or beyond the media limits (length, resolution, frame rate, streams, frames). A guess
 * from the size when the headers cannot be read in time (the job will decide).
 */
async function videoDuration (request: AnalysisRequest, size: number, deps: RequestDeps): Promise<number> {
  const guess = (size * 8) / ASSUMED_BITS_PER_SECOND
  let url: string
  try {
    url = await deps.storage.presignGet(request.s3Bucket, request.s3Key, 120)
  } catch {
    return guess
  }
  try {
    const video = await probeUrl(url, size, deps.config.ffmpeg, 5000)
    // The job's own limits, with the job's messages: a hostile file never reaches the queue.
    checkMediaLimits(video, deps.config.limits)
    return video.durationS > 0 ? video.durationS : guess
  } catch (error) {
    if (error instanceof MediaError && (error.code === 'not_media' || error.code === 'no_video_stream')) {
      throw new RequestRejected(422, `${error.message}: ${request.s3Bucket}/${request.s3Key}`)
    }
    if (error instanceof MediaLimitError) throw new RequestRejected(422, error.message)
    return guess
  }
}

/** Now + the jobs ahead in the queue + this video's duration over the measured speed. */
async function estimateCompletion (durationS: number | null, deps: RequestDeps): Promise<Date | null> {
  if (durationS === null) return null
  const realtimeFactor = (await deps.analyses.measuredRealtimeFactor().catch(() => null)) ?? DEFAULT_REALTIME_FACTOR
  let aheadSeconds = 0
  try {
    const counts = await deps.queue.getJobCounts('waiting', 'active', 'prioritized')
    const ahead = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) - 1
    // An unknown job length is taken as this one's.
    aheadSeconds = (Math.max(0, ahead) * durationS) / realtimeFactor / Math.max(1, deps.config.queue.concurrency)
  } catch {
    // Without queue counts the estimate covers this job alone.
  }
  const overheadSeconds = 5 // download, storing, feedback
  return new Date(Date.now() + (aheadSeconds + durationS / realtimeFactor + overheadSeconds) * 1000)
}
