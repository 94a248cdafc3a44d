/**
 * DELETE /analysis/:id and DELETE /users/:user_id/analyses on the real services: nothing of
 * the analysis is left in MariaDB (every analysis_* table), MongoDB or S3; the recording only
 * with ?source=true; repeats, other tenants, a deletion that dies half-way, and a queued job.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { testApp, callerFor } from '../helpers/app.js'
import { fixtures, waitFor } from '../helpers/environment.js'
import { seedCompletedAnalysis, remainsOf, nothingLeft, analysisTables, artifactsBucketFor, ARTIFACT_NAMES, FACE_FRAMES } from '../helpers/deletion.js'
import { StorageError } from '../../src/storage/object-storage.js'
import { enqueueAnalysis } from '../../src/queue/analysis-queue.js'
import { startAnalysisWorker } from '../../src/queue/analysis-worker.js'

t.test('deleting analyses', async (t) => {
  const { app, api, config } = await testApp(t)
  await artifactsBucketFor(t, app, config)

  t.test('DELETE removes every row, frame and artifact, and keeps the recording', async (t) => {
    const seeded = await seedCompletedAnalysis(app, config)
    const bystander = await seedCompletedAnalysis(app, config)
    const before = await remainsOf(app, config, seeded)
    const tables = await analysisTables(app)
    t.ok(tables.length >= 6, `analysis tables: ${tables.join(', ')}`)
    t.ok(Object.values(before.tables).every((n) => n > 0), `a row in every analysis table before: ${JSON.stringify(before.tables)}`)
    t.match(before, { analyses: 1, frameBuckets: 3, artifacts: ARTIFACT_NAMES.length, source: true }, `${FACE_FRAMES} face frames in 2 buckets + 1 voice bucket`)

    const reply = await api({ method: 'DELETE', url: `/analysis/${seeded.id}` })
    t.equal(reply.statusCode, 204, reply.body)
    t.equal(reply.body, '')
    const after = await remainsOf(app, config, seeded)
    t.ok(nothingLeft(after), `nothing left: ${JSON.stringify(after)}`)
    t.equal(after.source, true, 'the recording stays without ?source=true')
    const untouched = await remainsOf(app, config, bystander)
    t.match(untouched, { analyses: 1, frameBuckets: 3, artifacts: ARTIFACT_NAMES.length, source: true }, 'another analysis of the same tenant is untouched')
    t.ok(Object.values(untouched.tables).every((n) => n > 0))

    for (const url of [`/analysis/${seeded.id}`, `/analysis/${seeded.id}/frames`, `/analysis/${seeded.id}/llm-comment`]) {
      t.equal((await api({ url })).statusCode, 404, `GET ${url.replace(seeded.id, ':id')} is 404`)
    }
    const recent = (await api({ url: '/analysis/recent?limit=100' })).json().analyses.map((a: { analysis_id: string }) => a.analysis_id)
    t.notOk(recent.includes(seeded.id), 'not in /analysis/recent')
    t.ok(recent.includes(bystander.id))

    const again = await api({ method: 'DELETE', url: `/analysis/${seeded.id}` })
    t.equal(again.statusCode, 204, 'a repeat answers 204 again')
    const unknown = await api({ method: 'DELETE', url: `/analysis/${crypto.randomUUID()}` })
    t.equal(unknown.statusCode, 204, 'so does an id that never existed')
    t.equal((await api({ method: 'DELETE', url: '/analysis/not-a-uuid' })).statusCode, 400)
  })

  t.test('?source=true deletes the recording too', async (t) => {
    const seeded = await seedCompletedAnalysis(app, config)
    const reply = await api({ method: 'DELETE', url: `/analysis/${seeded.id}?source=true` })
    t.equal(reply.statusCode, 204)
    const after = await remainsOf(app, config, seeded)
    t.ok(nothingLeft(after))
    t.equal(after.source, false, 'the recording is gone')
    t.equal((await api({ method: 'DELETE', url: `/analysis/${seeded.id}?source=yes` })).statusCode, 400, 'source must be a boolean')
  })

  t.test('another tenant cannot delete it, and learns nothing', async (t) => {
    const seeded = await seedCompletedAnalysis(app, config)
    const other = await callerFor(app, 'tenant-b')
    const reply = await other.api({ method: 'DELETE', url: `/analysis/${seeded.id}?source=true` })
    t.equal(reply.statusCode, 204, 'the same answer as for an unknown id')
    const after = await remainsOf(app, config, seeded)
    t.match(after, { analyses: 1, frameBuckets: 3, artifacts: ARTIFACT_NAMES.length, source: true }, 'everything is still there')
    const recent = (await api({ url: '/analysis/recent?limit=100' })).json().analyses.map((a: { analysis_id: string }) => a.analysis_id)
    t.ok(recent.includes(seeded.id), 'its owner still lists it')
    const reader = await callerFor(app, 'tenant-a', { scopes: ['analyses:read'] })
    t.equal((await reader.api({ method: 'DELETE', url: `/analysis/${seeded.id}` })).statusCode, 403, 'a read-only key may not delete')
    t.equal((await app.inject({ method: 'DELETE', url: `/analysis/${seeded.id}` })).statusCode, 401, 'nor may a caller without a key')
  })

  t.test('a deletion that dies half-way is gone for readers and completes when repeated', async (t) => {
    const seeded = await seedCompletedAnalysis(app, config)
    const deletePrefix = app.storage.deletePrefix
    app.storage.deletePrefix = async () => { throw new StorageError('unavailable', 'S3 request failed: connect ECONNREFUSED') }
    let reply
    try {
      reply = await api({ method: 'DELETE', url: `/analysis/${seeded.id}?source=true` })
    } finally {
      app.storage.deletePrefix = deletePrefix
    }
    t.equal(reply.statusCode, 503, reply.body)
    t.equal(reply.headers['retry-after'], '30')
    t.match(reply.json().message, /stopped at artifacts in S3; it is already gone for every read/)
    t.notMatch(reply.body, /ECONNREFUSED/, 'the driver\'s reason stays in the log')
    const half = await remainsOf(app, config, seeded)
    t.match(half, { analyses: 1, frameBuckets: 0, artifacts: ARTIFACT_NAMES.length, source: true }, 'frames went, artifacts and rows stayed')
    t.equal((await api({ url: `/analysis/${seeded.id}` })).statusCode, 404, 'already gone for readers')
    t.equal((await api({ url: `/analysis/${seeded.id}/frames` })).statusCode, 404)

    // The repeat finishes it, the recording included (asked for the first time).
    t.equal((await api({ method: 'DELETE', url: `/analysis/${seeded.id}` })).statusCode, 204)
    const after = await remainsOf(app, config, seeded)
    t.ok(nothingLeft(after), JSON.stringify(after))
    t.equal(after.source, false, 'source=true from the first request is remembered')
  })

  t.test('the same request made again after a deletion starts a new analysis', async (t) => {
    const seeded = await seedCompletedAnalysis(app, config)
    const [row] = await app.mariadb.query('SELECT session_id, idempotency_key FROM analyses WHERE id = ?', [seeded.id])
    const request = { tenantId: seeded.tenantId, userId: seeded.userId, sessionId: row.session_id, s3Bucket: seeded.s3Bucket, s3Key: seeded.s3Key, idempotencyKey: row.idempotency_key }
    t.equal((await app.analyses.create(request)).created, false, 'before: the same analysis')
    // Marked only (as if the deletion died at once): the key and source are free already.
    await app.analyses.markDeleted(seeded.id, { deleteSource: false })
    const again = await app.analyses.create(request)
    t.equal(again.created, true)
    t.not(again.analysis.id, seeded.id)
  })

  t.test('DELETE /users/:user_id/analyses deletes one user\'s analyses of the caller\'s tenant', async (t) => {
    const mine = [await seedCompletedAnalysis(app, config, { userId: 'person-1' }), await seedCompletedAnalysis(app, config, { userId: 'person-1' })]
    const otherUser = await seedCompletedAnalysis(app, config, { userId: 'person-2' })
    const otherTenant = await seedCompletedAnalysis(app, config, { tenantId: 'tenant-c', userId: 'person-1' })
    const reply = await api({ method: 'DELETE', url: '/users/person-1/analyses?source=true' })
    t.equal(reply.statusCode, 200, reply.body)
    t.same(reply.json(), { user_id: 'person-1', deleted: 2 })
    for (const seeded of mine) {
      const after = await remainsOf(app, config, seeded)
      t.ok(nothingLeft(after) && !after.source, `analysis and recording gone: ${JSON.stringify(after)}`)
    }
    t.match(await remainsOf(app, config, otherUser), { analyses: 1, frameBuckets: 3, source: true }, 'another user\'s stay')
    t.match(await remainsOf(app, config, otherTenant), { analyses: 1, frameBuckets: 3, source: true }, 'the same user id in another tenant stays')
    t.same((await api({ method: 'DELETE', url: '/users/person-1/analyses' })).json(), { user_id: 'person-1', deleted: 0 }, 'a repeat deletes nothing more')
  })

  t.test('a queued analysis deleted before a worker takes it never runs', async (t) => {
    const key = `queued/${crypto.randomUUID()}.mp4`
    await app.storage.put(config.s3.uploadsBucket, key, await fs.readFile(path.join(fixtures, 'video/single_face.mp4')), 'video/mp4')
    const posted = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: config.s3.uploadsBucket, s3_key: key, user_id: 'u9', session_id: 's9' } })
    t.equal(posted.statusCode, 202, posted.body)
    const id: string = posted.json().analysis_id
    t.ok(await app.analysisQueue.getJob(id), 'its job waits in the queue')
    t.equal((await api({ method: 'DELETE', url: `/analysis/${id}` })).statusCode, 204)
    t.equal(await app.analysisQueue.getJob(id), undefined, 'the job is removed with it')

    // Had the job stayed (Redis down during the DELETE, or a deletion marked but unfinished),
    // a worker taking it finds the analysis gone and stops without writing anything.
    const seeded = await seedCompletedAnalysis(app, config)
    await app.frames.deleteAnalysis(seeded.id)
    await app.analyses.markDeleted(seeded.id, { deleteSource: false })
    await enqueueAnalysis(app.analysisQueue, seeded.id)
    const worker = startAnalysisWorker(config, app.log as never, app.analyses)
    t.teardown(() => worker.close())
    const outcome = await waitFor('the job to end', async () => {
      const job = await app.analysisQueue.getJob(seeded.id)
      const state = await app.analysisQueue.getJobState(seeded.id)
      return state === 'completed' || state === 'failed' ? { state, value: job?.returnvalue, reason: job?.failedReason } : undefined
    }, 60_000, 200)
    t.same(outcome, { state: 'completed', value: 'skipped', reason: undefined }, 'the job skipped the deleted analysis')
    t.equal(await app.frames.collection.countDocuments({ a: seeded.id }), 0, 'no frames written')
    const [row] = await app.mariadb.query('SELECT status, attempts FROM analyses WHERE id = ?', [seeded.id])
    t.match(row, { status: 'completed', attempts: 0 }, 'the row was never started')
  })
})
