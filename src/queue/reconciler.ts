/**
 * Periodically brings MariaDB and the job queue back in line (decisions in reconcile.ts): every
 * API process and every `npm run worker` process runs one, so a deployment without an
 * in-process worker is covered too.
 *
 * Several processes may reconcile the same analysis at once; each step is safe to repeat:
 * adding a job whose id exists does nothing, the row updates are conditional on the attempts
 * count read just before (a worker starting the analysis meanwhile wins), and BullMQ refuses to
 * remove a job a worker holds. A Redis or MariaDB outage fails the pass, never a decision:
 * a job that cannot be looked up is not taken as lost.
 */
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { AnalysisRepository } from '../repositories/analyses.js'
import { enqueueAnalysis, type AnalysisQueue } from './analysis-queue.js'
import { reconcile, type JobSnapshot, type Reconciliation } from './reconcile.js'

export interface ReconcilerDeps {
  analyses: AnalysisRepository
  queue: AnalysisQueue
  config: Pick<Config, 'queue'>
  logger: Logger
}

export type ReconcileCounts = Record<Reconciliation['action'], number>

const PAGE = 200

/** One pass over every unfinished analysis whose row has not changed for an interval. */
export async function reconcileOnce (deps: ReconcilerDeps): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = { leave: 0, enqueue: 0, replace: 0, fail: 0 }
  let afterId = ''
  for (;;) {
    // An interval of quiet keeps a row that POST /analyze has just created (and is about to
    // queue) out of the pass; re-adding it would be harmless anyway, as the job id is its id.
    const ids = await deps.analyses.listIdleUnfinished(deps.config.queue.reconcileIntervalMs, afterId, PAGE)
    for (const id of ids) counts[await reconcileAnalysis(id, deps)]++
    if (ids.length < PAGE) return counts
    afterId = ids.at(-1)!
  }
}

async function reconcileAnalysis (id: string, deps: ReconcilerDeps): Promise<Reconciliation['action']> {
  const { analyses, queue, config } = deps
  // The job first, then the row: a job completes or fails only after its row was updated, so a
  // finished job seen here is matched by a finished row if the job wrote one.
  const job = await snapshotJob(queue, id)
  const row = await analyses.lifecycle(id)
  if (!row) return 'leave'
  const decision = reconcile(row, job, { maxAttempts: config.queue.attempts, staleMs: config.queue.reconcileStaleMs })
  const log = deps.logger.child({ component: 'reconciler', analysisId: id, status: row.status, attempts: row.attempts, job: job?.state ?? 'none' })

  switch (decision.action) {
    case 'leave':
      return 'leave'
    case 'fail':
      if (!await analyses.markFailedIfUnfinished(id, decision.code, decision.message, row.attempts)) return 'leave'
      log.warn({ code: decision.code, reason: decision.message }, 'analysis marked failed')
      return 'fail'
    case 'enqueue':
    case 'replace':
      if (!await analyses.markRequeued(id, row.attempts, 'requeued')) return 'leave'
      if (decision.action === 'replace' && await queue.remove(id) === 0 && await queue.getJob(id)) {
        log.warn('the old job record could not be removed (a worker holds it); trying again next pass')
        return 'leave'
      }
      await enqueueAnalysis(queue, id, { attempts: decision.attempts, reruns: decision.action === 'replace' ? decision.reruns : 0 })
      log.warn({ why: decision.why, jobAttempts: decision.attempts }, 'analysis queued again')
      return decision.action
  }
}

async function snapshotJob (queue: AnalysisQueue, id: string): Promise<JobSnapshot | null> {
  // The state before the record: once failed or completed, the record's fields are final.
  const state = await queue.getJobState(id)
  const job = await queue.getJob(id)
  if (!job) return null
  return { state, failedReason: job.failedReason, stalls: job.stalledCounter ?? 0, reruns: job.data.reruns ?? 0 }
}

export interface Reconciler { stop: () => Promise<void> }

/** Runs a pass every RECONCILE_INTERVAL_MS (never two at once in this process) until stopped. */
export function startReconciler (deps: ReconcilerDeps): Reconciler {
  const log = deps.logger.child({ component: 'reconciler' })
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    running ??= reconcileOnce(deps)
      .then((counts) => {
        if (counts.enqueue + counts.replace + counts.fail > 0) log.info({ counts }, 'reconcile pass changed analyses')
      }, (error: unknown) => log.warn({ err: error }, 'reconcile pass failed; trying again next interval'))
      .finally(() => { running = undefined })
  }, deps.config.queue.reconcileIntervalMs)
  timer.unref()
  return {
    stop: async () => {
      clearInterval(timer)
      await running
    }
  }
}
