/**
 * 20 analyses requested at once: all accepted, none lost or duplicated, each ending completed
 * or failed with a reason, while reads keep answering.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { testApp } from '../helpers/app.js'
import { waitFor } from '../helpers/environment.js'
import { toWebm } from '../helpers/media.js'

t.test('20 concurrent POST /analyze', async (t) => {
  const { app, api, config, storage } = await testApp(t, { WORKER_IN_PROCESS: 'true', WORKER_CONCURRENCY: '2', JOB_ATTEMPTS: '2' })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-many-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const bucket = config.s3.uploadsBucket
  const webm = await fs.readFile(toWebm('video/grid/lbbc2a.mpg', path.join(dir, 'clip.webm')))
  // 17 good recordings and 3 that can only fail (text, truncated, audio-only headers stripped).
  const keys = Array.from({ length: 20 }, (_, i) => `batch/${i}.webm`)
  await Promise.all(keys.map((key, i) => storage.put(bucket, key,
    i % 7 === 3 ? webm.subarray(0, Math.floor(webm.length * 0.3)) : webm, 'video/webm')))

  const started = Date.now()
  const replies = await Promise.all(keys.map((key, i) => api({
    method: 'POST',
    url: '/analyze',
    payload: { s3_bucket: bucket, s3_key: key, user_id: `u${i % 4}`, session_id: `s${i}`, options: { fps: 10, emotion_fps: 2 } }
  })))
  t.same(replies.map((r) => r.statusCode), keys.map(() => 202), 'every request accepted')
  const ids = replies.map((r) => r.json().analysis_id as string)
  t.equal(new Set(ids).size, 20, '20 distinct analyses')

  // Reads keep answering while the jobs run.
  let reads = 0
  let slowestReadMs = 0
  const final = await waitFor('all 20 analyses to finish', async () => {
    const bodies = await Promise.all(ids.map(async (id) => {
      const before = performance.now()
      const reply = await api({ url: `/analysis/${id}` })
      slowestReadMs = Math.max(slowestReadMs, performance.now() - before)
      reads++
      if (reply.statusCode !== 200) throw new Error(`GET /analysis/${id} answered ${reply.statusCode}`)
      return reply.json() as { status: string, error: { message: string } | null, analysed_frames: number | null }
    }))
    return bodies.every((b) => b.status === 'completed' || b.status === 'failed') ? bodies : undefined
  }, 240_000, 500)
  t.comment(`20 analyses in ${((Date.now() - started) / 1000).toFixed(1)} s; ${reads} reads during them, slowest ${slowestReadMs.toFixed(0)} ms`)

  const completed = final.filter((b) => b.status === 'completed')
  const failed = final.filter((b) => b.status === 'failed')
  t.equal(completed.length, 17, '17 completed')
  t.equal(failed.length, 3, '3 failed')
  for (const f of failed) t.match(f.error?.message, /damaged or truncated video|not a video/, 'with a reason')
  t.ok(completed.every((b) => b.analysed_frames === 30), 'each good clip analysed at 10 fps: 30 frames')

  const [{ n }] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses')
  t.equal(Number(n), 20, 'exactly 20 analyses recorded')
  const [{ scores }] = await app.mariadb.query('SELECT COUNT(*) AS scores FROM analysis_scores')
  t.equal(Number(scores), 17, 'one score row per completed analysis')
  const counts = await app.analysisQueue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed')
  t.match(counts, { completed: 17, failed: 3, waiting: 0, active: 0, delayed: 0 }, 'no job lost, none retried for bad input')
})
