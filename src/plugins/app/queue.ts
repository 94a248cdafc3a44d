import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import type { Worker } from 'bullmq'
import type { Config } from '../../config.js'
import { createAnalysisQueue, type AnalysisQueue } from '../../queue/analysis-queue.js'
import { startAnalysisWorker } from '../../queue/analysis-worker.js'
import { startReconciler } from '../../queue/reconciler.js'
import { startSweeper } from '../../queue/sweeper.js'
import { redisOptions } from '../../queue/redis.js'
import { closeWithin } from '../../queue/close.js'
import type { Logger } from '../../logger.js'

declare module 'fastify' {
  interface FastifyInstance { analysisQueue: AnalysisQueue }
}

/**
 * Redis and the analysis queue, plus an in-process worker unless WORKER_IN_PROCESS=false
 * (then run `npm run worker` processes, on this machine or others sharing the Redis), and the
 * reconciler that keeps unfinished analyses and their jobs in line (src/queue/reconciler.ts).
 * Where a worker runs, so does the sweeper (retention, orphans, unfinished deletions).
 */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  const queue = createAnalysisQueue(config)
  // BullMQ reports connection errors as events; without a listener they would crash the process.
  queue.on('error', (error) => fastify.log.warn({ err: error }, 'queue connection error'))
  fastify.decorate('analysisQueue', queue)

  // A separate small connection for readiness. While it (re)connects a PING waits in the
  // offline queue and is rejected as soon as a connection attempt fails, so it never hangs.
  const probe = new Redis({ ...redisOptions(config.redis.url), maxRetriesPerRequest: 0 })
  probe.on('error', () => {})
  fastify.readiness.register('redis', async () => {
    const info = await probe.info('server')
    // Redis answering is not enough: the queue's own connection (the one POST /analyze uses)
    // must work too, so ask the queue itself.
    const counts = await queue.getJobCounts('waiting', 'active')
    return `redis ${/redis_version:(\S+)/.exec(info)?.[1]}, ${counts.waiting} waiting, ${counts.active} active`
  })

  let worker: Worker | undefined
  if (config.queue.inProcessWorker) worker = startAnalysisWorker(config, fastify.log as Logger, fastify.analyses)

  // Analyses recorded while Redis was unreachable, jobs Redis lost, jobs BullMQ failed for good.
  const reconciler = startReconciler({ analyses: fastify.analyses, queue, config, logger: fastify.log as Logger })

  const logger = fastify.log as Logger
  const sweeper = config.queue.inProcessWorker
    ? startSweeper({ config, logger, deletion: { analyses: fastify.analyses, frames: fastify.frames, uploads: fastify.uploads, storage: fastify.storage, artifactsBucket: config.s3.artifactsBucket, queue, logger } })
    : undefined

  fastify.addHook('onClose', async () => {
    await sweeper?.stop()
    await reconciler.stop()
    if (worker) await closeWithin(10_000, () => worker!.close(), () => worker!.close(true))
    await closeWithin(3000, () => queue.close(), () => queue.disconnect())
    probe.disconnect()
  })
}, { name: 'queue', dependencies: ['readiness', 'mariadb', 'mongodb', 'storage'] })
