import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'bullmq'
import { childProcessEnv, type Config } from '../config.js'
import type { Logger } from '../logger.js'
import { ANALYSIS_QUEUE, type AnalysisJobData } from './analysis-queue.js'
import { redisOptions } from './redis.js'

// processor.ts under tsx, processor.js once built: the same extension as this file.
const here = fileURLToPath(import.meta.url)
const processorFile = path.join(path.dirname(here), '..', 'jobs', `processor${path.extname(here)}`)

/** Starts a worker whose jobs run in sandboxed child processes (one per concurrent job). */
export function startAnalysisWorker (config: Config, logger: Logger): Worker<AnalysisJobData> {
  const worker = new Worker<AnalysisJobData>(ANALYSIS_QUEUE, processorFile, {
    prefix: config.queue.prefix,
    connection: { ...redisOptions(config.redis.url), maxRetriesPerRequest: null },
    concurrency: config.queue.concurrency,
    lockDuration: config.queue.lockMs,
    stalledInterval: config.queue.lockMs,
    maxStalledCount: 2,
    useWorkerThreads: false,
    workerForkOptions: { env: childProcessEnv(config) }
  })
  const log = logger.child({ component: 'worker' })
  worker.on('completed', (job, outcome) => log.info({ analysisId: job.data.analysisId, outcome, attempts: job.attemptsMade }, 'job completed'))
  worker.on('failed', (job, error) => log.warn({ analysisId: job?.data.analysisId, attempts: job?.attemptsMade, reason: error.message }, 'job failed'))
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; it will run again'))
  // Connection errors are retried by ioredis; log them instead of crashing on 'error'.
  worker.on('error', (error) => log.error({ err: error }, 'worker error'))
  return worker
}
