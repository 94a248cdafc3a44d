/**
 * A worker killed mid-job, then Redis restarted empty before BullMQ could recover the job (the
 * project's Redis keeps nothing on disk): the job is gone, the analysis still `processing`.
 * The reconciler of a worker process started afterwards finds it: re-queued while attempts
 * remain, and then completed exactly once; failed with the reason once they are spent.
 */
import t, { type Test } from 'tap'
import type { Pool } from '../../src/db/mariadb.js'
import type { AnalysisRepository, AnalysisRecord } from '../../src/repositories/analyses.js'
import { BUCKET_SIZE, type FrameStore } from '../../src/repositories/frame-store.js'
import { FACE_KIND } from '../../src/signals/face/codec.js'
import { VOICE_KIND } from '../../src/signals/voice/codec.js'
import type { AnalysisQueue } from '../../src/queue/analysis-queue.js'
import { testEnvironment, waitFor, type TestEnvironment } from '../helpers/environment.js'
import { freePort, PrivateRedis, killGroup } from '../helpers/processes.js'
import { analysisOutcome } from '../../src/signals/outcome.js'
import { workerTestbed } from '../helpers/workers.js'

interface Scenario extends TestEnvironment {
  analyses: AnalysisRepository
  pool: Pool
  frames: FrameStore
  queue: AnalysisQueue
  analysis: AnalysisRecord
  /** Seconds from the restart of Redis to the analysis queued again and to its end. */
  timings: { requeuedS?: number, endedS: number }
  ended: AnalysisRecord
}

/** Runs the analysis in a worker, kills it at `killAtProgress` %, restarts Redis empty, starts another worker. */
async function killWorkerThenLoseRedis (t: Test, jobAttempts: number, killAtProgress: number): Promise<Scenario> {
  const redis = new PrivateRedis(await freePort())
  await redis.start()
  t.teardown(() => redis.stop()) // teardowns run last-first: this one after the clean-up below
  const environment = await testEnvironment(t, {
    mongo: true,
    env: { REDIS_URL: redis.url, JOB_ATTEMPTS: String(jobAttempts), JOB_LOCK_MS: '2000', RECONCILE_INTERVAL_MS: '1000', RECONCILE_STALE_MS: '3000' }
  })
  const bed = await workerTestbed(t, environment)
  const { analyses, pool, frames, queue, workers, row } = bed
  bed.startWorker()
  const analysis = await bed.queueFixture('video/sad_to_happy_pexels.mp4', 'long/pexels.mp4')
  await waitFor(`the first worker to reach ${killAtProgress} %`, async () => {
    const current = await row(analysis.id)
    return current.status === 'processing' && current.progress >= killAtProgress ? current : undefined
  }, 120_000, 50)
  killGroup(workers[0]!)
  await redis.stop()
  await redis.start()
  const restartedAt = Date.now()
  t.equal(await waitFor('the queue to reconnect', async () => (await queue.getJob(analysis.id)) ?? null), null, 'Redis came back without the job')

  bed.startWorker()
  let requeuedAt: number | undefined
  const ended = await waitFor('the analysis to end', async () => {
    const current = await row(analysis.id)
    if (requeuedAt === undefined && current.attempts === 2) requeuedAt = Date.now()
    return current.status === 'completed' || current.status === 'failed' ? current : undefined
  }, 180_000, 100)
  const seconds = (at: number) => Math.round((at - restartedAt) / 100) / 10
  const timings = { ...(requeuedAt ? { requeuedS: seconds(requeuedAt) } : {}), endedS: seconds(Date.now()) }
  return { ...environment, analyses, pool, frames, queue, analysis, timings, ended }
}

t.test('attempts left: re-queued by the reconciler and completed exactly once', async (t) => {
  // Killed while frames are being written (the engine's part is 8-90 %).
  const { ended, analysis, frames, pool, queue, timings } = await killWorkerThenLoseRedis(t, 3, 20)
  t.comment(`Redis restarted -> started again ${timings.requeuedS} s -> completed ${timings.endedS} s (a new worker process starts in between)`)
  t.equal(ended.status, 'completed', ended.errorMessage ?? '')
  t.equal(ended.attempts, 2, 'the killed start and the one that finished it: no other run')

  const faceFrames = await frames.countFrames(analysis.id, FACE_KIND)
  t.equal(faceFrames, ended.analysedFrames, 'MongoDB holds each face frame once')
  t.equal(await frames.collection.countDocuments({ a: analysis.id, k: FACE_KIND }), Math.ceil(faceFrames / BUCKET_SIZE), 'no leftover face buckets')
  const voiceFrames = await frames.countFrames(analysis.id, VOICE_KIND)
  t.ok(voiceFrames > 0, 'voice frames stored')
  t.equal(await frames.collection.countDocuments({ a: analysis.id, k: VOICE_KIND }), Math.ceil(voiceFrames / BUCKET_SIZE), 'no leftover voice buckets')

  const count = async (table: string) => Number((await pool.query(`SELECT COUNT(*) AS n FROM ${table} WHERE analysis_id = ?`, [analysis.id]))[0].n)
  t.equal(await count('analysis_scores'), 1, 'one scores row')
  t.equal(await count('analysis_feedback'), 1, 'one feedback row')
  const stored: Array<{ kind: string, metrics: unknown }> = await pool.query('SELECT kind, metrics FROM analysis_signals WHERE analysis_id = ?', [analysis.id])
  const byKind = Object.fromEntries(stored.map((r) => [r.kind, { metrics: typeof r.metrics === 'string' ? JSON.parse(r.metrics) : r.metrics }]))
  t.equal(await count('analysis_events'), analysisOutcome(byKind).events.length, 'each timeline event once, as the stored metrics call for')

  const counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')
  t.same(counts, { completed: 1, failed: 0, active: 0, waiting: 0, delayed: 0 }, 'one job, completed once')
  t.equal((await queue.getJob(analysis.id))!.opts.attempts, 2, 're-queued with the attempts the analysis had left')
})

t.test('attempts spent: failed with the reason', async (t) => {
  const { ended, analysis, queue, timings } = await killWorkerThenLoseRedis(t, 1, 0)
  t.comment(`Redis restarted -> failed ${timings.endedS} s (a new worker process starts in between)`)
  t.match(ended, {
    status: 'failed',
    errorCode: 'job_lost',
    errorMessage: 'the analysis was started 1 time without finishing and its job is no longer queued (Redis lost it); giving up',
    attempts: 1
  })
  t.equal(await queue.getJob(analysis.id), undefined, 'not queued again')
})
