/**
 * The analysis job queue (BullMQ on Redis). A job carries only the analysis id: MariaDB holds
 * the request, so a job can be retried or re-queued without stale data. The job id is the
 * analysis id, so queueing the same analysis twice never runs it twice.
 */
import { Queue } from 'bullmq'
import type { Config } from '../config.js'
import { redisOptions } from './redis.js'

export const ANALYSIS_QUEUE = 'analysis'

export interface AnalysisJobData {
  analysisId: string
  /** Set by the reconciler when it runs a completed job again (src/queue/reconcile.ts). */
  reruns?: number
}

export type AnalysisQueue = Queue<AnalysisJobData>

export function createAnalysisQueue (config: Pick<Config, 'redis' | 'queue'>): AnalysisQueue {
  return new Queue<AnalysisJobData>(ANALYSIS_QUEUE, {
    prefix: config.queue.prefix,
    // An HTTP request must fail fast when Redis is down rather than wait for it.
    connection: { ...redisOptions(config.redis.url), enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    defaultJobOptions: {
      attempts: config.queue.attempts,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 }
    }
  })
}

/**
 * Queues the analysis unless its job already exists (BullMQ ignores add() for an existing job
 * id, finished ones included). `attempts` lowers JOB_ATTEMPTS for a job re-queued after
 * earlier starts were lost, so the job's own last attempt is the analysis's last.
 */
export async function enqueueAnalysis (queue: AnalysisQueue, analysisId: string, options: { attempts?: number, reruns?: number } = {}): Promise<void> {
  await queue.add('analyze', { analysisId, ...(options.reruns ? { reruns: options.reruns } : {}) }, {
    jobId: analysisId,
    ...(options.attempts ? { attempts: options.attempts } : {})
  })
}
