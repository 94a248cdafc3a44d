/**
 * Runs the sweeper (src/jobs/sweeper.ts) on a schedule in every worker process, with a lease in
 * Redis so one process sweeps at a time and about once per SWEEP_INTERVAL_MS in all: a process
 * sweeps only after taking the lease (SET NX with the interval as its lifetime), keeps it
 * while sweeping, and leaves it to expire, so the next sweep anywhere is an interval later.
 * A process that dies mid-sweep loses the lease when it expires; the next sweep finishes
 * what it left (every step of a sweep is safe to repeat).
 */
import crypto from 'node:crypto'
import os from 'node:os'
import { Redis } from 'ioredis'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { sweepOnce, type SweepCounts } from '../jobs/sweeper.js'
import type { DeletionDeps } from '../services/deletion.js'
import { redisOptions } from './redis.js'

/** Extends the lease only while the caller still holds it. */
const RENEW = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end'

export class SweepLease {
  readonly key: string
  private readonly token = `${os.hostname()}:${process.pid}:${crypto.randomBytes(6).toString('hex')}`

  constructor (private readonly redis: Redis, prefix: string, private readonly ttlMs: number) {
    this.key = `${prefix}:sweeper:lease`
  }

  /** True when this process now holds the lease (no other process holds it). */
  async take (): Promise<boolean> {
    return await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX') === 'OK'
  }

  /** Keeps the lease for another ttl; false when it was lost (expired and taken by another). */
  async renew (): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs))) === 1
  }
}

export interface SweeperOptions {
  config: Pick<Config, 'redis' | 'queue' | 'retention'>
  deletion: DeletionDeps
  logger: Logger
  graceMs?: number
}

export interface Sweeper {
  /** Takes the lease and sweeps now; null when another process holds the lease. */
  sweepNow: () => Promise<SweepCounts | null>
  stop: () => Promise<void>
}

/** Tries to sweep at start and every SWEEP_INTERVAL_MS (never two at once in this process) until stopped. */
export function startSweeper (options: SweeperOptions): Sweeper {
  const { config, logger } = options
  const log = logger.child({ component: 'sweeper' })
  const intervalMs = config.retention.sweepIntervalMs
  const redis = new Redis({ ...redisOptions(config.redis.url), maxRetriesPerRequest: 1 })
  redis.on('error', () => {}) // a failed pass says so; ioredis reconnects by itself
  const lease = new SweepLease(redis, config.queue.prefix, intervalMs)
  let running: Promise<SweepCounts | null> | undefined

  const sweepNow = () => {
    running ??= (async () => {
      if (!await lease.take()) return null
      // Held while sweeping, however long that takes.
      const renewal = setInterval(() => { lease.renew().catch(() => {}) }, Math.max(500, Math.floor(intervalMs / 3)))
      try {
        return await sweepOnce(options.deletion, {
          ...(config.retention.days !== undefined ? { retentionDays: config.retention.days } : {}),
          ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {})
        })
      } finally {
        clearInterval(renewal)
      }
    })().finally(() => { running = undefined })
    return running
  }
  const pass = () => { sweepNow().catch((error: unknown) => log.warn({ err: error }, 'sweep failed; trying again next interval')) }

  const first = setTimeout(pass, 1000)
  const timer = setInterval(pass, intervalMs)
  first.unref()
  timer.unref()
  return {
    sweepNow,
    stop: async () => {
      clearTimeout(first)
      clearInterval(timer)
      await running?.catch(() => {})
      redis.disconnect()
    }
  }
}
