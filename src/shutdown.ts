import type { Logger } from './logger.js'

/**
 * On SIGINT/SIGTERM: stop taking work and close connections, then exit. A second signal, or
 * a close that takes longer than the grace period, exits at once; a job cut short is picked
 * up again by another worker once its lock expires.
 */
export function onShutdown (logger: Logger, close: () => Promise<unknown>, graceMs = 30_000): void {
  let closing = false
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1)
    closing = true
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      logger.warn('graceful shutdown timed out')
      process.exit(1)
    }, graceMs)
    timer.unref()
    close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'error while shutting down')
      process.exit(1)
    })
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}
