import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import { Readable } from 'node:stream'
import t from 'tap'
import { ObjectStorage, StorageError, createS3Client } from '../../src/storage/object-storage.js'
import { testEnvironment, fixtures } from '../helpers/environment.js'

async function readAll (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

t.test('S3 storage against a real signature-checking server', async (t) => {
  const { config, storage } = await testEnvironment(t)
  const bucket = config.s3.uploadsBucket
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-s3-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))

  t.test('put, head, stream, download and delete', async (t) => {
    const video = await fs.readFile(path.join(fixtures, 'video/single_face.mp4'))
    await storage.put(bucket, 'videos/single face.mp4', video, 'video/mp4')
    const info = await storage.head(bucket, 'videos/single face.mp4')
    t.equal(info?.size, video.length)
    t.equal(info?.contentType, 'video/mp4')
    t.match(info?.etag, /^[0-9a-f]{32}$/)

    const { stream } = await storage.getStream(bucket, 'videos/single face.mp4', { maxBytes: video.length })
    t.ok((await readAll(stream)).equals(video), 'streamed bytes are identical')

    const file = path.join(dir, 'copy.mp4')
    await storage.download(bucket, 'videos/single face.mp4', file, { maxBytes: 10 * 1024 ** 2 })
    t.ok((await fs.readFile(file)).equals(video), 'downloaded file is identical')

    await storage.delete(bucket, 'videos/single face.mp4')
    t.equal(await storage.head(bucket, 'videos/single face.mp4'), null)
    await storage.delete(bucket, 'videos/single face.mp4')
    t.pass('deleting a missing object is not an error')
  })

  t.test('the size cap stops a download before it is written', async (t) => {
    await storage.put(bucket, 'big.bin', crypto.randomBytes(300_000))
    const file = path.join(dir, 'big.bin')
    const error = await storage.download(bucket, 'big.bin', file, { maxBytes: 100_000 }).catch((e: unknown) => e)
    t.type(error, StorageError)
    t.equal((error as StorageError).code, 'too_large')
    t.match((error as StorageError).message, /S3 object too large: .*big\.bin is 293\.0 KiB > the 97\.7 KiB limit/)
    await t.rejects(fs.access(file), 'no partial file is left behind')
  })

  t.test('a large stream goes up in multipart chunks', async (t) => {
    const size = 20 * 1024 ** 2 + 123
    const data = crypto.randomBytes(size)
    await storage.put(bucket, 'multipart.bin', Readable.from([data.subarray(0, size / 2), data.subarray(size / 2)]))
    const info = await storage.head(bucket, 'multipart.bin')
    t.equal(info?.size, size)
    t.match(info?.etag, /-3$/, 'three parts of 8 MiB')
    const file = path.join(dir, 'multipart.bin')
    await storage.download(bucket, 'multipart.bin', file, { maxBytes: size })
    const hash = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex')
    t.equal(hash(await fs.readFile(file)), hash(data))
  })

  t.test('a presigned URL works without credentials, and expires', async (t) => {
    await storage.put(bucket, 'thumb.jpg', 'jpeg bytes', 'image/jpeg')
    const url = await storage.presignGet(bucket, 'thumb.jpg', 60)
    const response = await fetch(url)
    t.equal(response.status, 200)
    t.equal(await response.text(), 'jpeg bytes')
    const tampered = url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=' + '0'.repeat(64))
    t.equal((await fetch(tampered)).status, 403, 'a forged signature is refused')
  })

  t.test('missing objects and buckets are told apart', async (t) => {
    t.equal(await storage.head(bucket, 'nope.webm'), null)
    const missingObject = await storage.getStream(bucket, 'nope.webm', { maxBytes: 10 }).catch((e: unknown) => e)
    t.match(missingObject, { code: 'object_not_found', message: `S3 object not found: ${bucket}/nope.webm` })
    const missingBucket = await storage.head('candor-no-such-bucket', 'a.webm').catch((e: unknown) => e)
    t.match(missingBucket, { code: 'bucket_not_found', message: 'S3 bucket not found: candor-no-such-bucket' })
    const missingBucketGet = await storage.getStream('candor-no-such-bucket', 'a.webm', { maxBytes: 10 }).catch((e: unknown) => e)
    t.match(missingBucketGet, { code: 'bucket_not_found' })
    t.equal(await storage.bucketExists('candor-no-such-bucket'), false)
  })

  t.test('wrong credentials are refused by the server', async (t) => {
    const wrong = new ObjectStorage(createS3Client({ ...config.s3, credentials: { accessKeyId: config.s3.credentials!.accessKeyId, secretAccessKey: 'wrong' } }))
    t.teardown(() => wrong.destroy())
    const error = await wrong.head(bucket, 'anything').catch((e: unknown) => e)
    t.match(error, { code: 'access_denied', message: /S3 access denied .*check S3 credentials/ })
  })
})
