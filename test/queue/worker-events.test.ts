import t from 'tap'
import type { Job } from 'bullmq'
import { recordJobFailure } from '../../src/queue/worker-events.js'
import { STALLED_TOO_OFTEN } from '../../src/queue/failure-reason.js'
import type { AnalysisJobData } from '../../src/queue/analysis-queue.js'
import type { AnalysisLifecycle, AnalysisRepository } from '../../src/repositories/analyses.js'
import { createLogger } from '../../src/logger.js'

const log = createLogger({ log: { level: 'silent' } })

/** The repository calls recordJobFailure makes, against a row in the given state. */
function fakeAnalyses (row: AnalysisLifecycle | null, failing = false) {
  const calls: unknown[][] = []
  const record = (name: string) => async (...args: unknown[]) => {
    calls.push([name, ...args])
    if (failing) throw new Error('pool timeout')
    return true
  }
  const analyses = {
    lifecycle: async () => row,
    markRequeued: record('markRequeued'),
    markFailedIfUnfinished: record('markFailedIfUnfinished')
  } as unknown as AnalysisRepository
  return { analyses, calls }
}

const job = (fields: Partial<Job<AnalysisJobData>>) => ({ data: { analysisId: 'a1' }, stalledCounter: 0, ...fields }) as Job<AnalysisJobData>

t.test('failed for good: the analysis is failed with the reason, only if unfinished (the repository checks)', async (t) => {
  const { analyses, calls } = fakeAnalyses({ status: 'processing', attempts: 3, idleMs: 0 })
  await recordJobFailure(job({ finishedOn: Date.now(), stalledCounter: 3 }), new Error(STALLED_TOO_OFTEN), analyses, log, 2)
  t.same(calls, [['markFailedIfUnfinished', 'a1', 'worker_lost', 'the worker analysing this video stopped 3 times (crash or kill); giving up']])
})

t.test('a failed attempt BullMQ retries: queued, "retrying", never failed', async (t) => {
  const { analyses, calls } = fakeAnalyses({ status: 'processing', attempts: 1, idleMs: 0 })
  await recordJobFailure(job({}), new Error('analysis failed: ECONNRESET'), analyses, log, 2)
  t.same(calls, [['markRequeued', 'a1', 1, 'retrying']], 'guarded by the attempts count it read')

  const finished = fakeAnalyses({ status: 'failed', attempts: 1, idleMs: 0 })
  await recordJobFailure(job({}), new Error('x'), finished.analyses, log, 2)
  t.same(finished.calls, [], 'a row the job already ended is left as it is')
})

t.test('MariaDB unreachable: logged, never thrown (the reconciler settles it later)', async (t) => {
  const { analyses } = fakeAnalyses({ status: 'processing', attempts: 3, idleMs: 0 }, true)
  await t.resolves(recordJobFailure(job({ finishedOn: Date.now() }), new Error('boom'), analyses, log, 2))
})
