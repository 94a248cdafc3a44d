import t from 'tap'
import { reconcile, type JobSnapshot, type ReconcileLimits } from '../../src/queue/reconcile.js'
import { queueFailureReason, failedForGood, STALLED_TOO_OFTEN } from '../../src/queue/failure-reason.js'
import type { AnalysisLifecycle } from '../../src/repositories/analyses.js'

const limits: ReconcileLimits = { maxAttempts: 3, staleMs: 300_000 }
const row = (status: AnalysisLifecycle['status'], attempts: number, idleMs = 600_000): AnalysisLifecycle => ({ status, attempts, idleMs })
const job = (state: JobSnapshot['state'], extra: Partial<JobSnapshot> = {}): JobSnapshot => ({ state, stalls: 0, reruns: 0, ...extra })

t.test('a live job is left to BullMQ, whatever the row says', async (t) => {
  for (const state of ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const) {
    t.match(reconcile(row('processing', 3), job(state), limits), { action: 'leave' }, state)
    t.match(reconcile(row('queued', 0, 60_000), job(state), limits), { action: 'leave' }, `${state}, queued`)
  }
})

t.test('finished rows are never touched', async (t) => {
  for (const status of ['completed', 'failed'] as const) {
    for (const state of [null, job('failed'), job('completed'), job('unknown')]) {
      t.match(reconcile(row(status, 1), state, limits), { action: 'leave' }, `${status} with ${state?.state ?? 'no job'}`)
    }
  }
})

t.test('no job: queued again with the attempts left, or failed once they are spent', async (t) => {
  t.same(reconcile(row('queued', 0, 60_000), null, limits), { action: 'enqueue', attempts: 3, why: 'Redis has no job for it' },
    'queued while Redis was down: every attempt still to come')
  t.match(reconcile(row('processing', 1), null, limits), { action: 'enqueue', attempts: 2 }, 'a running job Redis lost')
  t.match(reconcile(row('queued', 2), null, limits), { action: 'enqueue', attempts: 1 }, 'a delayed retry Redis lost')
  t.match(reconcile(row('processing', 3), null, limits), {
    action: 'fail', code: 'job_lost', message: 'the analysis was started 3 times without finishing and its job is no longer queued (Redis lost it); giving up'
  })
  t.match(reconcile(row('processing', 1), null, { maxAttempts: 1, staleMs: 1000 }), { action: 'fail', message: /started 1 time without/ })
})

t.test('a processing row changed recently may have a live worker: wait until it is stale', async (t) => {
  t.match(reconcile(row('processing', 1, 299_000), null, limits), { action: 'leave', why: /changed 299 s ago/ })
  t.match(reconcile(row('processing', 1, 300_000), null, limits), { action: 'enqueue' })
  t.match(reconcile(row('processing', 1, 10_000), job('completed'), limits), { action: 'leave' })
  t.match(reconcile(row('queued', 1, 10_000), null, limits), { action: 'enqueue' }, 'no worker runs a queued row')
})

t.test('a failed job fails its analysis with the job\'s reason, stale or not', async (t) => {
  t.same(reconcile(row('processing', 3, 1000), job('failed', { failedReason: STALLED_TOO_OFTEN, stalls: 3 }), limits), {
    action: 'fail', code: 'worker_lost', message: 'the worker analysing this video stopped 3 times (crash or kill); giving up'
  })
  t.same(reconcile(row('processing', 2), job('failed', { failedReason: 'analysis failed: ECONNRESET' }), limits), {
    action: 'fail', code: 'job_failed', message: 'analysis failed: ECONNRESET'
  })
})

t.test('a completed job with an unfinished row runs again once, then fails', async (t) => {
  t.same(reconcile(row('processing', 1), job('completed'), limits), {
    action: 'replace', attempts: 2, reruns: 1, why: 'its job completed but the row did not'
  })
  t.match(reconcile(row('processing', 2), job('completed', { reruns: 1 }), limits), { action: 'fail', code: 'result_lost' })
  t.match(reconcile(row('processing', 3), job('completed'), limits), { action: 'fail', code: 'job_lost' }, 'no attempts left')
})

t.test('a job record in no list is replaced', async (t) => {
  t.match(reconcile(row('queued', 0), job('unknown'), limits), { action: 'replace', attempts: 3, reruns: 0 })
})

t.test('failure reasons BullMQ decides are worded for the user', async (t) => {
  t.same(queueFailureReason(STALLED_TOO_OFTEN, 3), { code: 'worker_lost', message: 'the worker analysing this video stopped 3 times (crash or kill); giving up' })
  t.same(queueFailureReason('Unexpected exit code: null signal: SIGKILL', 0), { code: 'worker_crashed', message: 'analysis failed: the process analysing this video was killed by SIGKILL' })
  t.same(queueFailureReason('Unexpected exit code: 134 signal: null', 0), { code: 'worker_crashed', message: 'analysis failed: the process analysing this video exited with code 134' })
  t.same(queueFailureReason('not a video: no video stream', 0), { code: 'job_failed', message: 'not a video: no video stream' })
  t.same(queueFailureReason(undefined, 0), { code: 'job_failed', message: 'analysis failed: the job failed without a reason' })
  t.equal(failedForGood({ finishedOn: 1_700_000_000_000 }), true)
  t.equal(failedForGood({ finishedOn: undefined }), false, 'a failed attempt that BullMQ retries has no finishedOn')
})
