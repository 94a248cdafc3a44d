import t from 'tap'
import { createPool } from '../../src/db/mariadb.js'
import { migrate } from '../../src/db/migrate.js'
import { AnalysisRepository, TenantAtCapacity } from '../../src/repositories/analyses.js'
import { TenantRepository } from '../../src/repositories/tenants.js'
import { testEnvironment } from '../helpers/environment.js'

t.test('analysis lifecycle in MariaDB', async (t) => {
  const { config } = await testEnvironment(t)
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 4)
  t.teardown(() => pool.end())
  const analyses = new AnalysisRepository(pool)
  const request = { tenantId: 'acme', userId: 'u1', sessionId: 's1', s3Bucket: 'b', s3Key: 'interviews/a.webm', options: { language: 'ko' } }

  const first = await analyses.create(request)
  t.equal(first.created, true)
  t.equal(first.analysis.status, 'queued')
  t.equal(first.analysis.progress, 0)
  t.same(first.analysis.options, { language: 'ko' })
  t.match(first.analysis.id, /^[0-9a-f-]{36}$/)

  const again = await analyses.create(request)
  t.equal(again.created, false, 'same bucket/key/session is the same analysis')
  t.equal(again.analysis.id, first.analysis.id)

  const otherSession = await analyses.create({ ...request, sessionId: 's2' })
  t.equal(otherSession.created, true, 'another session of the same object is a new analysis')

  const keyed = await analyses.create({ ...request, s3Key: 'b.webm', idempotencyKey: 'k-1' })
  const keyedAgain = await analyses.create({ ...request, s3Key: 'c.webm', idempotencyKey: 'k-1' })
  t.equal(keyedAgain.created, false, 'the same idempotency key returns the first analysis')
  t.equal(keyedAgain.analysis.id, keyed.analysis.id)
  const sameKeyOtherUser = await analyses.create({ ...request, userId: 'u2', s3Key: 'd.webm', idempotencyKey: 'k-1' })
  t.equal(sameKeyOtherUser.analysis.id, keyed.analysis.id, 'idempotency keys are scoped per tenant, not per user')
  const otherTenant = await analyses.create({ ...request, tenantId: 'globex', s3Key: 'b.webm', idempotencyKey: 'k-1' })
  t.equal(otherTenant.created, true, 'another tenant\'s identical key and object is its own analysis')
  const otherUser = await analyses.create({ ...request, userId: 'u2', s3Key: 'd.webm' })
  t.equal(otherUser.created, true)

  const concurrent = await Promise.all(Array.from({ length: 8 }, () => analyses.create({ ...request, s3Key: 'race.webm' })))
  t.equal(concurrent.filter((c) => c.created).length, 1, 'eight concurrent identical requests create one analysis')
  t.equal(new Set(concurrent.map((c) => c.analysis.id)).size, 1)

  const id = first.analysis.id
  await analyses.markProcessing(id)
  await analyses.updateProgress(id, 42.4, 'face')
  let row = (await analyses.get(id))!
  t.equal(row.status, 'processing')
  t.equal(row.progress, 42)
  t.equal(row.stage, 'face')
  t.equal(row.attempts, 1)
  t.ok(row.startedAt instanceof Date)

  await analyses.saveVideo(id, {
    container: 'matroska,webm', durationS: 12.5, width: 640, height: 480, displayWidth: 640, displayHeight: 480,
    fps: 30, frameCount: 375, rotation: 0, videoCodec: 'vp9', audioCodec: 'opus', hasAudio: true, sizeBytes: 1234
  }, 'etag-1')
  await analyses.markCompleted(id, { analysedFrames: 375, modelVersions: { mesh: 'v2' }, scoreVersion: '1' })
  row = (await analyses.get(id))!
  t.equal(row.status, 'completed')
  t.equal(row.progress, 100)
  t.same(row.video, { container: 'matroska,webm', durationS: 12.5, width: 640, height: 480, fps: 30, rotation: 0, videoCodec: 'vp9', audioCodec: 'opus', hasAudio: true })
  t.equal(row.s3Size, 1234)
  t.equal(row.s3Etag, 'etag-1')
  t.same(row.modelVersions, { mesh: 'v2' })

  await analyses.markFailed(id, 'late', 'a late failure must not overwrite a completed analysis')
  t.equal((await analyses.get(id))!.status, 'completed')

  await analyses.markFailed(otherSession.analysis.id, 'not_media', 'not a video: no video stream')
  const failed = (await analyses.get(otherSession.analysis.id))!
  t.equal(failed.status, 'failed')
  t.equal(failed.errorMessage, 'not a video: no video stream')

  const recent = await analyses.listRecent('acme', 3)
  t.equal(recent.length, 3)
  t.ok(recent[0]!.createdAt >= recent[1]!.createdAt && recent[1]!.createdAt >= recent[2]!.createdAt, 'newest first')
  t.ok((await analyses.listRecent('acme', 50, 'u2')).every((a) => a.userId === 'u2'))
  t.same((await analyses.listRecent('globex', 50)).map((a) => a.id), [otherTenant.analysis.id], 'a tenant lists only its own')
  t.equal(await analyses.get('00000000-0000-0000-0000-000000000000'), null)
  t.equal(await analyses.getOwned('globex', id), null, 'another tenant\'s analysis is not found')
  t.equal((await analyses.getOwned('acme', id))?.id, id)
})

t.test('a tenant\'s cap on queued + processing analyses holds under concurrency', async (t) => {
  const { config } = await testEnvironment(t)
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 8)
  t.teardown(() => pool.end())
  const analyses = new AnalysisRepository(pool)
  await new TenantRepository(pool).upsertTenant('capped')
  const create = (i: number) => analyses.create({ tenantId: 'capped', userId: 'u', sessionId: `s${i}`, s3Bucket: 'b', s3Key: 'k.webm' }, 3)
    .then((r) => r.analysis.id, (error: unknown) => error)
  const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => create(i)))
  const ids = outcomes.filter((o): o is string => typeof o === 'string')
  t.equal(ids.length, 3, 'exactly the cap is admitted out of 10 concurrent requests')
  t.ok(outcomes.filter((o) => typeof o !== 'string').every((o) => o instanceof TenantAtCapacity), 'the rest are refused as over capacity')
  await analyses.markFailed(ids[0]!, 'test', 'done')
  t.type(await create(99), 'string', 'a finished analysis frees its place')
})
