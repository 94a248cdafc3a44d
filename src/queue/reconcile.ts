/**
 * What to do with an unfinished analysis (queued or processing in MariaDB) given what Redis
 * knows of its job: pure, so every case is unit-tested; src/queue/reconciler.ts does the I/O.
 *
 * Redis can lose jobs (a restart without persistence drops waiting, running and delayed ones)
 * and BullMQ can fail a job where the job's code cannot record it (a worker killed too often).
 * Either would leave the row unfinished forever; this brings it to a job again or to `failed`.
 */
import type { JobState } from 'bullmq'
import type { AnalysisLifecycle } from '../repositories/analyses.js'
import { queueFailureReason } from './failure-reason.js'

/** The analysis's job as Redis has it; null when Redis has no record of it at all. */
export interface JobSnapshot {
  /** 'unknown': a job record in none of BullMQ's lists (a partly lost job). */
  state: JobState | 'unknown'
  failedReason?: string
  stalls: number
  /** How many times the reconciler has already re-run a completed job (job data). */
  reruns: number
}

export interface ReconcileLimits {
  /** JOB_ATTEMPTS: starts an analysis may have in all (the row's `attempts` counts them). */
  maxAttempts: number
  /** RECONCILE_STALE_MS: a processing row changed more recently may still have a live worker. */
  staleMs: number
}

export type Reconciliation =
  | { action: 'leave', why: string }
  /** Add a job (none exists) allowed `attempts` attempts. */
  | { action: 'enqueue', attempts: number, why: string }
  /** Remove the job's old record, then add a new job (BullMQ ignores add() while a record exists). */
  | { action: 'replace', attempts: number, reruns: number, why: string }
  | { action: 'fail', code: string, message: string }

const LIVE_STATES: ReadonlySet<string> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'])

export function reconcile (row: AnalysisLifecycle, job: JobSnapshot | null, limits: ReconcileLimits): Reconciliation {
  if (row.status !== 'queued' && row.status !== 'processing') return { action: 'leave', why: `already ${row.status}` }
  if (job && LIVE_STATES.has(job.state)) return { action: 'leave', why: `its job is ${job.state}` }
  if (job?.state === 'failed') return { action: 'fail', ...queueFailureReason(job.failedReason, job.stalls) }

  // No live job. A worker may still be running a processing analysis whose job Redis lost
  // under it (a restart mid-job): it updates the row as it goes, so wait until the row is stale.
  if (row.status === 'processing' && row.idleMs < limits.staleMs) {
    return { action: 'leave', why: `no live job, but the row changed ${Math.round(row.idleMs / 1000)} s ago` }
  }
  const attemptsLeft = limits.maxAttempts - row.attempts
  if (attemptsLeft <= 0) {
    return {
      action: 'fail',
      code: 'job_lost',
      message: `the analysis was started ${row.attempts} time${row.attempts === 1 ? '' : 's'} without finishing and its job is no longer queued (Redis lost it); giving up`
    }
  }
  if (!job) return { action: 'enqueue', attempts: attemptsLeft, why: 'Redis has no job for it' }
  if (job.state === 'completed') {
    // The job wrote its results and then completed the row, in that order; a completed job
    // with an unfinished row means MariaDB lost those writes (a restore, a failover). Run it
    // again to rebuild them, once: a second time points at something no re-run fixes.
    if (job.reruns >= 1) {
      return { action: 'fail', code: 'result_lost', message: 'the analysis finished twice but its result never reached the database; giving up' }
    }
    return { action: 'replace', attempts: attemptsLeft, reruns: job.reruns + 1, why: 'its job completed but the row did not' }
  }
  return { action: 'replace', attempts: attemptsLeft, reruns: job.reruns, why: 'its job record is in no queue' }
}
