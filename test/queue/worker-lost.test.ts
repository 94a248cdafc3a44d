/**
 * A job whose worker is killed (kill -9 of its process group) once more than BullMQ's stalled
 * limit: BullMQ fails it, and the worker that does so marks the analysis failed with the
 * reason; it never stays `processing`. Prints how long each recovery took (JOB_LOCK_MS=10000
 * npx tap test/queue/worker-lost.test.ts measures the README's figures).
 */
import t from 'tap'
import type { AnalysisRecord } from '../../src/repositories/analyses.js'
import { MAX_STALLED_COUNT } from '../../src/queue/analysis-worker.js'
import { STALLED_TOO_OFTEN } from '../../src/queue/failure-reason.js'
import { testEnvironment, waitFor } from '../helpers/environment.js'
import { killGroup } from '../helpers/processes.js'
import { workerTestbed } from '../helpers/workers.js'

t.test(`killed ${MAX_STALLED_COUNT + 1} times: failed with the reason, promptly`, async (t) => {
  const lockMs = process.env.JOB_LOCK_MS ?? '2000'
  // The reconciler is kept out of the way: the worker's own 'failed' handler must do this.
  const environment = await testEnvironment(t, { mongo: true, env: { JOB_LOCK_MS: lockMs, JOB_ATTEMPTS: '3', RECONCILE_INTERVAL_MS: '600000' } })
  const bed = await workerTestbed(t, environment)
  const { queue, workers, row } = bed
  const analysis = await bed.queueFixture('video/sad_to_happy_pexels.mp4', 'long/pexels.mp4')

  // A spare worker is running before each kill, as on another machine: the times measured are
  // BullMQ's recovery, not a process start.
  let killed = 0
  const startSpare = async () => {
    bed.startWorker()
    const alive = workers.length - killed
    await waitFor('the spare worker to connect', async () => ((await queue.getWorkersCount()) >= alive ? true : undefined), 60_000, 50)
  }
  // kill -> another worker takes the job (BullMQ's stalled check) -> its sandboxed child starts it.
  const recoveries: Array<{ takenMs: number, startedMs: number }> = []
  let killedAt = 0
  await startSpare()
  for (let start = 1; start <= MAX_STALLED_COUNT + 1; start++) {
    const taken = await waitFor(`a worker to take the job (${start})`, async () => {
      const job = await queue.getJob(analysis.id)
      return job?.processedOn && job.processedOn > killedAt ? Date.now() : undefined
    }, 120_000, 50)
    await waitFor(`start ${start} of the analysis`, async () => {
      const current = await row(analysis.id)
      return current.status === 'processing' && current.attempts === start ? current : undefined
    }, 120_000, 50)
    if (killedAt) recoveries.push({ takenMs: taken - killedAt, startedMs: Date.now() - killedAt })
    await startSpare()
    // Kill at a random moment of the spare's stalled-check cycle, as a real crash would come.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Number(lockMs)))
    // The job runs in the worker started before this spare: the only other one alive.
    killGroup(workers.at(-2)!)
    killed++
    killedAt = Date.now()
  }

  const failed: AnalysisRecord = await waitFor('the analysis to be failed', async () => {
    const current = await row(analysis.id)
    return current.status !== 'processing' && current.status !== 'queued' ? current : undefined
  }, 120_000, 50)
  const failedAfter = Date.now() - killedAt
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  t.comment(`JOB_LOCK_MS=${lockMs}: kill -> job taken by another worker ${recoveries.map((r) => seconds(r.takenMs)).join(', ')}; ` +
    `-> analysis started again ${recoveries.map((r) => seconds(r.startedMs)).join(', ')}; last kill -> analysis failed ${seconds(failedAfter)}`)

  t.match(failed, {
    status: 'failed',
    errorCode: 'worker_lost',
    errorMessage: `the worker analysing this video stopped ${MAX_STALLED_COUNT + 1} times (crash or kill); giving up`,
    attempts: MAX_STALLED_COUNT + 1
  })
  t.ok(failed.completedAt, 'with the time it ended')
  const job = (await queue.getJob(analysis.id))!
  t.equal(await job.getState(), 'failed', 'BullMQ failed the job')
  t.equal(job.failedReason, STALLED_TOO_OFTEN)
  t.equal(job.attemptsMade, 1, 'the failure is its only failed attempt: the killed runs were stalls')
})
