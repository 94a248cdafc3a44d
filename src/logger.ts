import fs from 'node:fs'
import path from 'node:path'
import { pino, type Logger, type DestinationStream } from 'pino'
import type { Config } from './config.js'

export type { Logger }

/**
 * JSON logs to stdout (for the platform's collector) and, when LOG_FILE is set, to that
 * file too. Secrets that could reach a log line through request headers are redacted.
 */
export function createLogger (config: Pick<Config, 'log'>, name = 'candor'): Logger {
  const streams: Array<{ stream: DestinationStream }> = [{ stream: pino.destination(1) }]
  if (config.log.file) {
    fs.mkdirSync(path.dirname(config.log.file), { recursive: true })
    streams.push({ stream: pino.destination({ dest: config.log.file, mkdir: true, sync: false }) })
  }
  return pino({
    name,
    level: config.log.level,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]']
  }, pino.multistream(streams))
}
