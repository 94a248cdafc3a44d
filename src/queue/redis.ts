import type { RedisOptions } from 'bullmq'

/** REDIS_URL to connection options; BullMQ and the health check make their own connections from them. */
export function redisOptions (url: string): RedisOptions {
  const parsed = new URL(url)
  const db = parsed.pathname.replace(/^\//, '')
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    connectTimeout: 3000,
    // Reconnect forever with a capped delay: Redis coming back must heal the service.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 3000)
  }
}
