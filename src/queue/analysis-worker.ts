import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'bullmq'
import { childProcessEnv, type Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { AnalysisRepository } from '../repositories/analyses.js'
import { ANALYSIS_QUEUE, type AnalysisJobData } from './analysis-queue.js'
import { redisOptions } from './redis.js'
import { recordJobFailure } from './worker-events.js'
import { failedForGood } from './failure-reason.js'

/** A job whose worker is lost (crash, kill -9) this many times runs again; once more fails it. */
export const MAX_STALLED_COUNT = 2

// processor.ts under tsx, processor.js once built: the same extension as this file.
const here = fileURLToPath(import.meta.url)
const processorFile = path.join(path.dirname(here), '..', 'jobs', `processor${path.extname(here)}`)

/**
 * Starts a worker whose jobs run in sandboxed child processes (one per concurrent job).
 * `analyses` records failures BullMQ decides outside the job (src/queue/worker-events.ts).
 */
export function startAnalysisWorker (config: Config, logger: Logger, analyses: AnalysisRepository): Worker<AnalysisJobData> {
  const worker = new Worker<AnalysisJobData>(ANALYSIS_QUEUE, processorFile, {
    prefix: config.queue.prefix,
    connection: { ...redisOptions(config.redis.url), maxRetriesPerRequest: null },
    concurrency: config.queue.concurrency,
    lockDuration: config.queue.lockMs,
    // A live worker renews its locks every lockMs/2. Checking as often takes a dead worker's job
    // back between lockMs/2 and 1.5 x lockMs after the death (with lockMs: up to 2 x lockMs).
    stalledInterval: Math.max(500, Math.round(config.queue.lockMs / 2)),
    maxStalledCount: MAX_STALLED_COUNT,
    useWorkerThreads: false,
    workerForkOptions: { env: childProcessEnv(config) }
  })
  const log = logger.child({ component: 'worker' })
  worker.on('completed', (job, outcome) => log.info({ analysisId: job.data.analysisId, outcome, attempts: job.attemptsMade }, 'job completed'))
  worker.on('failed', (job, error) => {
    log.warn({ analysisId: job?.data.analysisId, attempts: job?.attemptsMade, reason: error.message, final: job ? failedForGood(job) : undefined }, 'job failed')
    if (job) void recordJobFailure(job, error, analyses, log, MAX_STALLED_COUNT)
  })
  // The stalled check moves the job back to waiting; past MAX_STALLED_COUNT the next worker to
  // take it fails it without running it ('failed' above).
  worker.on('stalled', (jobId) => log.warn({ analysisId: jobId }, `job stalled (its worker stopped); it runs again unless stalled more than ${MAX_STALLED_COUNT} times`))
  // Connection errors are retried by ioredis; log them instead of crashing on 'error'.
  worker.on('error', (error) => log.error({ err: error }, 'worker error'))
  return worker
}
