/** Databases, collections and indexes: create/drop/list and index management. */
import type { Document } from 'bson'
import { CommandError } from '../errors.js'
import { compileFilter } from '../query.js'
import { validateNamespace } from '../storage.js'
import type { Collection } from '../storage.js'
import { isPlainObject } from '../values.js'
import type { CommandContext, CommandHandler } from './context.js'
import { collectionArg, cursorBatchSize, optionalDocument, requiredArray } from './context.js'

/** Collection options whose behaviour the double does not emulate; refusing beats ignoring. */
const UNSUPPORTED_CREATE_OPTIONS = [
  'capped',
  'size',
  'max',
  'validator',
  'validationLevel',
  'validationAction',
  'viewOn',
  'pipeline',
  'timeseries',
  'expireAfterSeconds',
  'clusteredIndex',
  'collation',
  'encryptedFields',
  'changeStreamPreAndPostImages'
]

function create (context: CommandContext): Document {
  const name = collectionArg(context)
  const unsupported = UNSUPPORTED_CREATE_OPTIONS.find((option) => option in context.command)
  if (unsupported) {
    throw new CommandError('NotImplemented', `create option '${unsupported}' is not supported by the test double`)
  }
  // Since MongoDB 5.0 re-creating a collection with identical options succeeds; the double
  // keeps no options (it refuses the ones above), so any existing collection is identical.
  if (!context.store.getCollection(context.database, name)) context.store.createCollection(context.database, name, {})
  return { ok: 1 }
}

function drop (context: CommandContext): Document {
  const name = collectionArg(context)
  const dropped = context.store.dropCollection(context.database, name)
  // Since MongoDB 7.0 dropping a missing collection succeeds.
  if (!dropped) return { ok: 1 }
  return { nIndexesWas: dropped.indexes().length, ns: dropped.namespace, ok: 1 }
}

function dropDatabase (context: CommandContext): Document {
  context.store.dropDatabase(context.database)
  return { ok: 1 }
}

function collectionInfo (collection: Collection): Document {
  return {
    name: collection.name,
    type: 'collection',
    options: collection.options,
    info: { readOnly: false, uuid: collection.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' }
  }
}

function listCollections (context: CommandContext): Document {
  const filter = compileFilter(optionalDocument(context, 'filter') ?? {})
  const nameOnly = context.command.nameOnly === true
  const entries = context.store
    .collections(context.database)
    .map(collectionInfo)
    .filter((entry) => filter.test(entry))
    .map((entry) => (nameOnly ? { name: entry.name, type: entry.type } : entry))
  return context.cursors.open(`${context.database}.$cmd.listCollections`, entries, cursorBatchSize(context))
}

function listDatabases (context: CommandContext): Document {
  if (context.database !== 'admin') {
    throw new CommandError('Unauthorized', 'listDatabases may only be run against the admin database.')
  }
  const filter = compileFilter(optionalDocument(context, 'filter') ?? {})
  const databases = context.store
    .databaseNames()
    .map((name) => ({
      name,
      sizeOnDisk: context.store.collections(name).reduce((sum, c) => sum + c.all().reduce((s, d) => s + d.bytes.length, 0), 0),
      empty: false
    }))
    .filter((entry) => filter.test(entry))
  if (context.command.nameOnly === true) return { databases: databases.map(({ name }) => ({ name })), ok: 1 }
  const totalSize = databases.reduce((sum, entry) => sum + entry.sizeOnDisk, 0)
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1024 / 1024), ok: 1 }
}

function renameCollection (context: CommandContext): Document {
  if (context.database !== 'admin') {
    throw new CommandError('Unauthorized', 'renameCollection may only be run against the admin database.')
  }
  const split = (namespace: unknown): [string, string] => {
    const text = typeof namespace === 'string' ? namespace : ''
    const dot = text.indexOf('.')
    if (dot <= 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${text}'`)
    return [text.slice(0, dot), text.slice(dot + 1)]
  }
  context.store.renameCollection(
    split(context.command.renameCollection),
    split(context.command.to),
    context.command.dropTarget === true
  )
  return { ok: 1 }
}

function existingCollection (context: CommandContext, name: string): Collection {
  const collection = context.store.getCollection(context.database, name)
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${context.database}.${name}`)
  return collection
}

function createIndexes (context: CommandContext): Document {
  const name = collectionArg(context)
  validateNamespace(context.database, name)
  const specs = requiredArray(context, 'indexes')
  if (specs.length === 0) throw new CommandError('BadValue', 'Must specify at least one index to create')
  for (const spec of specs) {
    if (!isPlainObject(spec) || !isPlainObject(spec.key) || Object.keys(spec.key).length === 0) {
      throw new CommandError('FailedToParse', 'Index specification must have a non-empty key document')
    }
    if (typeof spec.name !== 'string' || spec.name.length === 0) {
      throw new CommandError('FailedToParse', `The 'name' field is a required property of an index specification`)
    }
  }
  const existed = context.store.getCollection(context.database, name) !== undefined
  const collection = context.store.ensureCollection(context.database, name)
  const before = collection.indexes().length
  for (const spec of specs as Document[]) {
    const { v: _v, ns: _ns, key, name: indexName, ...options } = spec
    collection.createIndex({ v: 2, key, name: indexName, ...options })
  }
  const after = collection.indexes().length
  return {
    numIndexesBefore: before,
    numIndexesAfter: after,
    createdCollectionAutomatically: !existed,
    ...(before === after ? { note: 'all indexes already exist' } : {}),
    ok: 1
  }
}

function listIndexes (context: CommandContext): Document {
  const name = collectionArg(context)
  const collection = existingCollection(context, name)
  return context.cursors.open(
    `${context.database}.$cmd.listIndexes.${name}`,
    collection.indexes(),
    cursorBatchSize(context)
  )
}

function dropIndexes (context: CommandContext): Document {
  const collection = existingCollection(context, collectionArg(context))
  const nIndexesWas = collection.indexes().length
  const target = context.command.index
  if (target === '*') {
    collection.dropAllIndexes()
    return { nIndexesWas, msg: 'non-_id indexes dropped for collection', ok: 1 }
  }
  const targets = Array.isArray(target) ? target : [target]
  for (const item of targets) {
    if (typeof item !== 'string' && !isPlainObject(item)) {
      throw new CommandError('TypeMismatch', 'dropIndexes index must be a string, a key pattern or an array of names')
    }
  }
  collection.dropIndexes(targets as (string | Document)[])
  return { nIndexesWas, ok: 1 }
}

export const catalogCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  renameCollection,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes
}
