/**
 * Drives the real `mongodb` driver against the in-process wire-protocol double
 * (test/support/mongo-server). With MONGODB_URL set, the same assertions run against that real
 * server instead (in a throwaway database), which is how the double is kept honest.
 */
import net from 'node:net'
import t from 'tap'
import {
  Binary,
  BSON,
  Double,
  Int32,
  Long,
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  ObjectId
} from 'mongodb'
import type { CommandStartedEvent, CommandSucceededEvent, Document } from 'mongodb'
import { startMongoTestServer } from './support/mongo-server/index.js'
import { crc32c } from './support/mongo-server/wire.js'

const externalUrl = process.env.MONGODB_URL
const double = externalUrl ? undefined : await startMongoTestServer()
const url = externalUrl ?? double?.url ?? ''
const usingDouble = double !== undefined
const dbName = `candor_double_check_${process.pid}_${Date.now()}`

const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 })
await client.connect()
const db = client.db(dbName)

t.teardown(async () => {
  await db.dropDatabase()
  await client.db(`${dbName}_drop`).dropDatabase()
  await client.close()
  await double?.close()
})

/** Test documents are deliberately heterogeneous (numeric/string _ids, mixed fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = { _id?: string | number | ObjectId, [field: string]: any }
const coll = (name: string, database = db) => database.collection<Loose>(name)

/** Awaits a promise that must reject, returning the error for closer inspection. */
async function failure (promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the operation to fail')
}

t.test('connects, answers ping, hello and buildInfo', async (t) => {
  t.equal((await db.command({ ping: 1 })).ok, 1)
  const hello = await client.db('admin').command({ hello: 1 })
  t.equal(hello.isWritablePrimary, true)
  t.ok(hello.maxWireVersion >= 9, 'wire version supported by driver 7')
  t.type(hello.logicalSessionTimeoutMinutes, 'number')
  const info = await client.db('admin').command({ buildInfo: 1 })
  t.match(info.version, /^\d+\.\d+\.\d+/)
})

t.test('insertMany, then find with filter, sort, projection, skip and limit', async (t) => {
  const frames = coll('frames')
  const docs = Array.from({ length: 30 }, (_, i) => ({
    _id: i,
    frame: i,
    speaker: ['carol', 'alice', 'bob'][i % 3],
    score: (i * 7) % 10,
    meta: { even: i % 2 === 0, label: `f${i}` }
  }))
  const inserted = await frames.insertMany(docs)
  t.equal(inserted.insertedCount, 30)

  const result = await frames
    .find({ score: { $gte: 3 } }, { sort: { speaker: 1, score: -1, frame: 1 }, skip: 2, limit: 6 })
    .project({ _id: 0, frame: 1, speaker: 1, score: 1 })
    .toArray()
  const expected = docs
    .filter((d) => d.score >= 3)
    .sort((a, b) => a.speaker.localeCompare(b.speaker) || b.score - a.score || a.frame - b.frame)
    .slice(2, 8)
    .map(({ frame, speaker, score }) => ({ frame, speaker, score }))
  t.strictSame(result, expected)

  t.strictSame(await frames.findOne({ _id: 4 }, { projection: { 'meta.label': 1 } }), { _id: 4, meta: { label: 'f4' } })
  t.strictSame(
    await frames.findOne({ _id: 5 }, { projection: { meta: 0, speaker: 0 } }),
    { _id: 5, frame: 5, score: 5 }
  )
  t.strictSame(
    (await frames.find({ 'meta.even': true, frame: { $in: [2, 3, 4, 6] } }).sort({ frame: -1 }).toArray()).map((d) => d._id),
    [6, 4, 2]
  )
  t.equal((await frames.find({ $or: [{ frame: { $lt: 2 } }, { speaker: 'nobody' }] }).toArray()).length, 2)
})

t.test('sorting follows BSON order: missing/null, numbers (arrays by min), strings, objects', async (t) => {
  const mixed = coll('mixed_sort')
  await mixed.insertMany([
    { _id: 1, v: 'b' },
    { _id: 2, v: 3 },
    { _id: 3 },
    { _id: 4, v: { a: 1 } },
    { _id: 5, v: [7, 0.5] },
    { _id: 6, v: null },
    { _id: 7, v: 2.25 },
    { _id: 8, v: 'a' }
  ])
  const ascending = await mixed.find().sort({ v: 1, _id: 1 }).toArray()
  t.strictSame(ascending.map((d) => d._id), [3, 6, 5, 7, 2, 8, 1, 4])
  const descending = await mixed.find().sort({ v: -1, _id: 1 }).toArray()
  t.strictSame(descending.map((d) => d._id), [4, 1, 8, 5, 2, 7, 3, 6])
})

t.test('a cursor over more than 101 documents is fetched in batches with getMore', async (t) => {
  const monitored = new MongoClient(url, { monitorCommands: true })
  t.teardown(() => monitored.close())
  const collection = coll('many', monitored.db(dbName))
  await collection.insertMany(Array.from({ length: 250 }, (_, n) => ({ n })))

  const started: CommandStartedEvent[] = []
  const succeeded: CommandSucceededEvent[] = []
  monitored.on('commandStarted', (event) => started.push(event))
  monitored.on('commandSucceeded', (event) => succeeded.push(event))

  const all = await collection.find({}, { sort: { n: 1 }, batchSize: 10 }).toArray()
  t.equal(all.length, 250)
  t.ok(all.every((doc, i) => doc.n === i), 'documents arrive in sort order across batches')
  const getMores = succeeded.filter((e) => e.commandName === 'getMore')
  t.ok(getMores.length >= 24, `needed ${getMores.length} getMore round-trips`)
  t.ok(getMores.every((e) => (e.reply as Document).cursor.nextBatch.length <= 10), 'getMore honours batchSize')
  t.equal(started.filter((e) => e.commandName === 'getMore').length, getMores.length)

  succeeded.length = 0
  await collection.find({}).toArray()
  const find = succeeded.find((e) => e.commandName === 'find')
  t.equal((find?.reply as Document | undefined)?.cursor.firstBatch.length, 101, 'default first batch is 101 documents')

  const limited = await collection.find({}, { sort: { n: -1 }, limit: 15, batchSize: 4 }).toArray()
  t.strictSame(limited.map((d) => d.n), Array.from({ length: 15 }, (_, i) => 249 - i))

  // A closed cursor is gone on the server.
  const cursor = collection.find({}, { batchSize: 5 })
  await cursor.next()
  const id = cursor.id
  t.ok(id && !id.isZero(), 'cursor left open after the first batch')
  await cursor.close()
  const error = await failure(monitored.db(dbName).command({ getMore: id, collection: 'many' }))
  t.type(error, MongoServerError)
  t.equal((error as MongoServerError).code, 43)
})

t.test('bulkWrite replaceOne upserts with deterministic _ids are idempotent', async (t) => {
  const collection = db.collection<{ _id: string, frame: number, face: Document }>('bulk')
  const operations = (version: number) => Array.from({ length: 40 }, (_, i) => ({
    replaceOne: {
      filter: { _id: `video1:${i}` },
      replacement: { frame: i, face: { x: i / 2, version } },
      upsert: true
    }
  }))
  const first = await collection.bulkWrite(operations(1))
  t.equal(first.upsertedCount, 40)
  t.equal(first.matchedCount, 0)
  t.equal(first.upsertedIds[3], 'video1:3')

  const second = await collection.bulkWrite(operations(1))
  t.equal(second.upsertedCount, 0)
  t.equal(second.matchedCount, 40)
  t.equal(second.modifiedCount, 0, 'identical replacements modify nothing')
  t.equal(await collection.countDocuments(), 40)

  const third = await collection.bulkWrite(operations(2))
  t.equal(third.modifiedCount, 40)
  t.strictSame(await collection.findOne({ _id: 'video1:7' }), { _id: 'video1:7', frame: 7, face: { x: 3.5, version: 2 } })

  const mixed = await collection.bulkWrite([
    { insertOne: { document: { _id: 'extra', frame: -1, face: {} } } },
    { updateMany: { filter: { frame: { $lt: 5 } }, update: { $set: { 'face.flag': true } } } },
    { deleteOne: { filter: { _id: 'video1:39' } } }
  ])
  t.equal(mixed.insertedCount, 1)
  t.equal(mixed.modifiedCount, 6)
  t.equal(mixed.deletedCount, 1)
})

interface Counter {
  _id?: string | ObjectId, count?: number, tags?: string[], nested?: { x: number, y?: number }, gone?: boolean,
  label?: string, video?: string, frame?: number, seen?: boolean, createdBy?: string, kind?: string, n?: number
}

t.test('updateOne / updateMany with $set, $inc, $push, $unset and upserts', async (t) => {
  const collection = db.collection<Counter>('updates')
  await collection.insertOne({ _id: 'u1', count: 1, tags: ['a'], nested: { x: 1 }, gone: true })
  const result = await collection.updateOne({ _id: 'u1' }, {
    $set: { 'nested.y': 2, label: 'hi' },
    $inc: { count: 2 },
    $push: { tags: 'b' },
    $unset: { gone: '' }
  })
  t.equal(result.matchedCount, 1)
  t.equal(result.modifiedCount, 1)
  t.strictSame(await collection.findOne({ _id: 'u1' }), {
    _id: 'u1', count: 3, tags: ['a', 'b'], nested: { x: 1, y: 2 }, label: 'hi'
  })

  const none = await collection.updateOne({ _id: 'missing' }, { $set: { a: 1 } })
  t.equal(none.matchedCount, 0)
  t.equal(none.upsertedCount, 0)
  t.equal(await collection.countDocuments({ _id: 'missing' }), 0)

  const upsert = await collection.updateOne(
    { video: 'v9', frame: 3 },
    { $set: { seen: true }, $setOnInsert: { createdBy: 'test' } },
    { upsert: true }
  )
  t.equal(upsert.upsertedCount, 1)
  t.type(upsert.upsertedId, ObjectId)
  const again = await collection.updateOne(
    { video: 'v9', frame: 3 },
    { $set: { seen: false }, $setOnInsert: { createdBy: 'second run' } },
    { upsert: true }
  )
  t.equal(again.upsertedCount, 0)
  t.equal(again.modifiedCount, 1)
  t.match(await collection.findOne({ video: 'v9' }), { video: 'v9', frame: 3, seen: false, createdBy: 'test' })

  await collection.insertMany([{ kind: 'm', n: 1 }, { kind: 'm', n: 2 }, { kind: 'other', n: 3 }])
  const many = await collection.updateMany({ kind: 'm' }, { $inc: { n: 10 } })
  t.equal(many.matchedCount, 2)
  t.strictSame((await collection.find({ kind: { $exists: true } }).sort({ n: 1 }).toArray()).map((d) => d.n), [3, 11, 12])

  const immutable = await failure(collection.updateOne({ _id: 'u1' }, { $set: { _id: 'other' } }))
  t.type(immutable, MongoServerError)
  t.equal((immutable as MongoServerError).code, 66)
})

t.test('a unique index violation raises duplicate key error 11000', async (t) => {
  const users = coll('users')
  await users.createIndex({ email: 1 }, { unique: true })
  await users.insertOne({ _id: 1, email: 'a@example.com' })

  const single = await failure(users.insertOne({ _id: 2, email: 'a@example.com' }))
  t.type(single, MongoServerError)
  t.equal((single as MongoServerError).code, 11000)
  t.match((single as MongoServerError).message, /E11000 duplicate key error collection: .*users index: email_1 dup key/)
  t.strictSame((single as MongoServerError).keyValue, { email: 'a@example.com' })

  const duplicateId = await failure(users.insertOne({ _id: 1, email: 'other@example.com' }))
  t.equal((duplicateId as MongoServerError).code, 11000)

  const ordered = await failure(users.insertMany([
    { _id: 3, email: 'b@example.com' },
    { _id: 4, email: 'a@example.com' },
    { _id: 5, email: 'c@example.com' }
  ]))
  t.type(ordered, MongoBulkWriteError)
  const bulk = ordered as MongoBulkWriteError
  t.equal(bulk.code, 11000)
  t.equal(bulk.result.insertedCount, 1, 'ordered insert stops at the first error')
  t.equal([bulk.writeErrors].flat()[0]?.index, 1)

  const unordered = await failure(users.insertMany([
    { _id: 6, email: 'a@example.com' },
    { _id: 7, email: 'd@example.com' }
  ], { ordered: false }))
  t.equal((unordered as MongoBulkWriteError).result.insertedCount, 1, 'unordered insert continues')
  t.equal(await users.countDocuments(), 3)

  const update = await failure(users.updateOne({ _id: 7 }, { $set: { email: 'b@example.com' } }))
  t.equal((update as MongoServerError).code, 11000)
  t.equal((await users.findOne({ _id: 7 }))?.email, 'd@example.com', 'failed update leaves the document alone')
})

t.test('createIndexes is idempotent and listIndexes shows compound indexes', async (t) => {
  const detections = coll('detections')
  t.equal(await detections.createIndex({ video: 1, frame: -1 }, { unique: true }), 'video_1_frame_-1')
  t.equal(await detections.createIndex({ video: 1, frame: -1 }, { unique: true }), 'video_1_frame_-1')
  await detections.createIndexes([{ key: { label: 1 }, name: 'by_label' }])
  const indexes = await detections.indexes()
  t.strictSame(indexes.map((i) => i.name).sort(), ['_id_', 'by_label', 'video_1_frame_-1'])
  t.match(indexes.find((i) => i.name === 'video_1_frame_-1'), { key: { video: 1, frame: -1 }, unique: true })

  const conflict = await failure(detections.createIndex({ label: 1 }, { name: 'another_name' }))
  t.equal((conflict as MongoServerError).code, 85)

  await detections.insertMany([{ video: 'v', frame: 1 }, { video: 'v', frame: 2 }, { video: 'w', frame: 1 }])
  const duplicate = await failure(detections.insertOne({ video: 'v', frame: 2 }))
  t.equal((duplicate as MongoServerError).code, 11000)

  await detections.dropIndex('by_label')
  t.strictSame((await detections.indexes()).map((i) => i.name).sort(), ['_id_', 'video_1_frame_-1'])
  const missing = await failure(coll('no_such_collection').indexes())
  t.equal((missing as MongoServerError).code, 26)
})

t.test('deleteMany with a range filter, deleteOne', async (t) => {
  const samples = coll('samples')
  await samples.insertMany(Array.from({ length: 20 }, (_, i) => ({ t: i })))
  const deleted = await samples.deleteMany({ t: { $gte: 5, $lt: 15 } })
  t.equal(deleted.deletedCount, 10)
  t.strictSame((await samples.find().sort({ t: 1 }).toArray()).map((d) => d.t), [0, 1, 2, 3, 4, 15, 16, 17, 18, 19])
  t.equal((await samples.deleteOne({ t: { $gt: 16 } })).deletedCount, 1)
  t.equal((await samples.deleteOne({ t: 100 })).deletedCount, 0)
  t.equal(await samples.countDocuments(), 9)
})

t.test('countDocuments, estimatedDocumentCount, distinct and aggregate', async (t) => {
  const segments = coll('segments')
  const docs = Array.from({ length: 150 }, (_, i) => ({
    speaker: ['alice', 'bob', 'carol'][i % 3],
    duration: i % 7,
    words: i % 5 === 0 ? ['um', 'so'] : ['so']
  }))
  await segments.insertMany(docs)
  t.equal(await segments.countDocuments({ speaker: 'bob' }), 50)
  t.equal(await segments.countDocuments({ duration: { $gt: 3 } }, { skip: 10, limit: 20 }), 20)
  t.equal(await segments.estimatedDocumentCount(), 150)
  t.strictSame((await segments.distinct('speaker')).sort(), ['alice', 'bob', 'carol'])
  t.strictSame((await segments.distinct('words')).sort(), ['so', 'um'])

  const totals = await segments.aggregate([
    { $match: { duration: { $gte: 1 } } },
    { $group: { _id: '$speaker', total: { $sum: '$duration' }, n: { $sum: 1 } } },
    { $sort: { _id: 1 } }
  ]).toArray()
  const expected = ['alice', 'bob', 'carol'].map((speaker) => {
    const mine = docs.filter((d) => d.speaker === speaker && d.duration >= 1)
    return { _id: speaker, total: mine.reduce((s, d) => s + d.duration, 0), n: mine.length }
  })
  t.strictSame(totals, expected)

  const projected = await segments.aggregate([
    { $match: { speaker: 'carol' } },
    { $project: { _id: 0, speaker: 1, long: { $gt: ['$duration', 4] } } },
    { $limit: 3 }
  ]).toArray()
  t.equal(projected.length, 3)
  t.strictSame(Object.keys(projected[0]).sort(), ['long', 'speaker'])

  t.strictSame(await segments.aggregate([{ $match: { duration: 6 } }, { $count: 'n' }]).toArray(), [{ n: docs.filter((d) => d.duration === 6).length }])
  t.strictSame(await segments.aggregate([{ $match: { speaker: 'nobody' } }, { $count: 'n' }]).toArray(), [])
  t.equal((await segments.aggregate([{ $sort: { duration: 1 } }], { batchSize: 20 }).toArray()).length, 150)
})

t.test('findOneAndUpdate / Replace / Delete with upsert and returnDocument', async (t) => {
  const jobs = db.collection<{ _id: string, state?: string, attempts?: number, priority?: number }>('jobs')
  const created = await jobs.findOneAndUpdate(
    { _id: 'job1' },
    { $set: { state: 'queued' }, $setOnInsert: { attempts: 0 } },
    { upsert: true, returnDocument: 'after' }
  )
  t.strictSame(created, { _id: 'job1', state: 'queued', attempts: 0 })

  const before = await jobs.findOneAndUpdate({ _id: 'job1' }, { $inc: { attempts: 1 } }, { returnDocument: 'before' })
  t.equal(before?.attempts, 0)
  t.equal((await jobs.findOne({ _id: 'job1' }))?.attempts, 1)

  const notFound = await jobs.findOneAndUpdate({ _id: 'nope' }, { $set: { state: 'x' } })
  t.equal(notFound, null)
  const upsertedBefore = await jobs.findOneAndUpdate({ _id: 'job2' }, { $set: { state: 'new' } }, { upsert: true })
  t.equal(upsertedBefore, null, 'returnDocument before + upsert returns null')

  await jobs.insertMany([{ _id: 'p1', priority: 5 }, { _id: 'p2', priority: 9 }, { _id: 'p3', priority: 7 }])
  const top = await jobs.findOneAndUpdate(
    { priority: { $exists: true } },
    { $set: { state: 'running' } },
    { sort: { priority: -1 }, returnDocument: 'after', projection: { state: 1 } }
  )
  t.strictSame(top, { _id: 'p2', state: 'running' })

  const replaced = await jobs.findOneAndReplace({ _id: 'p1' }, { state: 'replaced' }, { returnDocument: 'after' })
  t.strictSame(replaced, { _id: 'p1', state: 'replaced' })

  const removed = await jobs.findOneAndDelete({ _id: 'p3' })
  t.strictSame(removed, { _id: 'p3', priority: 7 })
  t.equal(await jobs.findOneAndDelete({ _id: 'p3' }), null)
})

t.test('BSON types round-trip', async (t) => {
  const typed = coll('typed')
  const id = new ObjectId()
  const at = new Date('2024-05-06T07:08:09.123Z')
  const original = {
    _id: id,
    at,
    big: Long.fromString('9007199254740993'),
    small: Long.fromNumber(5),
    int: new Int32(7),
    whole: new Double(2),
    fraction: 0.25,
    bin: new Binary(Buffer.from([1, 2, 3]), 0),
    nested: { list: [1, 'x', { d: new Double(1.5) }], empty: {} }
  }
  await typed.insertOne(original)
  original.nested.list.push('mutated after insert')

  const raw = await typed.findOne({ _id: id }, { promoteValues: false })
  t.ok(raw)
  if (!raw) return
  t.ok(raw._id instanceof ObjectId && raw._id.equals(id))
  t.equal((raw.at as Date).getTime(), at.getTime())
  t.equal(raw.big._bsontype, 'Long')
  t.equal(raw.big.toString(), '9007199254740993')
  t.equal(raw.small._bsontype, 'Long')
  t.equal(raw.int._bsontype, 'Int32')
  t.equal(raw.whole._bsontype, 'Double')
  t.equal(raw.fraction._bsontype, 'Double')
  t.equal(raw.bin._bsontype, 'Binary')
  t.strictSame([...(raw.bin as Binary).buffer], [1, 2, 3])
  t.equal(raw.nested.list.length, 3, 'stored document is a copy')
  t.equal(raw.nested.list[2].d._bsontype, 'Double')

  const promoted = await typed.findOne({ _id: id })
  t.equal(promoted?.small, 5)
  t.equal(promoted?.whole, 2)
  t.ok(promoted?.big instanceof Long, 'longs beyond 2^53 stay Long')

  // Updates keep the types of the fields they touch the way MongoDB does.
  await typed.updateOne({ _id: id }, { $inc: { small: 1, int: 1 }, $set: { whole: new Double(3), added: Long.fromNumber(8) } })
  const updated = await typed.findOne({ _id: id }, { promoteValues: false })
  t.equal(updated?.small._bsontype, 'Long')
  t.equal(updated?.small.toString(), '6')
  t.equal(updated?.int._bsontype, 'Int32')
  t.equal(updated?.whole._bsontype, 'Double')
  t.equal(updated?.added._bsontype, 'Long')
  t.equal(updated?.big.toString(), '9007199254740993', 'untouched fields keep their exact value')

  // Queries compare numbers by value across BSON types, and match dates and ObjectIds.
  t.equal(await typed.countDocuments({ small: 6, whole: { $gte: 3 }, at: { $lt: new Date() }, _id: { $in: [id] } }), 1)
})

t.test('listCollections, drop and dropDatabase', async (t) => {
  const other = client.db(`${dbName}_drop`)
  await coll('a', other).insertOne({ x: 1 })
  await coll('b', other).insertOne({ x: 1 })
  await other.createCollection('c')
  await other.createCollection('c') // identical options: succeeds since MongoDB 5.0

  t.strictSame(await other.listCollections({ name: 'a' }, { nameOnly: true }).toArray(), [{ name: 'a', type: 'collection' }])
  t.strictSame((await other.listCollections().toArray()).map((c) => c.name).sort(), ['a', 'b', 'c'])
  t.match((await other.listCollections({ name: 'b' }).toArray())[0], { name: 'b', type: 'collection', options: {} })

  t.equal(await coll('a', other).drop(), true)
  t.equal(await coll('never_existed', other).drop(), true)
  t.strictSame((await other.listCollections().toArray()).map((c) => c.name).sort(), ['b', 'c'])

  const listed = await client.db('admin').admin().listDatabases()
  t.ok(listed.databases.some((d) => d.name === `${dbName}_drop`))
  t.equal(await other.dropDatabase(), true)
  t.strictSame(await other.listCollections().toArray(), [])
  const after = await client.db('admin').admin().listDatabases({ nameOnly: true })
  t.notOk(after.databases.some((d) => d.name === `${dbName}_drop`))
})

t.test('two clients work concurrently on the same data', async (t) => {
  const second = new MongoClient(url)
  t.teardown(() => second.close())
  const a = coll('shared')
  const b = coll('shared', second.db(dbName))
  await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).insertOne({ i, writer: i % 2 ? 'a' : 'b' })))
  t.equal(await a.countDocuments(), 60)
  t.equal(await b.countDocuments({ writer: 'a' }), 30)
  const [fromA, fromB] = await Promise.all([a.find().sort({ i: 1 }).toArray(), b.find().sort({ i: 1 }).toArray()])
  t.strictSame(fromA.map((d) => d.i), fromB.map((d) => d.i))
})

t.test('command errors have MongoDB shape', async (t) => {
  const unknown = await failure(db.command({ candorNoSuchCommand: 1 }))
  t.type(unknown, MongoServerError)
  t.match(unknown, { code: 59, codeName: 'CommandNotFound' })
  const badOperator = await failure(coll('frames').find({ frame: { $candor: 1 } }).toArray())
  t.match(badOperator, { code: 2, codeName: 'BadValue' })
})

t.test('the server survives garbage on a TCP connection', async (t) => {
  const { hostname, port } = new URL(url)
  const host = hostname.replace(/^\[|\]$/g, '')
  const closedAfter = (payload: Buffer) => new Promise<boolean>((resolve) => {
    const socket = net.connect(Number(port || 27017), host, () => socket.write(payload))
    const timer = setTimeout(() => { socket.destroy(); resolve(false) }, 3000)
    socket.on('error', () => undefined)
    socket.on('close', () => { clearTimeout(timer); resolve(true) })
  })

  // A length prefix smaller than a message header: mongod drops such a connection.
  t.ok(await closedAfter(Buffer.from('\x05\x00\x00\x00garbage!garbage!', 'latin1')), 'connection closed')
  if (usingDouble) {
    const unknownOpcode = Buffer.alloc(20)
    unknownOpcode.writeInt32LE(20, 0)
    unknownOpcode.writeInt32LE(4242, 12)
    t.ok(await closedAfter(unknownOpcode), 'unknown opcode closes the connection')
    const badBson = Buffer.alloc(30)
    badBson.writeInt32LE(30, 0)
    badBson.writeInt32LE(2013, 12)
    badBson.writeInt32LE(9, 21) // body claims 9 bytes but is not valid BSON
    t.ok(await closedAfter(badBson), 'corrupt OP_MSG closes the connection')
  }

  t.equal((await db.command({ ping: 1 })).ok, 1, 'existing client unaffected')
  const fresh = new MongoClient(url)
  await fresh.connect()
  t.equal((await fresh.db(dbName).command({ ping: 1 })).ok, 1, 'new connections accepted')
  await fresh.close()
})

const { hostname, port } = new URL(url)
const serverHost = hostname.replace(/^\[|\]$/g, '')
const serverPort = Number(port || 27017)

/** Sends raw bytes on a fresh connection and resolves with the first complete reply message. */
function exchange (message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0)
    const socket = net.connect(serverPort, serverHost, () => socket.write(message))
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk])
      if (received.length >= 4 && received.length >= received.readInt32LE(0)) {
        socket.destroy()
        resolve(received.subarray(0, received.readInt32LE(0)))
      }
    })
    socket.on('error', reject)
    socket.on('close', () => reject(new Error('connection closed without a reply')))
  })
}

function header (length: number, requestId: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16)
  buffer.writeInt32LE(length, 0)
  buffer.writeInt32LE(requestId, 4)
  buffer.writeInt32LE(opCode, 12)
  return buffer
}

/** An OP_MSG with a body and optional kind-1 document sequences and CRC-32C checksum. */
function opMsg (requestId: number, body: Document, sequences: Record<string, Document[]> = {}, checksum = false): Buffer {
  const parts = [Buffer.from([0]), Buffer.from(BSON.serialize(body))]
  for (const [identifier, documents] of Object.entries(sequences)) {
    const payload = Buffer.concat([Buffer.from(`${identifier}\0`), ...documents.map((d) => Buffer.from(BSON.serialize(d)))])
    const size = Buffer.alloc(4)
    size.writeInt32LE(payload.length + 4)
    parts.push(Buffer.from([1]), size, payload)
  }
  const flags = Buffer.alloc(4)
  flags.writeUInt32LE(checksum ? 1 : 0)
  const length = 16 + 4 + parts.reduce((sum, part) => sum + part.length, 0) + (checksum ? 4 : 0)
  const message = Buffer.concat([header(length, requestId, 2013), flags, ...parts])
  if (!checksum) return message
  const crc = Buffer.alloc(4)
  crc.writeUInt32LE(crc32c(message))
  return Buffer.concat([message, crc])
}

function opMsgReply (reply: Buffer, requestId: number): Document {
  if (reply.readInt32LE(12) !== 2013 || reply.readInt32LE(8) !== requestId || reply[20] !== 0) {
    throw new Error('not an OP_MSG reply to our request')
  }
  return BSON.deserialize(reply.subarray(21))
}

t.test('raw wire protocol: legacy OP_QUERY handshake, document sequences, checksums', async (t) => {
  // OP_QUERY { isMaster: 1 } on admin.$cmd, as drivers send before they know the server.
  const query = Buffer.concat([
    Buffer.alloc(4), // flags
    Buffer.from('admin.$cmd\0'),
    Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), // numberToSkip 0, numberToReturn -1
    Buffer.from(BSON.serialize({ isMaster: 1, helloOk: true }))
  ])
  const reply = await exchange(Buffer.concat([header(16 + query.length, 7001, 2004), query]))
  t.equal(reply.readInt32LE(12), 1, 'answered with OP_REPLY')
  t.equal(reply.readInt32LE(8), 7001, 'responseTo matches the request')
  t.equal(reply.readInt32LE(32), 1, 'one document returned')
  const hello = BSON.deserialize(reply.subarray(36))
  t.equal(hello.ismaster, true)
  t.ok(hello.maxWireVersion >= 9)

  const inserted = opMsgReply(await exchange(opMsg(7002, { insert: 'raw_wire', $db: dbName }, {
    documents: [{ _id: 1, via: 'sequence' }, { _id: 2, via: 'sequence' }]
  })), 7002)
  t.match(inserted, { n: 2, ok: 1 })
  const updated = opMsgReply(await exchange(opMsg(7003, { update: 'raw_wire', $db: dbName }, {
    updates: [{ q: { _id: 2 }, u: { $set: { touched: true } } }]
  }, true)), 7003)
  t.match(updated, { n: 1, nModified: 1, ok: 1 }, 'checksummed message with a sequence accepted')
  t.equal(await coll('raw_wire').countDocuments({ via: 'sequence', touched: true }), 1)

  const found = opMsgReply(await exchange(opMsg(7004, { find: 'raw_wire', filter: {}, $db: dbName }, {}, true)), 7004)
  t.equal(found.cursor.firstBatch.length, 2)

  if (usingDouble) {
    const corrupted = opMsg(7005, { ping: 1, $db: dbName }, {}, true)
    corrupted[corrupted.length - 1] ^= 0xff
    t.rejects(exchange(corrupted), /closed without a reply/, 'bad checksum closes the connection')
  }
})

t.test('unacknowledged writes (w: 0) get no reply and still apply', async (t) => {
  const quiet = coll('quiet')
  await quiet.insertOne({ _id: 'q1' }, { writeConcern: { w: 0 } })
  await quiet.insertMany([{ _id: 'q2' }, { _id: 'q3' }], { writeConcern: { w: 0 } })
  // Unacknowledged writes may land after the reply to the next command on another connection.
  let count = 0
  for (let attempt = 0; attempt < 50 && count < 3; attempt++) {
    count = await quiet.countDocuments()
    if (count < 3) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.equal(count, 3)
  t.equal((await db.command({ ping: 1 })).ok, 1, 'connection still in sync after w:0 writes')
})

t.test('sessions work; transactions are refused on a standalone server', async (t) => {
  const hello = await client.db('admin').command({ hello: 1 })
  const session = client.startSession()
  try {
    await coll('sessions').insertOne({ _id: 's1' }, { session })
    t.equal(await coll('sessions').countDocuments({}, { session }), 1)
    if (hello.setName || hello.msg === 'isdbgrid') {
      t.comment('transactions are supported by this deployment; nothing to refuse')
      return
    }
    session.startTransaction()
    const error = await failure(coll('sessions').insertOne({ _id: 's2' }, { session }))
    // The server answers IllegalOperation (20); the driver rewraps it with this advice.
    t.type(error, MongoServerError)
    t.match((error as MongoServerError).message, /does not support retryable writes/)
    await session.abortTransaction().catch(() => undefined)
  } finally {
    await session.endSession()
  }
})

t.test('close() stops the double even with clients connected', { skip: !usingDouble && 'only for the double' }, async (t) => {
  const server = await startMongoTestServer()
  const connected = new MongoClient(server.url, { serverSelectionTimeoutMS: 500 })
  await connected.connect()
  await connected.db('x').collection('y').insertOne({ a: 1 })
  await server.close()
  const error = await failure(connected.db('x').collection('y').findOne({}))
  t.ok(error instanceof Error, 'operations fail once the server is gone')
  await connected.close()
  await server.close()
  t.pass('close() is idempotent')
})
