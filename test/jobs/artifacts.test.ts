/**
 * Pictures and the playback copy never fail an analysis: with the artifacts bucket gone (S3
 * refusing every write there), the analysis still completes, and each event, the overview and
 * the playback section say why they have nothing.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { DeleteBucketCommand } from '@aws-sdk/client-s3'
import { testApp, pollUntilDone } from '../helpers/app.js'
import { browserRecording } from '../helpers/phone-video.js'

t.test('an analysis completes when its pictures and copy cannot be stored', async (t) => {
  const { api, config, storage } = await testApp(t, { WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '1', PLAYBACK_COPY: 'true' })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-artifacts-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  await storage.client.send(new DeleteBucketCommand({ Bucket: config.s3.artifactsBucket }))
  t.teardown(() => storage.ensureBucket(config.s3.artifactsBucket)) // the environment's teardown empties and removes it

  const recording = browserRecording(dir, { seconds: 6 })
  await storage.put(config.s3.uploadsBucket, 'answer.webm', await fs.readFile(recording.file), 'video/webm')
  const posted = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: config.s3.uploadsBucket, s3_key: 'answer.webm', user_id: 'u1', session_id: 's1' } })
  t.equal(posted.statusCode, 202, posted.body)
  const done = await pollUntilDone(api, posted.json().analysis_id, 180_000)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  t.match(done.playback, { url: null, error: /^not made: S3 bucket not found/ }, 'the playback section says why there is no copy')

  const timeline = (await api({ url: `/analysis/${done.analysis_id}/timeline` })).json()
  t.equal(timeline.overview, null)
  t.match(timeline.overview_error, /^not made: /)
  const pictured = timeline.events.filter((e: { kind: string }) => e.kind !== 'blink')
  t.ok(pictured.length > 0, `${pictured.length} events that would have pictures`)
  for (const event of pictured) {
    t.equal(event.thumbnail, null, `${event.kind}: no thumbnail`)
    t.match(event.thumbnail_error, /^not made: S3 bucket not found/, `${event.kind}: and why`)
  }
  const feedback = (await api({ url: `/analysis/${done.analysis_id}/llm-comment` })).json()
  t.equal(feedback.source, 'rules', 'the feedback is written all the same')
})
