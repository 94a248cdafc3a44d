/**
 * Real `npm run worker` processes against a test environment's isolated stores, with the
 * repositories a test reads the outcome from; everything is stopped when the test ends.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { createPool } from '../../src/db/mariadb.js'
import { createMongo } from '../../src/db/mongo.js'
import { migrate } from '../../src/db/migrate.js'
import { AnalysisRepository, type AnalysisRecord } from '../../src/repositories/analyses.js'
import { FrameStore } from '../../src/repositories/frame-store.js'
import { createAnalysisQueue, enqueueAnalysis } from '../../src/queue/analysis-queue.js'
import { fixtures, type TestContext, type TestEnvironment } from './environment.js'
import { startWorkerProcess, killGroup } from './processes.js'

export async function workerTestbed (t: TestContext, { config, env, storage }: TestEnvironment) {
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 2)
  const mongo = createMongo(config.mongodb.url)
  const queue = createAnalysisQueue(config)
  queue.on('error', () => {}) // some tests take Redis away on purpose
  const workers: ChildProcess[] = []
  t.teardown(async () => {
    workers.forEach(killGroup)
    await queue.close()
    await mongo.client.close()
    await pool.end()
  })
  const analyses = new AnalysisRepository(pool)
  return {
    pool,
    queue,
    analyses,
    frames: new FrameStore(mongo.db),
    workers,
    row: async (id: string): Promise<AnalysisRecord> => (await analyses.get(id))!,
    startWorker: (): ChildProcess => {
      const worker = startWorkerProcess(env)
      workers.push(worker)
      return worker
    },
    /** Uploads a fixture video and queues its analysis. */
    async queueFixture (fixture: string, key = `fixtures/${path.basename(fixture)}`): Promise<AnalysisRecord> {
      await storage.put(config.s3.uploadsBucket, key, await fs.readFile(path.join(fixtures, fixture)))
      const { analysis } = await analyses.create({ tenantId: 'tenant-a', userId: 'u', sessionId: 's', s3Bucket: config.s3.uploadsBucket, s3Key: key })
      await enqueueAnalysis(queue, analysis.id)
      return analysis
    }
  }
}
