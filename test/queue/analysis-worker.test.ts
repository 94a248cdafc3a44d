import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { createPool } from '../../src/db/mariadb.js'
import { migrate } from '../../src/db/migrate.js'
import { AnalysisRepository, type AnalysisRecord } from '../../src/repositories/analyses.js'
import { createAnalysisQueue, enqueueAnalysis } from '../../src/queue/analysis-queue.js'
import { startAnalysisWorker } from '../../src/queue/analysis-worker.js'
import { testEnvironment, waitFor, fixtures } from '../helpers/environment.js'

t.test('analysis jobs run in a sandboxed worker against real Redis, S3 and MariaDB', async (t) => {
  const { config, storage, logger } = await testEnvironment(t, { mongo: true, env: { JOB_ATTEMPTS: '2', MAX_VIDEO_SECONDS: '10' } })
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 4)
  const analyses = new AnalysisRepository(pool)
  const queue = createAnalysisQueue(config)
  const worker = startAnalysisWorker(config, logger, analyses)
  t.teardown(async () => {
    await worker.close()
    await queue.close()
    await pool.end()
  })
  const bucket = config.s3.uploadsBucket

  async function analyse (key: string): Promise<AnalysisRecord> {
    const { analysis } = await analyses.create({ tenantId: 'tenant-a', userId: 'u', sessionId: 's', s3Bucket: bucket, s3Key: key })
    await enqueueAnalysis(queue, analysis.id)
    return waitFor(`analysis of ${key} to finish`, async () => {
      const row = await analyses.get(analysis.id)
      return row?.status === 'completed' || row?.status === 'failed' ? row : undefined
    }, 60_000)
  }

  await storage.put(bucket, 'good.mp4', await fs.readFile(path.join(fixtures, 'video/single_face.mp4')))
  await storage.put(bucket, 'long.mp4', await fs.readFile(path.join(fixtures, 'video/sad_to_happy_pexels.mp4')))
  await storage.put(bucket, 'text.webm', 'not a video at all')
  await storage.put(bucket, 'audio.webm', await fs.readFile(path.join(fixtures, 'audio/jfk.wav')))
  await storage.put(bucket, 'empty.webm', '')

  const [good, long, text, audio, empty, missing] = await Promise.all([
    analyse('good.mp4'), analyse('long.mp4'), analyse('text.webm'), analyse('audio.webm'), analyse('empty.webm'), analyse('missing.webm')
  ])

  t.equal(good.status, 'completed')
  t.match(good.video, { width: 640, height: 360, fps: 30, videoCodec: 'h264', hasAudio: true })
  t.equal(good.progress, 100)
  t.equal(good.analysedFrames, 72, 'the engine analysed every frame')
  t.equal(good.attempts, 1)
  t.ok(good.completedAt! >= good.startedAt!)

  t.match(long, { status: 'failed', errorCode: 'video_too_long', errorMessage: 'video too long: 20s > 10s limit', attempts: 1 })
  t.match(text, { status: 'failed', errorCode: 'not_media', errorMessage: /^not a video: ffprobe cannot read it/, attempts: 1 })
  t.match(audio, { status: 'failed', errorCode: 'no_video_stream', errorMessage: 'not a video: no video stream', attempts: 1 })
  t.match(empty, { status: 'failed', errorCode: 'empty_file', attempts: 1 })
  t.match(missing, { status: 'failed', errorCode: 's3_object_not_found', errorMessage: `S3 object not found: ${bucket}/missing.webm`, attempts: 1 })
  for (const row of [long, text, audio, empty, missing]) t.notMatch(row.errorMessage, /\n\s+at /, 'no stack trace in the message')

  // A job writes its verdict to the row, then removes its temp folder and hands the outcome to
  // BullMQ: once BullMQ has every job settled, every folder must be gone.
  const counts = await waitFor('every job to settle in BullMQ', async () => {
    const now = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')
    return now.active === 0 && now.waiting === 0 ? now : undefined
  }, 30_000)
  t.match(counts, { completed: 1, failed: 5, active: 0, waiting: 0, delayed: 0 }, 'bad input is failed once, never retried')
  const leftovers = await fs.readdir(config.tmpDir).catch(() => [])
  t.same(leftovers, [], 'temp files are deleted on every path')
})
