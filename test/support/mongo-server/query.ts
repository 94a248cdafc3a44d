/**
 * Read-side semantics: filters (mingo), sorting (our own BSON comparator, so mixed types and
 * compound keys order as in MongoDB) and find projections (applied to the typed document so
 * BSON types survive; projections with operators/expressions fall back to mingo).
 */
import type { Document } from 'bson'
import { Query } from 'mingo'
import type { Options as MingoOptions } from 'mingo/types'
import { CommandError } from './errors.js'
import type { Collection, StoredDocument } from './storage.js'
import { decodeTyped } from './storage.js'
import { collectValues, compareValues, isPlainObject, keyOf, MISSING } from './values.js'

export interface ReadOptions {
  collation?: Document
  /** The command's `let` variables. */
  variables?: Document
}

/** mingo options matching server behaviour: no server-side JavaScript ($where, $function). */
export function mingoOptions (options: ReadOptions = {}): Partial<MingoOptions> {
  return {
    scriptEnabled: false,
    ...(options.collation ? { collation: options.collation as unknown as MingoOptions['collation'] } : {}),
    ...(options.variables ? { variables: options.variables } : {})
  }
}

export function compileFilter (filter: unknown, options: ReadOptions = {}): Query {
  if (filter === undefined || filter === null) return new Query({}, mingoOptions(options))
  if (!isPlainObject(filter)) throw new CommandError('TypeMismatch', 'filter must be an object')
  return new Query(filter, mingoOptions(options))
}

/**
 * Documents of `collection` (in natural order) that match `filter`. An equality on `_id` is
 * looked up directly, so upsert-by-_id batches do not scan the collection per statement.
 */
export function matching (collection: Collection | undefined, filter: unknown, options: ReadOptions = {}): StoredDocument[] {
  const query = compileFilter(filter, options)
  if (!collection) return []
  const id = isPlainObject(filter) ? filter._id : undefined
  const direct = id !== undefined && !(id instanceof RegExp) && !(isPlainObject(id) && Object.keys(id).some((key) => key.startsWith('$')))
  const candidates = direct ? [collection.byId(keyOf(id))].filter((document) => document !== undefined) : collection.all()
  return candidates.filter((document) => query.test(document.view))
}

/** Parses a sort specification into [path, direction] pairs. */
function parseSort (sort: Document): [string, 1 | -1][] {
  return Object.entries(sort).map(([path, direction]) => {
    if (direction === 1 || direction === -1) return [path, direction]
    if (isPlainObject(direction) && '$meta' in direction) {
      throw new CommandError('NotImplemented', `$meta sort (${path}) is not supported by the test double`)
    }
    throw new CommandError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending)`)
  })
}

/**
 * Stable sort by a compound key. For array fields MongoDB sorts by the smallest element when
 * ascending and the largest when descending; missing fields sort as null.
 */
export function sortDocuments (documents: StoredDocument[], sort: Document | undefined): StoredDocument[] {
  if (!sort || Object.keys(sort).length === 0) return documents
  const spec = parseSort(sort)
  const keyed = documents.map((document) => ({
    document,
    keys: spec.map(([path, direction]) => {
      const values = collectValues(document.view, path)
      if (values.length === 0) return MISSING
      return values.reduce((best, value) => (compareValues(value, best) * direction < 0 ? value : best))
    })
  }))
  keyed.sort((a, b) => {
    for (let i = 0; i < spec.length; i++) {
      const result = compareValues(a.keys[i], b.keys[i]) * spec[i][1]
      if (result !== 0) return result
    }
    return 0
  })
  return keyed.map((entry) => entry.document)
}

type PathTree = { [field: string]: PathTree | true }

function buildTree (paths: string[]): PathTree {
  const tree: PathTree = {}
  for (const path of paths) {
    const parts = path.split('.')
    let node = tree
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = true
      else {
        const next = node[part]
        if (next === true) return
        node = node[part] = next ?? {}
      }
    })
  }
  return tree
}

function includeFields (value: unknown, tree: PathTree): unknown {
  if (Array.isArray(value)) {
    return value.map((element) => includeFields(element, tree)).filter((element) => element !== undefined)
  }
  if (!isPlainObject(value)) return undefined
  const out: Document = {}
  for (const [key, item] of Object.entries(value)) {
    const node = tree[key]
    if (node === true) out[key] = item
    else if (node) {
      const projected = includeFields(item, node)
      if (projected !== undefined) out[key] = projected
    }
  }
  return out
}

function excludeFields (value: unknown, tree: PathTree): unknown {
  if (Array.isArray(value)) return value.map((element) => excludeFields(element, tree))
  if (!isPlainObject(value)) return value
  const out: Document = {}
  for (const [key, item] of Object.entries(value)) {
    const node = tree[key]
    if (node === true) continue
    out[key] = node ? excludeFields(item, node) : item
  }
  return out
}

/** Builds a function projecting one stored document into the document to return. */
export function compileProjection (
  projection: Document | undefined,
  filter: unknown,
  options: ReadOptions = {}
): (document: StoredDocument) => Document {
  if (!projection || Object.keys(projection).length === 0) return decodeTyped
  const entries = Object.entries(projection)
  const isFlag = (value: unknown) => typeof value === 'number' || typeof value === 'boolean'
  if (!entries.every(([, value]) => isFlag(value))) {
    // Operators ($slice, $elemMatch, positional) and expressions: mingo evaluates them on the
    // promoted view, so numbers in the result lose Long/Double wrappers (see README).
    const query = compileFilter(filter ?? {}, options)
    return (document) => {
      const { _id, ...rest } = query.find<Document>([document.view], projection).all()[0] ?? {}
      return _id === undefined ? rest : { _id, ...rest } // mongod keeps _id first
    }
  }

  const excludeId = entries.some(([key, value]) => key === '_id' && !value)
  const others = entries.filter(([key]) => key !== '_id')
  const includes = others.filter(([, value]) => Boolean(value)).map(([key]) => key)
  const excludes = others.filter(([, value]) => !value).map(([key]) => key)
  if (includes.length > 0 && excludes.length > 0) {
    throw new CommandError('BadValue', `Cannot do exclusion on field ${excludes[0]} in inclusion projection`)
  }
  const idOnly = includes.length === 0 && excludes.length === 0 && !excludeId
  if (includes.length > 0 || idOnly) {
    const tree = buildTree(excludeId ? includes : ['_id', ...includes])
    return (document) => includeFields(decodeTyped(document), tree) as Document
  }
  const tree = buildTree(excludeId ? ['_id', ...excludes] : excludes)
  return (document) => excludeFields(decodeTyped(document), tree) as Document
}
