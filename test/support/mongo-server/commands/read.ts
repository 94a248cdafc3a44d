/** Queries and cursors: find, getMore, killCursors, aggregate, count, distinct. */
import { Long } from 'bson'
import type { Document } from 'bson'
import { Aggregator } from 'mingo'
import { CommandError } from '../errors.js'
import { compileProjection, matching, mingoOptions, sortDocuments } from '../query.js'
import { decodeTyped, decodeView } from '../storage.js'
import type { Collection, StoredDocument } from '../storage.js'
import { collectValues, isPlainObject, keyOf, numericValue } from '../values.js'
import type { CommandContext, CommandHandler } from './context.js'
import {
  collectionArg,
  cursorBatchSize,
  optionalCount,
  optionalDocument,
  optionalNumber,
  readOptions,
  requiredArray
} from './context.js'

function collectionOf (context: CommandContext, name: string): Collection | undefined {
  return context.store.getCollection(context.database, name)
}

function documentsOf (context: CommandContext, name: string): StoredDocument[] {
  return collectionOf(context, name)?.all() ?? []
}

/** A `hint` must name an existing index (or be $natural), as on a real server. */
function checkHint (context: CommandContext, name: string, hint: unknown): void {
  if (hint === undefined || hint === null) return
  if (isPlainObject(hint) && ('$natural' in hint || Object.keys(hint).length === 0)) return
  const indexes = context.store.getCollection(context.database, name)?.indexes() ?? []
  const found = indexes.some((index) => (typeof hint === 'string' ? index.name === hint : keyOf(index.key) === keyOf(hint)))
  if (!found && indexes.length > 0) {
    throw new CommandError('BadValue', 'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index')
  }
}

/** Negative limits are the legacy spelling of "limit, in a single batch". */
function limitArg (context: CommandContext): { limit?: number, singleBatch: boolean } {
  const raw = optionalNumber(context, 'limit')
  const singleBatch = context.command.singleBatch === true || (raw !== undefined && raw < 0)
  const limit = raw === undefined || raw === 0 ? undefined : Math.abs(Math.trunc(raw))
  return { limit, singleBatch }
}

function find (context: CommandContext): Document {
  const name = collectionArg(context)
  const filter = optionalDocument(context, 'filter') ?? {}
  const options = readOptions(context)
  const skip = optionalCount(context, 'skip') ?? 0
  const { limit, singleBatch } = limitArg(context)
  const project = compileProjection(optionalDocument(context, 'projection'), filter, options)
  checkHint(context, name, context.command.hint)
  const sorted = sortDocuments(matching(collectionOf(context, name), filter, options), optionalDocument(context, 'sort'))
  const page = sorted.slice(skip, limit === undefined ? undefined : skip + limit)
  return context.cursors.open(
    `${context.database}.${name}`,
    page.map(project),
    optionalCount(context, 'batchSize'),
    singleBatch
  )
}

function toCursorId (value: unknown): bigint {
  if (typeof value === 'bigint') return value
  if (value instanceof Long) return value.toBigInt()
  const n = numericValue(value)
  if (n === undefined || !Number.isInteger(n)) throw new CommandError('TypeMismatch', 'cursor id must be an integer')
  return BigInt(n)
}

function getMore (context: CommandContext): Document {
  const collection = context.command.collection
  if (typeof collection !== 'string') {
    throw new CommandError('FailedToParse', `BSON field 'getMore.collection' is missing but a required field`)
  }
  return context.cursors.getMore(
    toCursorId(context.typed.getMore),
    `${context.database}.${collection}`,
    optionalCount(context, 'batchSize')
  )
}

function killCursors (context: CommandContext): Document {
  collectionArg(context)
  const ids = requiredArray(context, 'cursors', context.typed).map(toCursorId)
  const [killed, notFound] = context.cursors.kill(ids)
  return {
    cursorsKilled: killed.map((id) => Long.fromBigInt(id)),
    cursorsNotFound: notFound.map((id) => Long.fromBigInt(id)),
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1
  }
}

/** Stages that only filter/reorder, so output documents are input documents untouched. */
const PASS_THROUGH_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$sample'])
const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$search', '$vectorSearch', '$geoNear'])

/**
 * mingo's $count emits { n: 0 } for empty input where MongoDB emits nothing, so use the
 * $group/$project form MongoDB documents as equivalent.
 */
function expandCount (stage: unknown): Document[] {
  const { $count: field } = stage as Document
  if (field === undefined) return [stage as Document]
  if (typeof field !== 'string' || field === '' || field.startsWith('$') || field.includes('.')) {
    throw new CommandError('BadValue', 'the count field must be a non-empty string that does not start with $ or contain .')
  }
  return [{ $group: { _id: null, [field]: { $sum: 1 } } }, { $project: { _id: 0 } }]
}

function aggregate (context: CommandContext): Document {
  const target = context.command.aggregate
  const pipeline = requiredArray(context, 'pipeline')
  if (context.command.explain) throw new CommandError('NotImplemented', 'explain is not supported by the test double')
  if (!isPlainObject(context.command.cursor)) {
    throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument")
  }
  const stageNames = pipeline.map((stage) => {
    const keys = isPlainObject(stage) ? Object.keys(stage) : []
    if (keys.length !== 1) {
      throw new CommandError('FailedToParse', 'A pipeline stage specification object must contain exactly one field.')
    }
    if (UNSUPPORTED_STAGES.has(keys[0])) {
      throw new CommandError('NotImplemented', `${keys[0]} is not supported by the test double`)
    }
    return keys[0]
  })
  const collectionLevel = typeof target === 'string'
  if (!collectionLevel && target !== 1) {
    throw new CommandError('FailedToParse', "Invalid 'aggregate' field: must be a collection name or 1")
  }

  // mingo may mutate its inputs, so it gets fresh decodings; remember which stored document
  // each came from so untouched outputs can be returned with their exact BSON types.
  const origin = new Map<Document, StoredDocument>()
  const inputs = (collectionLevel ? documentsOf(context, target) : []).map((stored) => {
    const view = decodeView(stored)
    origin.set(view, stored)
    return view
  })
  const aggregator = new Aggregator(pipeline.flatMap(expandCount), {
    ...mingoOptions(readOptions(context)),
    collectionResolver: (name: string) => documentsOf(context, name).map(decodeView)
  })
  const output = aggregator.run(inputs) as Document[]
  const passThrough = stageNames.every((name) => PASS_THROUGH_STAGES.has(name))
  // mingo's $project emits _id last; mongod keeps it first unless a stage replaced the root.
  const keepOrder = stageNames.some((name) => name === '$replaceRoot' || name === '$replaceWith')
  const results = output.map((document) => {
    const stored = passThrough ? origin.get(document) : undefined
    if (stored) return decodeTyped(stored)
    if (keepOrder || !('_id' in document)) return document
    const { _id, ...rest } = document
    return { _id, ...rest }
  })
  const namespace = collectionLevel ? `${context.database}.${target}` : `${context.database}.$cmd.aggregate`
  return context.cursors.open(namespace, results, cursorBatchSize(context))
}

function count (context: CommandContext): Document {
  const name = collectionArg(context)
  const skip = optionalCount(context, 'skip') ?? 0
  const { limit } = limitArg(context)
  checkHint(context, name, context.command.hint)
  const matched = matching(collectionOf(context, name), optionalDocument(context, 'query') ?? {}, readOptions(context))
  const n = Math.max(0, Math.min(matched.length - skip, limit ?? Infinity))
  return { n, ok: 1 }
}

function distinct (context: CommandContext): Document {
  const name = collectionArg(context)
  const key = context.command.key
  if (typeof key !== 'string') throw new CommandError('FailedToParse', "BSON field 'distinct.key' is missing but a required field")
  const matched = matching(collectionOf(context, name), optionalDocument(context, 'query') ?? {}, readOptions(context))
  const seen = new Set<string>()
  const values: unknown[] = []
  for (const stored of matched) {
    for (const value of collectValues(decodeTyped(stored), key)) {
      const identity = keyOf(value)
      if (!seen.has(identity)) {
        seen.add(identity)
        values.push(value)
      }
    }
  }
  return { values, ok: 1 }
}

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  aggregate,
  count,
  distinct
}
