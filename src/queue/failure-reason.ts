/**
 * What a user reads when BullMQ gives up on a job for a reason the job's own code never saw:
 * its worker died too often, its child process crashed, or it failed while MariaDB could not
 * record why. The job's own failures are worded by src/jobs/failure.ts and already in the row.
 */
import type { Job } from 'bullmq'

/** BullMQ's reason for a job whose worker stopped renewing its lock more than maxStalledCount times. */
export const STALLED_TOO_OFTEN = 'job stalled more than allowable limit'

export interface FailureReason { code: string, message: string }

/** `stalls`: how many times the job's worker was lost (BullMQ's stalled counter). */
export function queueFailureReason (jobReason: string | undefined, stalls: number): FailureReason {
  if (jobReason === STALLED_TOO_OFTEN) {
    return { code: 'worker_lost', message: `the worker analysing this video stopped ${stalls} times (crash or kill); giving up` }
  }
  // The sandbox's words when the job's child process dies (out of memory, a native crash).
  const exit = /^Unexpected exit code: (\S+) signal: (\S+)/.exec(jobReason ?? '')
  if (exit) {
    const how = exit[2] !== 'null' ? `was killed by ${exit[2]}` : `exited with code ${exit[1]}`
    return { code: 'worker_crashed', message: `analysis failed: the process analysing this video ${how}` }
  }
  return { code: 'job_failed', message: jobReason?.trim() || 'analysis failed: the job failed without a reason' }
}

/**
 * True when BullMQ has moved the job to failed for good (attempts spent, UnrecoverableError,
 * stalled too often); false when it only failed one attempt and will retry after the backoff.
 */
export function failedForGood (job: Pick<Job, 'finishedOn'>): boolean {
  return typeof job.finishedOn === 'number'
}
