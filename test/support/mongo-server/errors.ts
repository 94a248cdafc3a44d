import type { Document } from 'bson'
import { MingoError } from 'mingo/util'

/** The subset of MongoDB's error codes this double produces; names match the server's `codeName`. */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  InvalidIdField: 53,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000
} as const

export type ErrorCodeName = keyof typeof ErrorCodes

/**
 * An error that becomes a MongoDB-shaped reply (`ok: 0, errmsg, code, codeName`) or, inside a
 * write batch, one `writeErrors` entry. `extra` carries fields such as `keyPattern`/`keyValue`.
 */
export class CommandError extends Error {
  readonly code: number
  readonly codeName: ErrorCodeName
  readonly extra: Document

  constructor (codeName: ErrorCodeName, message: string, extra: Document = {}) {
    super(message)
    this.name = 'CommandError'
    this.codeName = codeName
    this.code = ErrorCodes[codeName]
    this.extra = extra
  }

  toReply (): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra }
  }

  toWriteError (index: number): Document {
    return { index, code: this.code, ...this.extra, errmsg: this.message }
  }
}

/**
 * Normalises anything thrown while running a command. mingo reports bad operators and
 * expressions by throwing; a real server answers those with BadValue, so we do too.
 */
export function toCommandError (error: unknown): CommandError {
  if (error instanceof CommandError) return error
  if (error instanceof MingoError) {
    return new CommandError('BadValue', error.message)
  }
  const message = error instanceof Error ? error.message : String(error)
  return new CommandError('InternalError', `test double internal error: ${message}`)
}
