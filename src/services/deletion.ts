/**
 * Deleting an analysis and everything derived from its recording: MongoDB frames, the S3
 * artifacts under analyses/{id}/, its queued job, optionally the recording itself, and its
 * MariaDB rows. The row is marked first (every read treats it as gone from then on), the stores
 * are emptied, the row goes last: a deletion that dies half-way leaves a mark that a repeat,
 * or the sweeper (src/jobs/sweeper.ts), finishes. Every step is safe to repeat.
 *
 * A job still running for the analysis cannot bring it back: it finds no row (reads skip marked
 * ones) and stops, or its late writes fail on the foreign key to `analyses`, or they leave
 * frames or artifacts without a row, which the sweeper removes.
 */
import type { Logger } from '../logger.js'
import type { AnalysisRepository } from '../repositories/analyses.js'
import type { FrameStore } from '../repositories/frame-store.js'
import type { UploadRepository } from '../repositories/uploads.js'
import type { ObjectStorage } from '../storage/object-storage.js'
import type { AnalysisQueue } from '../queue/analysis-queue.js'
import { artifactsPrefix } from '../storage/artifact-keys.js'

export interface DeletionDeps {
  analyses: AnalysisRepository
  frames: FrameStore
  /** Records of recordings uploaded through Candor (unlinked, or deleted with the recording). */
  uploads: UploadRepository
  storage: ObjectStorage
  /** config.s3.artifactsBucket */
  artifactsBucket: string
  /** Without it the job record stays; a job for a deleted analysis skips itself anyway. */
  queue?: AnalysisQueue
  logger: Logger
}


export interface DeletionResult {
  analysisId: string
  frameBuckets: number
  artifacts: number
  sourceDeleted: boolean
  jobRemoved: boolean
}

/**
 * Deletes the analysis; with `tenantId`, only that tenant's (null for an id that has no row
 * of that tenant: unknown, another tenant's, or already deleted). `deleteSource` also deletes
 * the recording (its s3_bucket/s3_key); once asked for, a repeat or the sweeper does it too.
 * Throws when a store fails: the analysis then stays marked, gone for readers, until finished.
 */
export async function deleteAnalysis (analysisId: string, options: { tenantId?: string, deleteSource: boolean }, deps: DeletionDeps): Promise<DeletionResult | null> {
  const mark = await deps.analyses.markDeleted(analysisId, options)
  if (!mark) return null
  return finishDeletion(analysisId, deps)
}

/** Finishes a marked deletion (null when the analysis is not marked: never was, or already gone). */
export async function finishDeletion (analysisId: string, deps: DeletionDeps): Promise<DeletionResult | null> {
  const mark = await deps.analyses.deletionMark(analysisId)
  if (!mark) return null
  const log = deps.logger.child({ component: 'deletion', analysisId })
  const jobRemoved = await removeJob(analysisId, deps, log)
  const frameBuckets = await step(analysisId, 'frames in MongoDB', () => deps.frames.deleteAnalysis(analysisId))
  const artifacts = await step(analysisId, 'artifacts in S3', () => deps.storage.deletePrefix(deps.artifactsBucket, artifactsPrefix(analysisId)))
  if (mark.deleteSource) await step(analysisId, 'the recording in S3', () => deps.storage.delete(mark.s3Bucket, mark.s3Key))
  await step(analysisId, 'upload records in MariaDB', () => mark.deleteSource
    ? deps.uploads.deleteForObject(mark.tenantId, mark.s3Bucket, mark.s3Key)
    : deps.uploads.forgetAnalysis(analysisId))
  await step(analysisId, 'rows in MariaDB', () => deps.analyses.removeDeleted(analysisId))
  const result = { analysisId, frameBuckets, artifacts, sourceDeleted: mark.deleteSource, jobRemoved }
  log.info(result, 'analysis deleted')
  return result
}

/** A deletion that stopped at a step: the analysis stays marked (gone for readers) until finished. */
export class DeletionIncomplete extends Error {
  constructor (readonly analysisId: string, readonly step: string, options: { cause: unknown }) {
    super(`deleting analysis ${analysisId} stopped at ${step}; it is already gone for every read, and repeating the deletion (or the sweeper) finishes it`, options)
    this.name = 'DeletionIncomplete'
  }
}

async function step<T> (analysisId: string, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw new DeletionIncomplete(analysisId, what, { cause: error })
  }
}

/**
 * The job, if still queued (waiting, delayed, or finished and kept): best effort. A job a
 * worker holds cannot be removed; it finds its analysis gone and stops. Redis being down must
 * not keep personal data in the other stores, so a failure here is logged, not thrown.
 */
async function removeJob (analysisId: string, deps: DeletionDeps, log: Logger): Promise<boolean> {
  if (!deps.queue) return false
  try {
    return await deps.queue.remove(analysisId) === 1
  } catch (error) {
    log.warn({ err: error }, 'could not remove the analysis job; a job for a deleted analysis skips itself')
    return false
  }
}

export interface UserDeletion { analysisIds: string[], incomplete: DeletionIncomplete[] }

/**
 * Every analysis of one user of one tenant (a person asking to be forgotten): all are marked
 * first, so they are gone for every read at once, then each is finished; a failed one stays
 * marked for a repeat or the sweeper, and the others go on.
 */
export async function deleteUserAnalyses (tenantId: string, userId: string, options: { deleteSource: boolean }, deps: DeletionDeps): Promise<UserDeletion> {
  const ids = await deps.analyses.listUserAnalyses(tenantId, userId)
  const marked: string[] = []
  for (const id of ids) if (await deps.analyses.markDeleted(id, { tenantId, deleteSource: options.deleteSource })) marked.push(id)
  const incomplete: DeletionIncomplete[] = []
  for (const id of marked) {
    try {
      await finishDeletion(id, deps)
    } catch (error) {
      if (!(error instanceof DeletionIncomplete)) throw error
      incomplete.push(error)
    }
  }
  // With the recordings, also what the person uploaded and never had analysed.
  if (options.deleteSource && incomplete.length === 0) {
    for (const upload of await deps.uploads.listForUser(tenantId, userId)) {
      try {
        if (upload.state === 'pending' && upload.multipartUploadId) await deps.storage.abortMultipartUpload(upload.s3Bucket, upload.s3Key, upload.multipartUploadId)
        await deps.storage.delete(upload.s3Bucket, upload.s3Key)
        await deps.uploads.remove(upload.id)
      } catch (error) {
        incomplete.push(new DeletionIncomplete(upload.id, `the uploaded recording ${upload.s3Key}`, { cause: error }))
      }
    }
  }
  return { analysisIds: marked, incomplete }
}
