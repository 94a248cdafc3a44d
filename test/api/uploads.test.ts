/**
 * Uploads against the real Swift S3 and MariaDB: presigned PUTs and multipart uploads sent
 * with real HTTP (fetch), resumed after an interruption, completed server-side; direct uploads
 * streamed through the API; every refusal (content type, size, container, expiry, another
 * tenant) and an analysis started from an upload.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { Value } from 'typebox/value'
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import { testApp, callerFor, pollUntilDone } from '../helpers/app.js'
import { fixtures, waitFor } from '../helpers/environment.js'
import { formData } from '../helpers/form-data.js'
import { UploadResponse } from '../../src/schemas/uploads.js'
import { createUpload, abortExpiredUploads, sniffContainer, planParts, type UploadDeps } from '../../src/services/uploads.js'
import type { ObjectStorage } from '../../src/storage/object-storage.js'

const MiB = 1024 ** 2
const video = path.join(fixtures, 'video/single_face.mp4')

function sha256 (data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex')
}

async function objectBytes (storage: ObjectStorage, bucket: string, key: string): Promise<Buffer> {
  const { stream } = await storage.getStream(bucket, key, { maxBytes: 100 * MiB })
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Keys under a prefix, and the multipart uploads S3 still holds open (a half upload must never stay). */
async function leftovers (storage: ObjectStorage, bucket: string): Promise<{ keys: string[], open: string[] }> {
  const keys: string[] = []
  for await (const o of storage.listKeys(bucket, 'uploads/')) keys.push(o.key)
  const listed = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
  return { keys, open: (listed.Uploads ?? []).map((u) => u.Key!) }
}

t.test('uploads', async (t) => {
  const { app, api, config, storage } = await testApp(t, {
    UPLOAD_PART_BYTES: '5MiB', MAX_VIDEO_BYTES: '64MiB', DIRECT_UPLOAD_MAX_BYTES: '10MiB', WORKER_IN_PROCESS: 'true'
  })
  const bucket = config.s3.uploadsBucket
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-uploads-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const small = await fs.readFile(video)

  // A real, playable mp4 over two parts of 5 MiB: the 1.6 MB fixture looped 8 times (stream copy).
  const largeFile = path.join(dir, 'large.mp4')
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '7',
    '-i', path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), '-c', 'copy', largeFile])
  t.equal(made.status, 0, String(made.stderr))
  const large = await fs.readFile(largeFile)
  t.ok(large.length > 12 * MiB && large.length < 15 * MiB, `a ${(large.length / MiB).toFixed(1)} MiB file`)

  const schemaProblems = (value: unknown) => [...Value.Errors(UploadResponse, value)].slice(0, 3).map((e) => `${e.instancePath} ${e.message}`)

  t.test('a presigned PUT of a real video with fetch, then complete', async (t) => {
    const created = await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: small.length, filename: 'single_face.mp4', user_id: 'u1' } })
    t.equal(created.statusCode, 201, created.body)
    const upload = created.json()
    t.same(schemaProblems(upload), [], 'the reply matches its schema')
    t.match(upload, { state: 'pending', method: 'put', s3_bucket: bucket, content_type: 'video/mp4', size: small.length, filename: 'single_face.mp4', user_id: 'u1', parts: null, part_size: null })
    t.match(upload.s3_key, /^uploads\/[0-9a-f-]{36}\.mp4$/, 'the server chose the key')
    t.equal(created.headers.location, `/uploads/${upload.upload_id}`)
    const expires = Date.parse(upload.expires_at) - Date.now()
    t.ok(expires > 3500_000 && expires <= 3600_000, 'URLs valid for UPLOAD_URL_SECONDS')

    const early = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete`, payload: {} })
    t.equal(early.statusCode, 409, 'nothing to complete before the PUT')
    t.match(early.json().message, /nothing uploaded yet/)

    // The signed Content-Length and Content-Type hold: S3 refuses anything else.
    const longer = await fetch(upload.put.url, { method: 'PUT', headers: upload.put.headers, body: Buffer.concat([small, Buffer.alloc(1)]) })
    t.equal(longer.status, 403, 'one byte more than declared is refused by S3')
    const otherType = await fetch(upload.put.url, { method: 'PUT', headers: { 'content-type': 'video/webm' }, body: small })
    t.equal(otherType.status, 403, 'another content type is refused by S3')

    const put = await fetch(upload.put.url, { method: 'PUT', headers: upload.put.headers, body: small })
    t.equal(put.status, 200, await put.text())
    const completed = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete` })
    t.equal(completed.statusCode, 200, completed.body)
    t.same(schemaProblems(completed.json()), [])
    t.match(completed.json(), { state: 'completed', size: small.length, put: null, analysis_id: null })
    t.ok(completed.json().completed_at)
    t.notOk('analysis' in completed.json(), 'no analysis asked for')
    t.equal(sha256(await objectBytes(storage, bucket, upload.s3_key)), sha256(small), 'S3 holds the file\'s bytes')
    const head = await storage.head(bucket, upload.s3_key)
    t.equal(head?.contentType, 'video/mp4')

    const again = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete`, payload: {} })
    t.equal(again.statusCode, 200, 'completing again is harmless')
    const row = (await api({ url: `/uploads/${upload.upload_id}` })).json()
    t.match(row, { state: 'completed', put: null })
    const deleted = await api({ method: 'DELETE', url: `/uploads/${upload.upload_id}` })
    t.equal(deleted.statusCode, 409, 'a completed upload cannot be aborted')
    t.ok(await storage.head(bucket, upload.s3_key), 'and its object stays')

    // The key POST /analyze gets is accepted there (the tenant's location).
    const analyze = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: upload.s3_key, user_id: 'u1', session_id: 'put-1' } })
    t.equal(analyze.statusCode, 202, analyze.body)
  })

  t.test('a multipart upload interrupted after its first part resumes through GET /uploads/:id', async (t) => {
    const created = await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: large.length } })
    t.equal(created.statusCode, 201, created.body)
    const upload = created.json()
    t.same(schemaProblems(upload), [])
    const partCount = Math.ceil(large.length / (5 * MiB))
    t.match(upload, { method: 'multipart', part_size: 5 * MiB, put: null })
    t.equal(upload.parts.length, partCount, `${partCount} parts of 5 MiB`)
    t.same(upload.parts.map((p: { offset: number }) => p.offset), upload.parts.map((_: unknown, i: number) => i * 5 * MiB))
    t.equal(upload.parts.at(-1).size, large.length - (partCount - 1) * 5 * MiB, 'the last part is the rest')
    const sendPart = async (part: { url: string, offset: number, size: number }, bytes = large.subarray(part.offset, part.offset + part.size)) =>
      await fetch(part.url, { method: 'PUT', body: bytes })

    t.equal((await sendPart(upload.parts[0])).status, 200, 'part 1 sent')
    // ... and the client goes away. Later it asks where it was.
    const resumed = (await api({ url: `/uploads/${upload.upload_id}` })).json()
    t.same(schemaProblems(resumed), [])
    t.same(resumed.parts.map((p: { uploaded: boolean }) => p.uploaded), [true, ...Array(partCount - 1).fill(false)], 'S3 holds part 1 only')
    t.equal(resumed.parts[0].url, null, 'no URL for a part already there')
    t.ok(resumed.parts.slice(1).every((p: { url: string | null }) => p.url), 'fresh URLs for the missing parts')

    const incomplete = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete` })
    t.equal(incomplete.statusCode, 409)
    t.match(incomplete.json().message, new RegExp(`parts 2-${partCount} of ${partCount} not uploaded yet`))

    // Part 2 cut short: its URL signs the part's length, so S3 refuses it.
    t.equal((await sendPart(resumed.parts[1], large.subarray(resumed.parts[1].offset, resumed.parts[1].offset + 1000))).status, 403, 'a short part is refused')
    t.equal((await sendPart(resumed.parts[1], large.subarray(resumed.parts[1].offset, resumed.parts[1].offset + resumed.parts[1].size + 1))).status, 403, 'so is a long one')
    for (const part of resumed.parts.slice(2)) t.equal((await sendPart(part)).status, 200)
    const missing = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete` })
    t.equal(missing.statusCode, 409)
    t.match(missing.json().message, new RegExp(`part 2 of ${partCount} not uploaded yet`))
    const again = (await api({ url: `/uploads/${upload.upload_id}` })).json()
    t.same(again.parts.map((p: { uploaded: boolean }) => p.uploaded), [true, false, ...Array(partCount - 2).fill(true)], 'part 2 is still to be sent')
    t.equal((await sendPart(again.parts[1])).status, 200, 'sent whole, it is taken')

    const completed = await api({ method: 'POST', url: `/uploads/${upload.upload_id}/complete` })
    t.equal(completed.statusCode, 200, completed.body)
    t.match(completed.json(), { state: 'completed', size: large.length, parts: null })
    t.equal(sha256(await objectBytes(storage, bucket, upload.s3_key)), sha256(large), 'S3 holds exactly the file\'s bytes')
    t.same((await leftovers(storage, bucket)).open, [], 'no multipart upload left open')
  })

  t.test('refused: content type, size, body limit, keys and scopes', async (t) => {
    const post = (payload: unknown, headers: Record<string, string> = {}) => api({ method: 'POST', url: '/uploads', payload: payload as object, headers })
    const textType = await post({ content_type: 'text/plain', size: 1000 })
    t.equal(textType.statusCode, 415)
    t.match(textType.json().message, /content type "text\/plain" is not accepted for uploads \(accepted: video\/webm, video\/mp4/)
    t.equal((await post({ content_type: 'video/x-msvideo', size: 1000 })).statusCode, 415, 'a video type the deployment does not accept')
    const withCodecs = await post({ content_type: 'video/webm;codecs=vp8,opus', size: 1000 })
    t.equal(withCodecs.statusCode, 201, 'a browser recorder\'s type with codecs')
    t.match(withCodecs.json(), { content_type: 'video/webm', put: { headers: { 'content-type': 'video/webm' } } })
    t.match(withCodecs.json().s3_key, /\.webm$/)

    const tooLarge = await post({ content_type: 'video/mp4', size: 64 * MiB + 1 })
    t.equal(tooLarge.statusCode, 413)
    t.match(tooLarge.json().message, /file too large: 64.0 MiB > the 64.0 MiB limit \(MAX_VIDEO_BYTES\)/)
    t.equal((await post({ content_type: 'video/mp4', size: 64 * MiB })).statusCode, 201, 'exactly the limit is fine')
    t.equal((await post({ content_type: 'video/mp4', size: 0 })).statusCode, 400, 'an empty file')
    t.equal((await post({ content_type: 'video/mp4', size: 1.5 })).statusCode, 400)
    const chosenKey = await post({ content_type: 'video/mp4', size: 10, s3_key: 'elsewhere/x.mp4' })
    t.equal(chosenKey.statusCode, 400, 'the client cannot choose the key')
    t.match(chosenKey.json().message, /additional properties \(s3_key\)/)

    const huge = await post(JSON.stringify({ content_type: 'video/mp4', size: 10, filename: 'x'.repeat(2 * MiB) }), { 'content-type': 'application/json' })
    t.equal(huge.statusCode, 413, 'the JSON routes keep their body limit')
    t.same(Object.keys(huge.json()).sort(), ['error', 'message', 'statusCode'])

    t.equal((await app.inject({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: 10 } })).statusCode, 401, 'no key')
    const reader = await callerFor(app, 'tenant-a', { scopes: ['analyses:read'] })
    t.equal((await reader.api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: 10 } })).statusCode, 403, 'a read-only key')
    t.equal((await reader.api({ url: `/uploads/${withCodecs.json().upload_id}` })).statusCode, 403, 'GET hands out upload URLs: write scope')
  })

  t.test('another tenant\'s upload answers 404 exactly like an unknown id', async (t) => {
    const mine = (await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: 100 } })).json()
    const other = await callerFor(app, 'tenant-b', { locations: [{ bucket, prefix: 'b/' }] })
    const unknown = crypto.randomUUID()
    for (const [method, suffix] of [['GET', ''], ['POST', '/complete'], ['DELETE', '']] as const) {
      const theirs = await other.api({ method, url: `/uploads/${mine.upload_id}${suffix}`, ...(method === 'POST' ? { payload: {} } : {}) })
      const none = await other.api({ method, url: `/uploads/${unknown}${suffix}`, ...(method === 'POST' ? { payload: {} } : {}) })
      t.equal(theirs.statusCode, 404, `${method} ${suffix || '/'}`)
      t.same(theirs.json(), { ...none.json(), message: none.json().message.replace(unknown, mine.upload_id) }, 'the same answer')
    }
    t.match((await api({ url: `/uploads/${mine.upload_id}` })).json(), { state: 'pending' }, 'still pending for its owner')
    const theirUpload = (await other.api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/webm', size: 100 } })).json()
    t.match(theirUpload.s3_key, /^b\/uploads\/[0-9a-f-]{36}\.webm$/, 'a tenant uploads under its own prefix')

    const nowhere = await callerFor(app, 'tenant-c', { locations: [] })
    const refused = await nowhere.api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: 100 } })
    t.equal(refused.statusCode, 403)
    t.match(refused.json().message, /tenant "tenant-c" has no allowed S3 location/)
  })

  t.test('DELETE aborts an unfinished upload and leaves nothing in S3', async (t) => {
    const multi = (await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: large.length } })).json()
    t.equal((await fetch(multi.parts[0].url, { method: 'PUT', body: large.subarray(0, 5 * MiB) })).status, 200)
    t.ok((await leftovers(storage, bucket)).open.includes(multi.s3_key), 'an open multipart upload with a part')
    const aborted = await api({ method: 'DELETE', url: `/uploads/${multi.upload_id}` })
    t.equal(aborted.statusCode, 204, aborted.body)
    t.notOk((await leftovers(storage, bucket)).open.includes(multi.s3_key), 'the multipart upload is gone')
    t.match((await api({ url: `/uploads/${multi.upload_id}` })).json(), { state: 'aborted', parts: null })
    t.equal((await api({ method: 'DELETE', url: `/uploads/${multi.upload_id}` })).statusCode, 204, 'aborting twice is harmless')
    t.equal((await api({ method: 'POST', url: `/uploads/${multi.upload_id}/complete` })).statusCode, 409)

    const single = (await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: small.length } })).json()
    t.equal((await fetch(single.put.url, { method: 'PUT', headers: single.put.headers, body: small })).status, 200)
    t.equal((await api({ method: 'DELETE', url: `/uploads/${single.upload_id}` })).statusCode, 204)
    t.equal(await storage.head(bucket, single.s3_key), null, 'the PUT but uncompleted object is deleted')
  })

  t.test('a presigned URL expires (the service with a 1 s lifetime)', async (t) => {
    const deps: UploadDeps = {
      config: { ...config, uploads: { ...config.uploads, urlSeconds: 1 } },
      uploads: app.uploads, analyses: app.analyses, storage: app.storage, queue: app.analysisQueue
    }
    const tenant = (await app.tenants.getTenant('tenant-a'))!
    const single = await createUpload(tenant, { contentType: 'video/mp4', size: small.length }, deps)
    const multi = await createUpload(tenant, { contentType: 'video/mp4', size: 6 * MiB }, deps)
    t.ok(single.upload.expiresAt.getTime() - single.upload.createdAt.getTime() <= 1100, 'expires one second after creation')
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const put = await fetch(single.put!.url, { method: 'PUT', headers: single.put!.headers, body: small })
    t.equal(put.status, 403, 'an expired PUT URL is refused by S3')
    t.match(await put.text(), /AccessDenied|expired/i)
    const part = await fetch(multi.parts![0]!.url!, { method: 'PUT', body: large.subarray(0, 5 * MiB) })
    t.equal(part.status, 403, 'an expired part URL too')
    t.equal(await storage.head(bucket, single.upload.s3Key), null, 'nothing was stored')
    // GET /uploads/:id hands out fresh URLs (the app's own UPLOAD_URL_SECONDS).
    const fresh = (await api({ url: `/uploads/${single.upload.id}` })).json()
    t.equal((await fetch(fresh.put.url, { method: 'PUT', headers: fresh.put.headers, body: small })).status, 200, 'a fresh URL works')
    t.ok(Date.parse(fresh.expires_at) > Date.now() + 3000_000, 'and the upload\'s expiry moved on')

    // The sweep aborts what expired (the multipart upload, with its part) and nothing else.
    const live = await createUpload(tenant, { contentType: 'video/mp4', size: 6 * MiB }, { ...deps, config })
    const again = await createUpload(tenant, { contentType: 'video/mp4', size: 6 * MiB }, deps)
    const partUrl = (await api({ url: `/uploads/${again.upload.id}` })).json().parts[0].url
    t.equal((await fetch(partUrl, { method: 'PUT', body: large.subarray(0, 5 * MiB) })).status, 200)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    t.ok((await leftovers(storage, bucket)).open.includes(again.upload.s3Key))
    // `again` got fresh URLs (1 h) from GET: only a sweep far in the future takes it.
    const now = await abortExpiredUploads(deps, { graceMs: 0 })
    t.ok(now.aborted >= 1 && now.failed === 0, `expired uploads aborted: ${JSON.stringify(now)}`)
    t.equal((await app.uploads.get(multi.upload.id))!.state, 'aborted', 'the expired multipart upload')
    t.equal((await app.uploads.get(again.upload.id))!.state, 'pending', 'one with fresh URLs stays')
    t.equal((await app.uploads.get(live.upload.id))!.state, 'pending', 'one within its lifetime stays')
    const later = await abortExpiredUploads(deps, { graceMs: 0, now: Date.now() + 2 * 3600_000 })
    t.ok(later.aborted >= 3, 'hours later everything pending is aborted')
    t.equal((await app.uploads.get(again.upload.id))!.state, 'aborted')
    t.notOk((await leftovers(storage, bucket)).open.includes(again.upload.s3Key), 'and its part is gone from S3')
  })

  t.test('the OpenAPI document describes the upload routes', async (t) => {
    const spec = (await app.inject({ url: '/docs/json' })).json()
    t.same(Object.keys(spec.paths).filter((p: string) => p.startsWith('/uploads')).sort(),
      ['/uploads', '/uploads/direct', '/uploads/{id}', '/uploads/{id}/complete'])
    t.ok(spec.paths['/uploads'].post.requestBody.content['application/json'].schema.properties.content_type)
    const form = spec.paths['/uploads/direct'].post.requestBody.content['multipart/form-data'].schema
    t.match(form.properties, { file: { format: 'binary' }, analyze: { enum: ['true', 'false'] } }, 'the form, file included')
    t.ok(spec.paths['/uploads/{id}'].delete, 'DELETE')
  })

  t.test('part plan and container sniffing', async (t) => {
    t.same(planParts(12 * MiB, 5 * MiB).parts.map((p) => p.size), [5 * MiB, 5 * MiB, 2 * MiB])
    t.equal(planParts(10_000 * 5 * MiB + 1, 5 * MiB).parts.length, 10_000, 'never over 10,000 parts: larger parts instead')
    t.equal(planParts(10, 1024).partBytes, 5 * MiB, 'never under the S3 minimum of 5 MiB')
    t.equal(sniffContainer(small.subarray(0, 12)), 'isobmff')
    t.equal(sniffContainer(await fs.readFile(path.join(fixtures, 'video/face_then_noface.mov'))), 'isobmff', 'a QuickTime file')
    t.equal(sniffContainer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81])), 'matroska')
    t.equal(sniffContainer(Buffer.from('hello world, not a video')), null)
  })

  t.test('a direct upload streams a real video to S3', async (t) => {
    const form = formData([{ name: 'file', filename: 'single_face.mp4', contentType: 'video/mp4', data: small }])
    const reply = await api({ method: 'POST', url: '/uploads/direct', ...form })
    t.equal(reply.statusCode, 201, reply.body)
    const upload = reply.json()
    t.same(schemaProblems(upload), [])
    t.match(upload, { state: 'completed', method: 'direct', size: small.length, filename: 'single_face.mp4', put: null, parts: null })
    t.match(upload.s3_key, /^uploads\/[0-9a-f-]{36}\.mp4$/)
    t.equal(sha256(await objectBytes(storage, bucket, upload.s3_key)), sha256(small), 'the bytes in S3 are the file\'s')
    t.match((await api({ url: `/uploads/${upload.upload_id}` })).json(), { state: 'completed', method: 'direct' })

    // Over lib-storage's 8 MiB part size: sent to S3 as a multipart upload, still exact.
    const nine = large.subarray(0, 9 * MiB)
    const bigger = await api({ method: 'POST', url: '/uploads/direct', ...formData([{ name: 'file', filename: 'part.mp4', contentType: 'video/mp4', data: nine }]) })
    t.equal(bigger.statusCode, 201, bigger.body)
    t.equal(sha256(await objectBytes(storage, bucket, bigger.json().s3_key)), sha256(nine))
  })

  t.test('direct uploads refused leave nothing behind', async (t) => {
    const before = await leftovers(storage, bucket)
    const direct = (parts: Parameters<typeof formData>[0]) => api({ method: 'POST', url: '/uploads/direct', ...formData(parts) })
    const check = async (what: string, reply: Awaited<ReturnType<typeof direct>>, status: number, message: RegExp) => {
      t.equal(reply.statusCode, status, `${what}: ${reply.body}`)
      t.same(Object.keys(reply.json()).sort(), ['error', 'message', 'statusCode'], `${what}: the error shape`)
      t.match(reply.json().message, message, what)
      t.same(await leftovers(storage, bucket), before, `${what}: no object and no open multipart upload`)
    }

    // 12+ MiB against a 10 MiB limit: lib-storage has already sent an 8 MiB part when the cap trips.
    await check('over DIRECT_UPLOAD_MAX_BYTES', await direct([{ name: 'file', filename: 'big.mp4', contentType: 'video/mp4', data: large }]),
      413, /file too large: over the 10.0 MiB limit of direct uploads/)
    await check('a text file renamed .mp4', await direct([{ name: 'file', filename: 'notes.mp4', contentType: 'video/mp4', data: Buffer.from('Dear diary,\n'.repeat(1000)) }]),
      415, /declared as video\/mp4 but does not start like a MP4\/QuickTime file/)
    await check('a webm declared as mp4', await direct([{ name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(100)]) }]),
      415, /first bytes are those of a WebM\/Matroska file; declare video\/webm/)
    await check('a text content type', await direct([{ name: 'file', filename: 'x.txt', contentType: 'text/plain', data: small }]),
      415, /content type "text\/plain" is not accepted/)
    await check('an empty file', await direct([{ name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: Buffer.alloc(0) }]), 422, /the file is empty/)
    await check('no file', await direct([{ name: 'user_id', value: 'u1' }]), 400, /no file in the form/)
    await check('a field after the file', await direct([{ name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }, { name: 'user_id', value: 'u1' }]),
      400, /the field "user_id" came after the file/)
    await check('two files', await direct([{ name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }, { name: 'file2', filename: 'y.mp4', contentType: 'video/mp4', data: small }]),
      400, /one file per request/)
    await check('an unknown field', await direct([{ name: 's3_key', value: 'mine.mp4' }, { name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }]),
      400, /unknown form field "s3_key"/)
    await check('analyze without session_id', await direct([{ name: 'analyze', value: 'true' }, { name: 'user_id', value: 'u1' }, { name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }]),
      400, /analyze=true needs the form fields user_id and session_id/)
    await check('bad options', await direct([{ name: 'options', value: '{"language":"fr"}' }, { name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }]),
      400, /form field options\/language/)
    await check('options not JSON', await direct([{ name: 'options', value: '{language' }, { name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }]),
      400, /"options" must be a JSON object/)

    const truncated = formData([{ name: 'file', filename: 'x.mp4', contentType: 'video/mp4', data: small }])
    await check('a form cut short', await api({ method: 'POST', url: '/uploads/direct', headers: truncated.headers, payload: truncated.payload.subarray(0, 50_000) }),
      400, /broke off before the file was complete|malformed multipart\/form-data/)
    await check('garbage with a multipart type', await api({ method: 'POST', url: '/uploads/direct', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: 'not a form at all' }),
      400, /malformed/)
    await check('no boundary', await api({ method: 'POST', url: '/uploads/direct', headers: { 'content-type': 'multipart/form-data' }, payload: 'x' }),
      400, /malformed|boundary/i)
    await check('JSON', await api({ method: 'POST', url: '/uploads/direct', payload: { file: 'x' } }), 415, /send multipart\/form-data/)
    const rows = await app.mariadb.query('SELECT state, COUNT(*) AS n FROM uploads WHERE method = \'direct\' GROUP BY state ORDER BY state')
    t.ok(rows.some((r: { state: string }) => r.state === 'aborted'), 'the refused uploads that had begun are recorded as aborted')
  })

  t.test('an upload with analyze starts the analysis', async (t) => {
    // Direct: the text fields first, then the file.
    const direct = await api({
      method: 'POST', url: '/uploads/direct',
      ...formData([
        { name: 'user_id', value: 'u-direct' }, { name: 'session_id', value: 's-direct' }, { name: 'analyze', value: 'true' },
        { name: 'options', value: '{"language":"en"}' },
        { name: 'file', filename: 'single_face.mp4', contentType: 'video/mp4', data: small }
      ])
    })
    t.equal(direct.statusCode, 201, direct.body)
    const body = direct.json()
    t.same(schemaProblems(body), [])
    t.match(body, { state: 'completed', user_id: 'u-direct', analysis: { status: 'queued', created: true, message: 'analysis queued' } })
    t.equal(body.analysis_id, body.analysis.analysis_id)
    t.equal(direct.headers.location, `/analysis/${body.analysis.analysis_id}`)

    // Presigned PUT, completed with analyze (user_id from the upload).
    const created = (await api({ method: 'POST', url: '/uploads', payload: { content_type: 'video/mp4', size: small.length, user_id: 'u-put' } })).json()
    await fetch(created.put.url, { method: 'PUT', headers: created.put.headers, body: small })
    const completed = await api({ method: 'POST', url: `/uploads/${created.upload_id}/complete`, payload: { analyze: { session_id: 's-put', options: { language: 'ko' } } } })
    t.equal(completed.statusCode, 200, completed.body)
    t.match(completed.json(), { state: 'completed', analysis: { status: 'queued', created: true } })
    const replay = await api({ method: 'POST', url: `/uploads/${created.upload_id}/complete`, payload: { analyze: { session_id: 's-put' } } })
    t.match(replay.json(), { analysis: { analysis_id: completed.json().analysis.analysis_id, created: false } }, 'completing again returns the same analysis')
    t.equal((await api({ url: `/uploads/${created.upload_id}` })).json().analysis_id, completed.json().analysis.analysis_id, 'the upload names its analysis')

    const queued = (await api({ url: `/analysis/${completed.json().analysis.analysis_id}` })).json()
    t.match(queued, { status: /^(queued|processing|completed)$/, user_id: 'u-put', session_id: 's-put', source: { s3_bucket: bucket, s3_key: created.s3_key, size_bytes: small.length } })
    // The in-process worker runs both; the engine's first job loads the models.
    for (const [what, id, userId] of [['direct', body.analysis.analysis_id, 'u-direct'], ['put', completed.json().analysis.analysis_id, 'u-put']]) {
      const done = await pollUntilDone(api, id, 300_000)
      t.match(done, { status: 'completed', user_id: userId, analysed_frames: 72 }, `the ${what} upload's analysis completed`)
    }
    const feedback = await waitFor('feedback', async () => {
      const reply = await api({ url: `/analysis/${completed.json().analysis.analysis_id}/llm-comment` })
      return reply.statusCode === 200 ? reply.json() as { language: string } : undefined
    })
    t.equal(feedback.language, 'ko', 'the options reached the analysis')
  })
})
