import t from 'tap'
import { createMongo } from '../../src/db/mongo.js'
import { FrameStore, BUCKET_SIZE, type StoredFrame } from '../../src/repositories/frame-store.js'
import { testEnvironment } from '../helpers/environment.js'

/** 30 fps frames with a compact face-signal shape. */
function frames (count: number, offset = 0): StoredFrame[] {
  return Array.from({ length: count }, (_, i) => ({ t: Math.round(((i + offset) * 1000) / 30), p: 1, e: [0.31, 0.3], g: [0.02, -0.1] }))
}

t.test('per-frame signals in MongoDB buckets', async (t) => {
  const { config } = await testEnvironment(t, { mongo: true })
  const mongo = createMongo(config.mongodb.url)
  t.teardown(() => mongo.client.close())
  const store = new FrameStore(mongo.db)

  const writer = store.writer('analysis-a', 'face')
  const all = frames(1000)
  for (let i = 0; i < all.length; i += 90) await writer.add(all.slice(i, i + 90)) // batches as the engine emits them
  t.equal(await writer.finish(), 1000)
  t.equal(await store.countFrames('analysis-a', 'face'), 1000)
  t.equal(await store.collection.countDocuments({ a: 'analysis-a' }), Math.ceil(1000 / BUCKET_SIZE), 'one document per bucket')

  const indexes = await store.collection.listIndexes().toArray()
  t.ok(indexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ a: 1, k: 1, t0: 1 })), 'time-ordered index on (analysis, kind, t0)')

  t.test('pages through a time range in order', async (t) => {
    const seen: StoredFrame[] = []
    let from: number | null = 10_000
    while (from !== null) {
      const page = await store.readFrames('analysis-a', 'face', { fromMs: from, toMs: 20_000, limit: 77 })
      t.ok(page.frames.length <= 77)
      seen.push(...page.frames)
      from = page.nextFromMs
    }
    const expected = all.filter((f) => f.t >= 10_000 && f.t <= 20_000)
    t.equal(seen.length, expected.length)
    t.same(seen.map((f) => f.t), expected.map((f) => f.t), 'every frame once, in time order')
    t.same(seen[0], expected[0], 'frames come back as stored')
  })

  t.test('re-running an analysis replaces its frames instead of adding to them', async (t) => {
    const again = store.writer('analysis-a', 'face')
    await again.add(frames(1000))
    t.equal(await again.finish(), 1000)
    t.equal(await store.countFrames('analysis-a', 'face'), 1000, 'same run twice: same count')

    const shorter = store.writer('analysis-a', 'face')
    await shorter.add(frames(300))
    await shorter.finish()
    t.equal(await store.countFrames('analysis-a', 'face'), 300, 'a shorter re-run leaves no stale tail')
    const last = await store.readFrames('analysis-a', 'face', { fromMs: 0, limit: 10_000 })
    t.equal(last.frames.length, 300)
  })

  t.test('analyses and kinds stay apart', async (t) => {
    const voice = store.writer('analysis-a', 'voice')
    await voice.add([{ t: 0, rms: 0.1 }, { t: 1000, rms: 0.2 }])
    await voice.finish()
    const other = store.writer('analysis-b', 'face')
    await other.add(frames(10))
    await other.finish()
    t.equal(await store.countFrames('analysis-a', 'voice'), 2)
    t.equal(await store.countFrames('analysis-a', 'face'), 300)
    t.equal(await store.countFrames('analysis-b', 'face'), 10)
    t.equal(await store.deleteAnalysis('analysis-b'), 1)
    t.equal(await store.countFrames('analysis-b', 'face'), 0)
    t.equal(await store.countFrames('analysis-a', 'face'), 300)
  })

  t.test('frames out of time order are refused', async (t) => {
    const writer = store.writer('analysis-c', 'face')
    await writer.add([{ t: 100 }])
    await t.rejects(writer.add([{ t: 50 }]), /Frames must be added in time order: 50 after 100/)
  })
})
