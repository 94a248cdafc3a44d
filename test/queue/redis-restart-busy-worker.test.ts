/**
 * Redis restarted empty while a worker runs a job (found by `npm run faults`): the job's child
 * process keeps analysing, and the worker must not hand it other jobs meanwhile. When the job
 * reported its progress to BullMQ, the worker's write of it failed (the job was gone), BullMQ's
 * sandbox failed the job while its child kept running and gave that busy child the next jobs,
 * which all failed at once ("cannot start a not idling child process"), an attempt spent each.
 */
import t from 'tap'
import { testEnvironment, waitFor } from '../helpers/environment.js'
import { freePort, PrivateRedis } from '../helpers/processes.js'
import { workerTestbed } from '../helpers/workers.js'

t.test('the next job waits for the busy child and runs once', async (t) => {
  const redis = new PrivateRedis(await freePort())
  await redis.start()
  t.teardown(() => redis.stop())
  // The reconciler must not take the running analysis over during the test: stale after 10 min.
  const bed = await workerTestbed(t, await testEnvironment(t, {
    mongo: true,
    env: { REDIS_URL: redis.url, JOB_ATTEMPTS: '3', JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '1000', RECONCILE_STALE_MS: '600000' }
  }))
  const { queue, row } = bed

  const long = await bed.queueFixture('video/sad_to_happy_pexels.mp4', 'busy/long.mp4')
  bed.startWorker()
  await waitFor('the long analysis to be well into the engine', async () => {
    const current = await row(long.id)
    return current.status === 'processing' && current.progress >= 15 ? true : undefined
  }, 180_000, 50)
  await redis.stop()
  await redis.start()
  await waitFor('the queue to reconnect', async () => ((await queue.getJob(long.id)) === undefined ? true : undefined), 30_000)

  const next = await bed.queueFixture('video/single_face.mp4', 'busy/next.mp4')
  const ended = await waitFor('the next analysis to end', async () => {
    const current = await row(next.id)
    return current.status === 'completed' || current.status === 'failed' ? current : undefined
  }, 240_000, 100)
  t.equal(ended.status, 'completed', ended.errorMessage ?? '')
  const job = (await queue.getJob(next.id))!
  t.same(job.stacktrace, [], 'no failed attempt before it ran')
  t.notOk(job.failedReason, 'no failure recorded')

  const first = await waitFor('the long analysis to end', async () => {
    const current = await row(long.id)
    return current.status === 'completed' || current.status === 'failed' ? current : undefined
  }, 240_000, 100)
  t.equal(first.status, 'completed', 'the job Redis lost was finished by the child that ran it')
  t.equal(first.attempts, 1, 'and by nothing else')
})
