import fs from 'node:fs'
import path from 'node:path'
import { pino, type Logger, type DestinationStream } from 'pino'
import type { Config } from './config.js'

export type { Logger }

/**
 * Where a secret could reach a log line: request headers, and any logged object carrying the
 * configuration or credentials (API keys, the OpenAI key, the S3 secret). Messages never
 * include them by construction; these paths catch structured fields.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]',
  'headers.authorization', '*.headers.authorization',
  'apiKey', '*.apiKey', 'key', '*.key', 'secretAccessKey', '*.secretAccessKey', 'credentials', '*.credentials',
  'OPENAI_API_KEY', '*.OPENAI_API_KEY', 'S3_SECRET_ACCESS_KEY', '*.S3_SECRET_ACCESS_KEY'
]

/**
 * JSON logs to stdout (for the platform's collector) or the given stream (tests) and, when
 * LOG_FILE is set, to that file too, with secrets redacted (REDACTED_PATHS).
 */
export function createLogger (config: Pick<Config, 'log'>, name = 'candor', destination: DestinationStream = pino.destination(1)): Logger {
  const streams: Array<{ stream: DestinationStream }> = [{ stream: destination }]
  if (config.log.file) {
    fs.mkdirSync(path.dirname(config.log.file), { recursive: true })
    streams.push({ stream: pino.destination({ dest: config.log.file, mkdir: true, sync: false }) })
  }
  return pino({
    name,
    level: config.log.level,
    redact: REDACTED_PATHS
  }, pino.multistream(streams))
}
