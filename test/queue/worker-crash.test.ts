/**
 * A worker killed mid-job (SIGKILL to its whole process group, as when a machine dies) leaves
 * the job to BullMQ's stalled-job recovery: another worker picks it up once the lock expires
 * and completes it with the same results, writing no frame or row twice.
 */
import t from 'tap'
import { BUCKET_SIZE } from '../../src/repositories/frame-store.js'
import { FACE_KIND } from '../../src/signals/face/codec.js'
import { testEnvironment, waitFor } from '../helpers/environment.js'
import { killGroup } from '../helpers/processes.js'
import { workerTestbed } from '../helpers/workers.js'
import { analyzeFixture, faceOf } from '../helpers/engine.js'
import { analysisOutcome } from '../../src/signals/outcome.js'
import type { FaceMetrics } from '../../src/signals/face/metrics/index.js'

t.test('kill -9 mid-job: picked up again and completed with the same results', async (t) => {
  const bed = await workerTestbed(t, await testEnvironment(t, { mongo: true, env: { JOB_LOCK_MS: '4000', JOB_ATTEMPTS: '3', LOG_LEVEL: 'silent' } }))
  const { pool, analyses, frames, workers } = bed
  bed.startWorker()
  const analysis = await bed.queueFixture('video/sad_to_happy_pexels.mp4')
  const midway = await waitFor('the first worker to be well into the job', async () => {
    const row = await analyses.get(analysis.id)
    return row?.status === 'processing' && row.progress >= 65 ? row : undefined
  }, 120_000, 100)
  t.equal(midway.attempts, 1)
  t.ok(await frames.countFrames(analysis.id, FACE_KIND) > 0, 'frames were being written when it died')
  killGroup(workers[0]!)

  bed.startWorker()
  const done = await waitFor('the job to be recovered and completed', async () => {
    const row = await analyses.get(analysis.id)
    return row?.status === 'completed' || row?.status === 'failed' ? row : undefined
  }, 180_000, 250)
  t.equal(done.status, 'completed', done.errorMessage ?? '')
  t.equal(done.attempts, 2, 'a second attempt finished it')

  const stored = await frames.countFrames(analysis.id, FACE_KIND)
  t.equal(stored, done.analysedFrames, 'MongoDB holds each frame once')
  t.equal(await frames.collection.countDocuments({ a: analysis.id, k: FACE_KIND }), Math.ceil(stored / BUCKET_SIZE), 'no leftover face buckets')
  const [{ events }] = await pool.query('SELECT COUNT(*) AS events FROM analysis_events WHERE analysis_id = ?', [analysis.id])
  const [{ metrics }] = await pool.query('SELECT metrics FROM analysis_signals WHERE analysis_id = ? AND kind = ?', [analysis.id, FACE_KIND])
  const storedFace = (typeof metrics === 'string' ? JSON.parse(metrics) : metrics) as FaceMetrics
  const [{ feedback }] = await pool.query('SELECT COUNT(*) AS feedback FROM analysis_feedback WHERE analysis_id = ?', [analysis.id])
  t.equal(Number(feedback), 1, 'one feedback row')

  // The same video through the engine directly: the recovered job's results are the same.
  const direct = await analyzeFixture('video/sad_to_happy_pexels.mp4', { keepFrames: false })
  t.equal(done.analysedFrames, direct.sampling.frames)
  t.equal(storedFace.blinks.count, faceOf(direct).metrics.blinks.count)
  t.ok(Math.abs(storedFace.attention.eyeContactRatio - faceOf(direct).metrics.attention.eyeContactRatio) < 1e-9, 'the same eye contact')
  t.equal(storedFace.emotion.dominant, faceOf(direct).metrics.emotion.dominant)
  t.equal(Number(events), analysisOutcome(direct.signals).events.length, 'each timeline event once')
})
