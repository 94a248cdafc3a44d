/**
 * Redis restarted empty while a worker runs a job (found by `npm run faults`): the job's child
 * process keeps analysing, and the worker must not hand it other jobs meanwhile. When the job
 * reported its progress to BullMQ, the worker's write of it failed (the job was gone), BullMQ's
 * sandbox failed the job while its child kept running and gave that busy child the next jobs,
 * which all failed at once ("cannot start a not idling child process"), an attempt spent each.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { ChildProcess } from 'node:child_process'
import t from 'tap'
import { createPool } from '../../src/db/mariadb.js'
import { createMongo } from '../../src/db/mongo.js'
import { migrate } from '../../src/db/migrate.js'
import { AnalysisRepository } from '../../src/repositories/analyses.js'
import { createAnalysisQueue, enqueueAnalysis } from '../../src/queue/analysis-queue.js'
import { testEnvironment, waitFor, fixtures } from '../helpers/environment.js'
import { freePort, PrivateRedis, startWorkerProcess, killGroup } from '../helpers/processes.js'

t.test('the next job waits for the busy child and runs once', async (t) => {
  const redis = new PrivateRedis(await freePort())
  await redis.start()
  t.teardown(() => redis.stop())
  // The reconciler must not take the running analysis over during the test: stale after 10 min.
  const { config, env, storage } = await testEnvironment(t, {
    mongo: true,
    env: { REDIS_URL: redis.url, JOB_ATTEMPTS: '3', JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '1000', RECONCILE_STALE_MS: '600000' }
  })
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 2)
  const mongo = createMongo(config.mongodb.url)
  const queue = createAnalysisQueue(config)
  queue.on('error', () => {}) // Redis goes away on purpose
  const workers: ChildProcess[] = []
  t.teardown(async () => {
    workers.forEach(killGroup)
    await queue.close()
    await mongo.client.close()
    await pool.end()
  })
  const analyses = new AnalysisRepository(pool)
  const row = async (id: string) => (await analyses.get(id))!
  const upload = async (fixture: string, sessionId: string) => {
    const key = `busy/${path.basename(fixture)}`
    await storage.put(config.s3.uploadsBucket, key, await fs.readFile(path.join(fixtures, fixture)))
    return (await analyses.create({ tenantId: 'tenant-a', userId: 'u', sessionId, s3Bucket: config.s3.uploadsBucket, s3Key: key })).analysis
  }

  const long = await upload('video/sad_to_happy_pexels.mp4', 'long')
  workers.push(startWorkerProcess(env))
  await enqueueAnalysis(queue, long.id)
  await waitFor('the long analysis to be well into the engine', async () => {
    const current = await row(long.id)
    return current.status === 'processing' && current.progress >= 15 ? true : undefined
  }, 180_000, 50)
  await redis.stop()
  await redis.start()
  await waitFor('the queue to reconnect', async () => ((await queue.getJob(long.id)) === undefined ? true : undefined), 30_000)

  const next = await upload('video/single_face.mp4', 'next')
  await enqueueAnalysis(queue, next.id)
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
