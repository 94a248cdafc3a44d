/**
 * Writes: insert, update, delete, findAndModify. Batches follow mongod: each statement's
 * failure becomes a `writeErrors` entry (ok stays 1) and ordered batches stop at the first one.
 */
import { ObjectId } from 'bson'
import type { Document } from 'bson'
import { CommandError, toCommandError } from '../errors.js'
import { compileProjection, matching, sortDocuments } from '../query.js'
import type { Collection } from '../storage.js'
import { validateNamespace } from '../storage.js'
import { applyUpdate, buildUpsert } from '../update.js'
import type { UpdateInput } from '../update.js'
import { isPlainObject } from '../values.js'
import type { CommandContext, CommandHandler } from './context.js'
import { collectionArg, optionalDocument, readOptions, requiredArray } from './context.js'

/**
 * Runs each statement, collecting per-statement errors the way a write command reports them.
 * Returns the writeErrors array (empty when everything succeeded).
 */
function runBatch (context: CommandContext, count: number, statement: (index: number) => void): Document[] {
  const ordered = context.command.ordered !== false
  const writeErrors: Document[] = []
  for (let index = 0; index < count; index++) {
    try {
      statement(index)
    } catch (error) {
      writeErrors.push(toCommandError(error).toWriteError(index))
      if (ordered) break
    }
  }
  return writeErrors
}

/**
 * The target collection. It is created (implicitly, as in MongoDB) only when `ensure` is
 * called, i.e. when something is actually written.
 */
function writeTarget (context: CommandContext): { existing: () => Collection | undefined, ensure: () => Collection } {
  const name = collectionArg(context)
  validateNamespace(context.database, name)
  return {
    existing: () => context.store.getCollection(context.database, name),
    ensure: () => context.store.ensureCollection(context.database, name)
  }
}

function checkId (id: unknown): void {
  if (Array.isArray(id)) throw new CommandError('InvalidIdField', "The '_id' value cannot be of type array")
  if (id instanceof RegExp) throw new CommandError('InvalidIdField', "can't use a regex for _id")
}

function insert (context: CommandContext): Document {
  const documents = requiredArray(context, 'documents', context.typed)
  const collection = writeTarget(context).ensure()
  let n = 0
  const writeErrors = runBatch(context, documents.length, (index) => {
    const document = documents[index]
    if (!isPlainObject(document)) throw new CommandError('TypeMismatch', 'insert documents must be objects')
    checkId(document._id)
    // mongod generates missing _ids and always stores _id as the first field.
    const { _id, ...rest } = document
    collection.insert({ _id: _id === undefined ? new ObjectId() : _id, ...rest })
    n++
  })
  return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 }
}

function update (context: CommandContext): Document {
  const statements = requiredArray(context, 'updates')
  const typedStatements = requiredArray(context, 'updates', context.typed)
  const target = writeTarget(context)
  let n = 0
  let nModified = 0
  const upserted: Document[] = []
  const writeErrors = runBatch(context, statements.length, (index) => {
    const statement = statements[index]
    const typedStatement = typedStatements[index]
    if (!isPlainObject(statement) || !isPlainObject(typedStatement)) {
      throw new CommandError('TypeMismatch', 'update statements must be objects')
    }
    const filter = optionalDocument(context, 'q', statement) ?? {}
    const input: UpdateInput = {
      update: statement.u,
      typedUpdate: typedStatement.u,
      arrayFilters: statement.arrayFilters as Document[] | undefined,
      options: readOptions(context, statement)
    }
    const multi = statement.multi === true
    if (multi && isPlainObject(statement.u) && !Object.keys(statement.u).some((key) => key.startsWith('$'))) {
      throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update')
    }
    let matches = matching(target.existing(), filter, input.options)
    if (!multi) matches = sortDocuments(matches, optionalDocument(context, 'sort', statement)).slice(0, 1)
    if (matches.length === 0) {
      if (statement.upsert !== true) return
      const document = buildUpsert(filter, (typedStatement.q as Document | undefined) ?? {}, input)
      checkId(document._id)
      target.ensure().insert(document)
      n++
      upserted.push({ index, _id: document._id })
      return
    }
    for (const match of matches) {
      const next = applyUpdate(match, filter, input)
      n++
      if (target.ensure().replace(match, next).modified) nModified++
    }
  })
  return {
    n,
    nModified,
    ...(upserted.length ? { upserted } : {}),
    ...(writeErrors.length ? { writeErrors } : {}),
    ok: 1
  }
}

function deleteCommand (context: CommandContext): Document {
  const statements = requiredArray(context, 'deletes')
  const collection = context.store.getCollection(context.database, collectionArg(context))
  let n = 0
  const writeErrors = runBatch(context, statements.length, (index) => {
    const statement = statements[index]
    if (!isPlainObject(statement)) throw new CommandError('TypeMismatch', 'delete statements must be objects')
    const limit = statement.limit ?? 0
    if (limit !== 0 && limit !== 1) {
      throw new CommandError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${String(limit)}`)
    }
    const filter = optionalDocument(context, 'q', statement) ?? {}
    const matches = matching(collection, filter, readOptions(context, statement))
    for (const match of limit === 1 ? matches.slice(0, 1) : matches) {
      collection?.remove(match)
      n++
    }
  })
  return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 }
}

/** findOneAndUpdate / findOneAndReplace / findOneAndDelete. Errors fail the whole command. */
function findAndModify (context: CommandContext): Document {
  const { command, typed } = context
  const remove = command.remove === true
  const upsert = command.upsert === true
  if (remove && command.update !== undefined) {
    throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true')
  }
  if (!remove && command.update === undefined) {
    throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified')
  }
  if (remove && upsert) throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true')

  const target = writeTarget(context)
  const filter = optionalDocument(context, 'query') ?? {}
  const options = readOptions(context)
  const project = compileProjection(optionalDocument(context, 'fields'), filter, options)
  const [found] = sortDocuments(matching(target.existing(), filter, options), optionalDocument(context, 'sort'))

  if (remove) {
    if (!found) return { lastErrorObject: { n: 0 }, value: null, ok: 1 }
    const value = project(found)
    target.ensure().remove(found)
    return { lastErrorObject: { n: 1 }, value, ok: 1 }
  }

  const input: UpdateInput = {
    update: command.update,
    typedUpdate: typed.update,
    arrayFilters: command.arrayFilters as Document[] | undefined,
    options
  }
  if (found) {
    const { stored } = target.ensure().replace(found, applyUpdate(found, filter, input))
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(command.new === true ? stored : found),
      ok: 1
    }
  }
  if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 }
  const document = buildUpsert(filter, (typed.query as Document | undefined) ?? {}, input)
  checkId(document._id)
  const stored = target.ensure().insert(document)
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: document._id },
    value: command.new === true ? project(stored) : null,
    ok: 1
  }
}

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify
}
