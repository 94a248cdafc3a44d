/** What every command handler receives, and small argument-parsing helpers. */
import type { Document } from 'bson'
import type { CursorRegistry } from '../cursors.js'
import { CommandError } from '../errors.js'
import type { ReadOptions } from '../query.js'
import type { Store } from '../storage.js'
import { isPlainObject } from '../values.js'

export interface ServerState {
  store: Store
  cursors: CursorRegistry
}

export interface CommandContext extends ServerState {
  connectionId: number
  /** The command's `$db`. */
  database: string
  name: string
  /** Promoted decoding (JS numbers): for arguments, filters and anything mingo evaluates. */
  command: Document
  /** Typed decoding (Int32/Double/Long kept): for values that get stored or echoed back. */
  typed: Document
}

export type CommandHandler = (context: CommandContext) => Document

/** The collection named by the command's first field, e.g. `{ find: 'frames' }`. */
export function collectionArg (context: CommandContext): string {
  const value = context.command[context.name]
  if (typeof value !== 'string') {
    throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeName(value)}`)
  }
  return value
}

function typeName (value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double'
  if (typeof value === 'boolean') return 'bool'
  if (isPlainObject(value)) return 'object'
  return typeof value
}

function fieldError (context: CommandContext, field: string, value: unknown, expected: string): CommandError {
  return new CommandError(
    'TypeMismatch',
    `BSON field '${context.name}.${field}' is the wrong type '${typeName(value)}', expected type '${expected}'`
  )
}

export function optionalNumber (context: CommandContext, field: string, source: Document = context.command): number | undefined {
  const value = source[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') throw fieldError(context, field, value, 'number')
  return value
}

/** A non-negative integer argument such as skip, limit or batchSize. */
export function optionalCount (context: CommandContext, field: string, source: Document = context.command): number | undefined {
  const value = optionalNumber(context, field, source)
  if (value === undefined) return undefined
  if (value < 0) throw new CommandError('BadValue', `${field} value must be non-negative, but received: ${value}`)
  return Math.trunc(value)
}

export function optionalDocument (context: CommandContext, field: string, source: Document = context.command): Document | undefined {
  const value = source[field]
  if (value === undefined || value === null) return undefined
  if (!isPlainObject(value)) throw fieldError(context, field, value, 'object')
  return value
}

export function requiredArray (context: CommandContext, field: string, source: Document = context.command): unknown[] {
  const value = source[field]
  if (value === undefined) {
    throw new CommandError('FailedToParse', `BSON field '${context.name}.${field}' is missing but a required field`)
  }
  if (!Array.isArray(value)) throw fieldError(context, field, value, 'array')
  return value
}

/** Collation and `let` variables, passed through to mingo where it evaluates. */
export function readOptions (context: CommandContext, source: Document = context.command): ReadOptions {
  return {
    collation: optionalDocument(context, 'collation', source),
    variables: optionalDocument(context, 'let', context.command)
  }
}

/** The `cursor.batchSize` sub-option of aggregate/listCollections/listIndexes. */
export function cursorBatchSize (context: CommandContext): number | undefined {
  const cursor = optionalDocument(context, 'cursor')
  return cursor ? optionalCount(context, 'batchSize', cursor) : undefined
}
