/**
 * The sweeper on the real services: orphaned artifact folders and frames go, a live
 * analysis's and a fresh orphan's (within the grace) stay; deletions marked but unfinished are
 * finished; retention deletes only analyses older than the cut-off (the recording only when
 * uploaded through Candor); one process holds the sweep lease at a time.
 */
import crypto from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { testApp } from '../helpers/app.js'
import { seedCompletedAnalysis, remainsOf, nothingLeft, artifactsBucketFor, ARTIFACT_NAMES } from '../helpers/deletion.js'
import { sweepOnce } from '../../src/jobs/sweeper.js'
import { SweepLease, startSweeper } from '../../src/queue/sweeper.js'
import type { DeletionDeps } from '../../src/services/deletion.js'
import { artifactsPrefix } from '../../src/storage/artifact-keys.js'
import { redisOptions } from '../../src/queue/redis.js'
import type { Logger } from '../../src/logger.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('the sweeper', async (t) => {
  const { app, config } = await testApp(t)
  await artifactsBucketFor(t, app, config)
  const deps: DeletionDeps = {
    analyses: app.analyses, frames: app.frames, uploads: app.uploads, storage: app.storage, artifactsBucket: config.s3.artifactsBucket, queue: app.analysisQueue, logger: app.log as Logger
  }
  const orphan = async (id: string) => {
    await app.storage.put(config.s3.artifactsBucket, `${artifactsPrefix(id)}timeline_overview.jpg`, Buffer.from('x'))
    await app.storage.put(config.s3.artifactsBucket, `${artifactsPrefix(id)}events/0/frame_10.jpg`, Buffer.from('y'))
    const writer = app.frames.writer(id, 'face')
    await writer.add([{ t: 0 }, { t: 33 }])
    await writer.finish()
  }
  const folder = async (id: string) => {
    let n = 0
    for await (const object of app.storage.listKeys(config.s3.artifactsBucket, artifactsPrefix(id))) if (object) n++
    return n
  }
  const frames = (id: string) => app.frames.collection.countDocuments({ a: id })

  t.test('orphans go; a live analysis and a fresh orphan stay', async (t) => {
    const live = await seedCompletedAnalysis(app, config)
    const old = crypto.randomUUID()
    await orphan(old)
    // S3 dates have whole seconds: the cut-off falls well between the two orphans.
    await sleep(1500)
    const cutoff = Date.now()
    await sleep(1500)
    const fresh = crypto.randomUUID()
    await orphan(fresh)
    await app.storage.put(config.s3.artifactsBucket, 'analyses/not-an-analysis/keep.txt', Buffer.from('z'))

    const counts = await sweepOnce(deps, { graceMs: 60_000, now: () => cutoff + 60_000 })
    t.match(counts, { orphanFolders: 1, orphanFrames: 1, finished: 0, expired: 0, failed: 0 })
    t.equal(await folder(old), 0, 'the old orphan folder is gone')
    t.equal(await frames(old), 0, 'the old orphan frames are gone')
    t.equal(await folder(fresh), 2, 'the fresh orphan folder stays (within the grace)')
    t.equal(await frames(fresh), 1, 'the fresh orphan frames stay')
    t.match(await remainsOf(app, config, live), { analyses: 1, frameBuckets: 3, artifacts: ARTIFACT_NAMES.length, source: true }, 'the live analysis is untouched')
    t.equal(await folder('not-an-analysis'), 1, 'a folder not named by an analysis id is never touched')

    // Swift rounds object dates up to the next second: let the fresh orphan's date pass.
    await sleep(1100)
    const later = await sweepOnce(deps, { graceMs: 0 })
    t.match(later, { orphanFolders: 1, orphanFrames: 1 }, 'once past the grace, the other orphan goes too')
    t.equal(await folder(fresh) + await frames(fresh), 0)
    t.match(await remainsOf(app, config, live), { analyses: 1, frameBuckets: 3, artifacts: ARTIFACT_NAMES.length })
  })

  t.test('frames stored before write times were kept count as old', async (t) => {
    const id = crypto.randomUUID()
    await app.frames.collection.insertOne({ _id: `${id}:face:0`, a: id, k: 'face', s: 0, t0: 0, t1: 0, n: 1, f: [{ t: 0 }] })
    const counts = await sweepOnce(deps, { graceMs: 3_600_000 })
    t.equal(counts.orphanFrames, 1)
    t.equal(await frames(id), 0)
  })

  t.test('a deletion marked but unfinished is finished', async (t) => {
    const seeded = await seedCompletedAnalysis(app, config)
    await app.analyses.markDeleted(seeded.id, { deleteSource: true })
    const within = await sweepOnce(deps, { graceMs: 3_600_000 })
    t.equal(within.finished, 0, 'not while it may still be running')
    t.equal((await remainsOf(app, config, seeded)).analyses, 1)
    const counts = await sweepOnce(deps, { graceMs: 0 })
    t.equal(counts.finished, 1)
    const after = await remainsOf(app, config, seeded)
    t.ok(nothingLeft(after) && !after.source, JSON.stringify(after))
  })

  t.test('retention deletes only analyses older than the cut-off', async (t) => {
    const expired = await seedCompletedAnalysis(app, config)
    const recent = await seedCompletedAnalysis(app, config)
    const uploaded = await seedCompletedAnalysis(app, config)
    const shared = await seedCompletedAnalysis(app, config)
    const sharedLive = await seedCompletedAnalysis(app, config, { s3Key: shared.s3Key })
    const age = async (id: string, days: number) => app.mariadb.query('UPDATE analyses SET created_at = NOW(3) - INTERVAL ? DAY WHERE id = ?', [days, id])
    await age(expired.id, 31)
    await age(recent.id, 29)
    await age(uploaded.id, 40)
    await age(shared.id, 40)
    const [{ n: hasUploads }] = await app.mariadb.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = \'uploads\'')
    if (Number(hasUploads) === 1) {
      for (const seeded of [uploaded, shared]) {
        await app.mariadb.query(
          `INSERT INTO uploads (id, tenant_id, s3_bucket, s3_key, content_type, size_bytes, method, state, analysis_id, expires_at)
           VALUES (?, ?, ?, ?, 'video/webm', 10, 'put', 'completed', ?, NOW(3))`,
          [crypto.randomUUID(), seeded.tenantId, seeded.s3Bucket, seeded.s3Key, seeded.id])
      }
    }

    t.equal((await sweepOnce(deps, { graceMs: 0 })).expired, 0, 'off by default: nothing expires')
    const counts = await sweepOnce(deps, { graceMs: 0, retentionDays: 30 })
    t.equal(counts.expired, 3, 'the three older than 30 days')
    const after = await remainsOf(app, config, expired)
    t.ok(nothingLeft(after), JSON.stringify(after))
    t.equal(after.source, true, 'a recording not uploaded through Candor is kept')
    t.match(await remainsOf(app, config, recent), { analyses: 1, frameBuckets: 3, artifacts: ARTIFACT_NAMES.length }, '29 days old: kept')
    t.match(await remainsOf(app, config, sharedLive), { analyses: 1, source: true }, 'the live analysis sharing a recording keeps it')
    t.ok(nothingLeft(await remainsOf(app, config, uploaded)))
    if (Number(hasUploads) === 1) {
      t.equal(counts.expiredSources, 1)
      t.equal((await remainsOf(app, config, uploaded)).source, false, 'a recording uploaded through Candor goes with it')
      t.equal((await remainsOf(app, config, shared)).source, true, '... unless another live analysis uses it')
    } else {
      t.comment('no uploads table (migration 006) here: every recording is kept')
    }
  })

  t.test('one process sweeps at a time', async (t) => {
    const redis = new Redis(redisOptions(config.redis.url))
    t.teardown(() => redis.disconnect())
    const a = new SweepLease(redis, `${config.queue.prefix}:lease-test`, 60_000)
    const b = new SweepLease(redis, `${config.queue.prefix}:lease-test`, 60_000)
    t.equal(await a.take(), true)
    t.equal(await b.take(), false, 'held by another')
    t.equal(await b.renew(), false, 'only the holder renews')
    t.equal(await a.renew(), true)

    const options = { config: { ...config, retention: { sweepIntervalMs: 3_600_000 } }, deletion: deps, logger: app.log as Logger }
    const one = startSweeper(options)
    const two = startSweeper(options)
    t.teardown(async () => { await one.stop(); await two.stop() })
    const results = await Promise.all([one.sweepNow(), two.sweepNow()])
    t.equal(results.filter((r) => r === null).length, 1, 'one of two sweepers found the lease taken')
    t.ok(results.some((r) => r !== null && typeof r.orphanFrames === 'number'), 'the other swept')
    t.equal(await one.sweepNow(), null, 'and no one sweeps again within the interval')
  })
})
