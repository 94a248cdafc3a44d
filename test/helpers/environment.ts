/**
 * Real services for tests, isolated per test file: a MariaDB database, a Redis key prefix, an
 * S3 bucket and a MongoDB database of its own, all removed at the end. MongoDB is the real
 * server when MONGODB_URL is set, else the wire-protocol test double in test/support.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import { Redis } from 'ioredis'
import mariadb from 'mariadb'
import { loadConfig, LOCAL_S3_ENV, type Config } from '../../src/config.js'
import type { DestinationStream } from 'pino'
import { createLogger, type Logger } from '../../src/logger.js'
import { ObjectStorage, createS3Client } from '../../src/storage/object-storage.js'
import { parseMariaDbUrl } from '../../src/db/mariadb.js'

/** The subset of tap's Test these helpers use. */
export interface TestContext { teardown: (fn: () => unknown) => void }


export function uniqueName (prefix: string): string {
  return `${prefix}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`
}

export interface TestEnvironment {
  config: Config
  /** The environment the config was read from, for child processes (npm run worker). */
  env: NodeJS.ProcessEnv
  logger: Logger
  storage: ObjectStorage
}

/**
 * A config pointing at isolated resources, with those resources created (bucket) or scheduled
 * for removal (database, keys, bucket) when the test ends.
 */
export async function testEnvironment (t: TestContext, options: { mongo?: boolean, env?: Record<string, string>, logTo?: DestinationStream } = {}): Promise<TestEnvironment> {
  const name = uniqueName('candor_test')
  // Without `mongo`, MONGODB_URL points nowhere useful: tests that need MongoDB ask for it.
  const mongoUrl = options.mongo ? await mongoUrlFor(t, name) : 'mongodb://127.0.0.1:1/unused'
  // The local Swift unless the environment names another S3.
  const base: NodeJS.ProcessEnv = { ...LOCAL_S3_ENV, ...process.env }
  const mariadbUrl = new URL(base.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/candor')
  mariadbUrl.pathname = `/${name}`
  const env: NodeJS.ProcessEnv = {
    ...base,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MARIADB_URL: mariadbUrl.toString(),
    MONGODB_URL: mongoUrl,
    QUEUE_PREFIX: name,
    S3_BUCKET: name.replaceAll('_', '-'),
    S3_ARTIFACTS_BUCKET: `${name.replaceAll('_', '-')}-art`,
    WORKER_IN_PROCESS: 'false',
    CANDOR_TMP_DIR: `/tmp/${name}`,
    // Encoding a copy of every recording costs the suite minutes of CPU: the tests about the
    // copy turn it on (test/api/recording-lifecycle.test.ts, test/jobs/artifacts.test.ts).
    PLAYBACK_COPY: 'false',
    ...options.env
  }
  const config = loadConfig(env)
  const storage = new ObjectStorage(createS3Client(config.s3))
  await storage.ensureBucket(config.s3.uploadsBucket)
  await storage.ensureBucket(config.s3.artifactsBucket)
  t.teardown(async () => {
    await emptyAndDeleteBucket(storage, config.s3.uploadsBucket).catch(() => {})
    await emptyAndDeleteBucket(storage, config.s3.artifactsBucket).catch(() => {})
    storage.destroy()
    await dropDatabase(config.mariadb.url).catch(() => {})
    await deleteRedisKeys(config.redis.url, config.queue.prefix).catch(() => {})
    // Jobs clean their own folders, but a killed worker's are left for the next start-up sweep.
    await fs.rm(config.tmpDir, { recursive: true, force: true })
  })
  return { config, env, logger: createLogger(config, 'candor', options.logTo), storage }
}

async function mongoUrlFor (t: TestContext, database: string): Promise<string> {
  const real = process.env.MONGODB_URL
  if (real) {
    const url = new URL(real)
    url.pathname = `/${database}`
    t.teardown(async () => {
      const { MongoClient } = await import('mongodb')
      const client = new MongoClient(url.toString())
      await client.db(database).dropDatabase().finally(() => client.close())
    })
    return url.toString()
  }
  const { startMongoTestServer } = await import('../support/mongo-server/index.js')
  const server = await startMongoTestServer()
  t.teardown(() => server.close())
  return `${server.url.replace(/\/$/, '')}/${database}`
}

export async function dropDatabase (url: string): Promise<void> {
  const { database, ...server } = parseMariaDbUrl(url)
  const connection = await mariadb.createConnection(server)
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``)
  } finally {
    await connection.end()
  }
}

async function deleteRedisKeys (url: string, prefix: string): Promise<void> {
  // Cleanup must never hang: no reconnecting, and a dead server is simply nothing to clean.
  const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 })
  redis.on('error', () => {})
  try {
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
  } finally {
    redis.disconnect()
  }
}

async function emptyAndDeleteBucket (storage: ObjectStorage, bucket: string): Promise<void> {
  const { ListObjectsV2Command, DeleteObjectCommand, DeleteBucketCommand } = await import('@aws-sdk/client-s3')
  for (;;) {
    const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: bucket }))
    for (const object of listed.Contents ?? []) {
      await storage.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }))
    }
    if (!listed.IsTruncated) break
  }
  await storage.client.send(new DeleteBucketCommand({ Bucket: bucket }))
}

/** Polls `probe` until it returns a value that is not undefined, or fails after timeoutMs. */
export async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export const fixtures = new URL('../../../shared/fixtures/', import.meta.url).pathname
