/**
 * Worker process: `npm run worker`. Runs analysis jobs from the shared Redis queue; start as
 * many as the machines allow (each runs WORKER_CONCURRENCY jobs in sandboxed children). Each
 * also runs the reconciler, so unfinished analyses are looked after even with no API worker,
 * and the sweeper (retention, unfinished deletions, orphans; one process at a time).
 */
import { loadConfigOrExit } from './config.js'
import { createLogger } from './logger.js'
import { migrate } from './db/migrate.js'
import { createPool } from './db/mariadb.js'
import { AnalysisRepository } from './repositories/analyses.js'
import { createAnalysisQueue } from './queue/analysis-queue.js'
import { startAnalysisWorker } from './queue/analysis-worker.js'
import { startReconciler } from './queue/reconciler.js'
import { startSweeper } from './queue/sweeper.js'
import { createMongo } from './db/mongo.js'
import { FrameStore } from './repositories/frame-store.js'
import { UploadRepository } from './repositories/uploads.js'
import { createObjectStorage } from './storage/object-storage.js'
import { onShutdown } from './shutdown.js'
import { closeWithin } from './queue/close.js'
import { retryInBackground } from './plugins/app/retry.js'

const config = loadConfigOrExit()
const logger = createLogger(config, 'candor-worker')
// MariaDB may be down as a worker starts (being restarted, failing over): wait for it, as the
// API does, rather than exit and leave the start to a supervisor.
await retryInBackground('mariadb migrations', () => migrate(config.mariadb.url), logger).ready
const pool = createPool(config.mariadb.url, 2)
const analyses = new AnalysisRepository(pool)
const worker = startAnalysisWorker(config, logger, analyses)
const queue = createAnalysisQueue(config)
// BullMQ reports connection errors as events; without a listener they would crash the process.
queue.on('error', (error) => logger.warn({ err: error }, 'queue connection error'))
const reconciler = startReconciler({ analyses, queue, config, logger })
const mongo = createMongo(config.mongodb.url)
const storage = createObjectStorage(config.s3)
const sweeper = startSweeper({
  config,
  logger,
  deletion: { analyses, frames: new FrameStore(mongo.db), uploads: new UploadRepository(pool), storage, artifactsBucket: config.s3.artifactsBucket, queue, logger }
})
logger.info({ concurrency: config.queue.concurrency }, 'analysis worker started')
onShutdown(logger, async () => {
  await reconciler.stop()
  await sweeper.stop()
  await closeWithin(25_000, () => worker.close(), () => worker.close(true))
  await closeWithin(3000, () => queue.close(), () => queue.disconnect())
  await pool.end()
  await mongo.client.close()
  storage.destroy()
})
