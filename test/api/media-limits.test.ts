/**
 * POST /analyze probes the object's headers over a presigned URL and refuses a file beyond
 * the media limits with 422 and the same reason the job would give, before anything is
 * recorded or queued.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { testApp } from '../helpers/app.js'
import { declaredSize, tenHoursOfTinyFrames, statedFrameRate, manyStreams } from '../helpers/hostile-media.js'

t.test('hostile files are refused at the door', async (t) => {
  const { app, api, config, storage } = await testApp(t)
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-api-limits-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const bucket = config.s3.uploadsBucket

  const cases: Array<[string, string, RegExp]> = [
    ['16384x16384 declared', await declaredSize(path.join(dir, 'huge.mkv'), 16384, 16384), /^resolution too high: 16384x16384 = 268\.4 MP > 8\.8 MP limit$/],
    ['ten hours of 1x1 frames', tenHoursOfTinyFrames(path.join(dir, 'ten-hours.mkv')), /^video too long: 10\.0h > 1h limit$/],
    ['1000 fps', statedFrameRate(path.join(dir, 'fast.mp4'), 1000, 0.3), /^frame rate too high: 1000 fps > 240 fps limit$/],
    ['20 streams', manyStreams(path.join(dir, 'streams.mkv'), 20), /^too many streams: 20 > 16 limit$/]
  ]
  for (const [what, file, message] of cases) {
    const key = `hostile/${path.basename(file)}`
    await storage.put(bucket, key, await fs.readFile(file))
    const started = performance.now()
    const reply = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: key, user_id: 'u', session_id: key } })
    t.comment(`${what}: ${reply.statusCode} in ${Math.round(performance.now() - started)} ms: ${reply.json().message}`)
    t.equal(reply.statusCode, 422, what)
    t.match(reply.json(), { statusCode: 422, error: 'Unprocessable Entity', message }, what)
  }
  const [{ n }] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses')
  t.equal(Number(n), 0, 'nothing was recorded or queued')
})
