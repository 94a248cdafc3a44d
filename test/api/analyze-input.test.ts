/** POST /analyze and the GET routes refuse bad input with a clear message, and store nothing. */
import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { testApp } from '../helpers/app.js'
import { fixtures } from '../helpers/environment.js'

t.test('bad input is refused with a message naming what is wrong', async (t) => {
  const { app, api, config, storage } = await testApp(t, { MAX_VIDEO_BYTES: '400KiB' })
  const bucket = config.s3.uploadsBucket
  // Allowed a bucket that does not exist, to see S3's own answer.
  await app.tenants.upsertTenant('tenant-a', { allowedLocations: [{ bucket, prefix: '' }, { bucket: 'candor-no-such-bucket', prefix: '' }] })
  await storage.put(bucket, 'text.webm', 'not a video, just text\n'.repeat(50))
  await storage.put(bucket, 'empty.webm', '')
  await storage.put(bucket, 'big.mp4', await fs.readFile(path.join(fixtures, 'video/sad_to_happy_pexels.mp4')))
  await storage.put(bucket, 'audio.webm', await fs.readFile(path.join(fixtures, 'audio/jfk.wav')))
  const valid = { s3_bucket: bucket, s3_key: 'x.webm', user_id: 'u', session_id: 's' }
  const post = (payload: unknown) => api({ method: 'POST', url: '/analyze', payload: payload as object })

  const cases: Array<[string, unknown, number, RegExp]> = [
    ['missing field', { s3_bucket: bucket, s3_key: 'x.webm', user_id: 'u' }, 400, /body must have required property 'session_id'/],
    ['wrong type', { ...valid, user_id: 42 }, 400, /body\/user_id must be string/],
    ['unknown field', { ...valid, priority: 'high' }, 400, /body must NOT have additional properties \(priority\)/],
    ['bad option', { ...valid, options: { language: 'fr' } }, 400, /^body\/options\/language must be one of: en, ko$/],
    ['bad bucket name', { ...valid, s3_bucket: 'Not A Bucket' }, 400, /body\/s3_bucket must match pattern/],
    ['missing object', { ...valid, s3_key: 'nope.webm' }, 422, new RegExp(`S3 object not found: ${bucket}/nope\\.webm`)],
    ['missing bucket', { ...valid, s3_bucket: 'candor-no-such-bucket' }, 422, /S3 bucket not found: candor-no-such-bucket/],
    ['empty object', { ...valid, s3_key: 'empty.webm' }, 422, /S3 object is empty/],
    ['over the size limit', { ...valid, s3_key: 'big.mp4' }, 422, /S3 object too large: .*big\.mp4 is 1\.6 MiB > the 400\.0 KiB limit/],
    ['not a video', { ...valid, s3_key: 'text.webm' }, 422, /not a video: ffprobe cannot read it/],
    ['audio only', { ...valid, s3_key: 'audio.webm' }, 422, /not a video: no video stream/]
  ]
  for (const [what, payload, status, message] of cases) {
    const reply = await post(payload)
    t.equal(reply.statusCode, status, `${what}: ${reply.body}`)
    t.match(reply.json(), { statusCode: status, error: String, message }, what)
  }
  const wrongType = await api({ method: 'POST', url: '/analyze', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(wrongType.statusCode, 415)
  const [{ n }] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses')
  t.equal(Number(n), 0, 'nothing was recorded for refused requests')

  t.equal((await api({ url: '/analysis/00000000-0000-4000-8000-000000000000' })).statusCode, 404)
  t.match((await api({ url: '/analysis/00000000-0000-4000-8000-000000000000' })).json(), { message: 'analysis not found: 00000000-0000-4000-8000-000000000000' })
  t.equal((await api({ url: '/analysis/not-a-uuid' })).statusCode, 400)
  t.equal((await api({ url: '/analysis/00000000-0000-4000-8000-000000000000/frames' })).statusCode, 404)
  t.equal((await api({ url: '/analysis/00000000-0000-4000-8000-000000000000/llm-comment' })).statusCode, 404)
  t.equal((await api({ url: '/analysis/recent?limit=0' })).statusCode, 400)
})
