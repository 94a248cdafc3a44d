/**
 * Worker process: `npm run worker`. Runs analysis jobs from the shared Redis queue; start as
 * many as the machines allow (each runs WORKER_CONCURRENCY jobs in sandboxed children).
 */
import { loadConfigOrExit } from './config.js'
import { createLogger } from './logger.js'
import { migrate } from './db/migrate.js'
import { startAnalysisWorker } from './queue/analysis-worker.js'
import { onShutdown } from './shutdown.js'
import { closeWithin } from './queue/close.js'

const config = loadConfigOrExit()
const logger = createLogger(config, 'candor-worker')
await migrate(config.mariadb.url)
const worker = startAnalysisWorker(config, logger)
logger.info({ concurrency: config.queue.concurrency }, 'analysis worker started')
onShutdown(logger, () => closeWithin(25_000, () => worker.close(), () => worker.close(true)))
