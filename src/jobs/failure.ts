/**
 * Turns any error from a job into what a user reads in GET /analysis/:id: a stable code and a
 * message that says what to do, never a stack trace. "permanent" failures (bad input) are not
 * retried; everything else is assumed transient until the last attempt.
 */
import { StorageError } from '../storage/object-storage.js'
import { MediaError } from '../media/ffprobe.js'
import { MediaLimitError } from '../media/limits.js'

export interface JobFailure { code: string, message: string, permanent: boolean }

/** Thrown by job steps for input problems that no retry can fix. */
export class InputError extends Error {
  constructor (readonly code: string, message: string) {
    super(message)
    this.name = 'InputError'
  }
}

export function describeFailure (error: unknown): JobFailure {
  if (error instanceof InputError || error instanceof MediaLimitError) return { code: error.code, message: error.message, permanent: true }
  if (error instanceof StorageError) {
    return { code: `s3_${error.code}`, message: error.message, permanent: error.code !== 'unavailable' && error.code !== 'access_denied' }
  }
  if (error instanceof MediaError) {
    return { code: error.code, message: error.message, permanent: error.code !== 'timeout' && error.code !== 'tool_failed' }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'internal_error', message: `analysis failed: ${firstLine(message)}`, permanent: false }
}

function firstLine (text: string): string {
  return text.split('\n')[0]!.slice(0, 500)
}
