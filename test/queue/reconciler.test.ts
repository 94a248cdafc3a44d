/**
 * The reconciler's I/O against real MariaDB and Redis, no analysis worker: each kind of
 * mismatch between a row and its job, three passes at once (as from three processes).
 */
import t from 'tap'
import { UnrecoverableError, Worker } from 'bullmq'
import { createPool } from '../../src/db/mariadb.js'
import { migrate } from '../../src/db/migrate.js'
import { AnalysisRepository } from '../../src/repositories/analyses.js'
import { ANALYSIS_QUEUE, createAnalysisQueue, enqueueAnalysis } from '../../src/queue/analysis-queue.js'
import { redisOptions } from '../../src/queue/redis.js'
import { reconcileOnce } from '../../src/queue/reconciler.js'
import { testEnvironment, waitFor } from '../helpers/environment.js'

t.test('a pass re-queues, replaces or fails what no live job covers, and nothing else', async (t) => {
  const { config, logger } = await testEnvironment(t, { env: { JOB_ATTEMPTS: '3', RECONCILE_INTERVAL_MS: '60000', RECONCILE_STALE_MS: '300000' } })
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 4)
  const analyses = new AnalysisRepository(pool)
  const queue = createAnalysisQueue(config)
  t.teardown(async () => {
    await queue.close()
    await pool.end()
  })
  const make = async (name: string) => (await analyses.create({ tenantId: 'tenant-a', userId: 'u', sessionId: 's', s3Bucket: 'b', s3Key: name })).analysis.id
  const [completedJob, failedJob, queuedNoJob, spentNoJob, freshNoJob, finished] = [
    await make('completed-job'), await make('failed-job'), await make('queued'), await make('spent'), await make('fresh'), await make('finished')]

  // Finished job records, as a worker leaves them: one completed, one failed for good.
  await enqueueAnalysis(queue, completedJob!)
  await enqueueAnalysis(queue, failedJob!)
  const stub = new Worker(ANALYSIS_QUEUE, async (job) => {
    if (job.id === completedJob) return 'completed'
    throw new UnrecoverableError('analysis failed: boom')
  }, { prefix: config.queue.prefix, connection: { ...redisOptions(config.redis.url), maxRetriesPerRequest: null } })
  await waitFor('the stub worker to finish both jobs', async () =>
    (await queue.getJobState(completedJob!)) === 'completed' && (await queue.getJobState(failedJob!)) === 'failed' ? true : undefined)
  await stub.close()

  // Rows as a crash, a lost Redis or a restored database leave them, unchanged for an hour.
  const setRow = (id: string, status: string, attempts: number) => pool.query(
    'UPDATE analyses SET status = ?, attempts = ?, stage = \'analysing\', progress = 40, updated_at = NOW(3) - INTERVAL 1 HOUR WHERE id = ?',
    [status, attempts, id])
  await setRow(completedJob!, 'processing', 1)
  await setRow(failedJob!, 'processing', 3)
  await setRow(queuedNoJob!, 'queued', 0)
  await setRow(spentNoJob!, 'processing', 3)
  await setRow(finished!, 'completed', 1)

  const passes = await Promise.all([1, 2, 3].map(() => reconcileOnce({ analyses, queue, config, logger })))
  t.comment(`passes: ${JSON.stringify(passes)}`)

  const row = async (id: string) => (await analyses.get(id))!
  t.match(await row(completedJob!), { status: 'queued', stage: 'requeued', progress: 0, attempts: 1 }, 'a completed job whose row lost it runs again')
  const rerun = (await queue.getJob(completedJob!))!
  t.equal(await rerun.getState(), 'waiting', 'the old record replaced by a waiting job')
  t.match(rerun, { data: { analysisId: completedJob, reruns: 1 }, opts: { attempts: 2 } }, 'with the attempts left, marked as a re-run')

  t.match(await row(failedJob!), { status: 'failed', errorCode: 'job_failed', errorMessage: 'analysis failed: boom' }, 'a failed job fails its row')

  t.match(await row(queuedNoJob!), { status: 'queued', stage: 'requeued' })
  const requeued = (await queue.getJob(queuedNoJob!))!
  t.equal(await requeued.getState(), 'waiting', 'a row queued without a job gets one')
  t.equal(requeued.opts.attempts, 3, 'with every attempt')

  t.match(await row(spentNoJob!), {
    status: 'failed', errorCode: 'job_lost',
    errorMessage: 'the analysis was started 3 times without finishing and its job is no longer queued (Redis lost it); giving up'
  })
  t.equal(await queue.getJob(spentNoJob!), undefined, 'no job for an analysis that failed')

  t.match(await row(freshNoJob!), { status: 'queued', stage: null }, 'a row just created (its job about to be added) is not touched')
  t.equal(await queue.getJob(freshNoJob!), undefined)
  t.match(await row(finished!), { status: 'completed' }, 'a completed row stays completed')
  t.equal(await queue.getJob(finished!), undefined)

  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')
  t.same(counts, { waiting: 2, active: 0, delayed: 0, completed: 0, failed: 1 }, 'one job each, whatever the passes did at once')

  t.same(await reconcileOnce({ analyses, queue, config, logger }), { leave: 0, enqueue: 0, replace: 0, fail: 0 },
    'rows it has just changed wait an interval before the next look')
  await pool.query('UPDATE analyses SET updated_at = NOW(3) - INTERVAL 1 HOUR WHERE status = \'queued\'')
  t.same(await reconcileOnce({ analyses, queue, config, logger }), { leave: 2, enqueue: 1, replace: 0, fail: 0 },
    'later: live jobs are left alone; the row that stayed queued without a job gets one')
  t.equal(await queue.getJobState(freshNoJob!), 'waiting')
})
