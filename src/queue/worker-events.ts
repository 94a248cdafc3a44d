/**
 * What the worker process (not the sandboxed job) records in MariaDB when BullMQ fails a job:
 * the job's own code marks the analysis failed when it can, but BullMQ also fails jobs whose
 * code never ran to the end (a worker killed more than the stalled limit, a crashed child).
 */
import type { Job } from 'bullmq'
import type { Logger } from '../logger.js'
import type { AnalysisRepository } from '../repositories/analyses.js'
import type { AnalysisJobData } from './analysis-queue.js'
import { failedForGood, queueFailureReason } from './failure-reason.js'

/**
 * For good: the analysis is marked failed with the reason, unless it already ended (completed
 * stays completed; a failed row keeps the job's own reason). One attempt only: BullMQ retries
 * after a backoff, and until a worker starts it again the row says so (queued, 'retrying').
 * Errors are logged: the reconciler settles what could not be recorded now.
 */
export async function recordJobFailure (job: Job<AnalysisJobData>, error: Error, analyses: AnalysisRepository, log: Logger, maxStalledCount: number): Promise<void> {
  const id = job.data.analysisId
  try {
    if (failedForGood(job)) {
      const reason = queueFailureReason(error.message, job.stalledCounter || maxStalledCount + 1)
      if (await analyses.markFailedIfUnfinished(id, reason.code, reason.message)) {
        log.warn({ analysisId: id, code: reason.code, reason: reason.message }, 'analysis marked failed')
      }
      return
    }
    const row = await analyses.lifecycle(id)
    // The backoff (5 s at least) keeps the next start well after this update; the attempts
    // guard makes it a no-op if one came first anyway.
    if (row?.status === 'processing') await analyses.markRequeued(id, row.attempts, 'retrying')
  } catch (recordError) {
    log.warn({ err: recordError, analysisId: id }, 'could not record the job failure; the reconciler will')
  }
}
