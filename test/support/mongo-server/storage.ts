/**
 * In-memory databases, collections and unique-index bookkeeping.
 *
 * Each document is kept as its BSON bytes (so nothing a handler or caller does to a decoded
 * object can change what is stored) plus a cached promoted "view" used for matching and keys.
 * The view is shared and must be treated as read-only; code that hands documents to mingo
 * operations that may mutate (updates, aggregation) decodes fresh copies instead.
 */
import { deserialize, serialize, UUID } from 'bson'
import type { Document } from 'bson'
import { Query } from 'mingo'
import { CommandError } from './errors.js'
import { collectValues, formatValue, keyOf, TYPED, VIEW } from './values.js'

export class StoredDocument {
  private cachedView?: Document

  constructor (
    /** keyOf(_id): identity of the document inside its collection. */
    readonly id: string,
    /** The `_id` exactly as stored, so replacements can keep it without decoding the document. */
    readonly typedId: unknown,
    readonly bytes: Buffer
  ) {}

  /**
   * Promoted decoding for mingo, sorting and index keys; decoded on first use (bulk writes
   * often overwrite a document before anything reads it) and then shared, so read-only.
   */
  get view (): Document {
    this.cachedView ??= deserialize(this.bytes, VIEW)
    return this.cachedView
  }
}

export function decodeTyped (document: StoredDocument): Document {
  return deserialize(document.bytes, TYPED)
}

/** A fresh, mutable promoted decoding. */
export function decodeView (document: StoredDocument): Document {
  return deserialize(document.bytes, VIEW)
}


class Index {
  readonly spec: Document
  readonly fields: string[]
  readonly unique: boolean
  private readonly sparse: boolean
  private readonly partial?: Query
  /** key string -> ids of documents holding it. Only maintained for unique indexes. */
  private readonly entries = new Map<string, Set<string>>()

  constructor (spec: Document) {
    this.spec = spec
    this.fields = Object.keys(spec.key as Document)
    this.unique = spec.unique === true || spec.name === '_id_'
    this.sparse = spec.sparse === true
    if (spec.partialFilterExpression) {
      this.partial = new Query(spec.partialFilterExpression as Document, { scriptEnabled: false })
    }
  }

  get name (): string {
    return this.spec.name as string
  }

  /** Index keys of a document: one per combination of (multikey-expanded) field values. */
  keys (document: StoredDocument): { key: string, values: unknown[] }[] {
    // The _id index needs no decoding: the document's identity is its key.
    if (this.name === '_id_') return [{ key: document.id, values: [document.typedId] }]
    const view = document.view
    if (this.partial && !this.partial.test(view)) return []
    const perField = this.fields.map((field) => collectValues(view, field))
    if (this.sparse && perField.every((values) => values.length === 0)) return []
    let tuples: unknown[][] = [[]]
    for (const values of perField) {
      const options = values.length > 0 ? values : [null]
      tuples = tuples.flatMap((tuple) => options.map((value) => [...tuple, value]))
    }
    const unique = new Map<string, unknown[]>()
    for (const values of tuples) unique.set(values.map(keyOf).join('|'), values)
    return [...unique].map(([key, values]) => ({ key, values }))
  }

  /** Throws DuplicateKey if `document` would collide with a document other than `selfId`. */
  check (namespace: string, document: StoredDocument, selfId?: string): void {
    if (!this.unique) return
    for (const { key, values } of this.keys(document)) {
      const owners = this.entries.get(key)
      if (owners && [...owners].some((owner) => owner !== selfId)) {
        throw this.duplicateKeyError(namespace, values)
      }
    }
  }

  add (document: StoredDocument): void {
    if (!this.unique) return
    for (const { key } of this.keys(document)) {
      const owners = this.entries.get(key) ?? new Set<string>()
      owners.add(document.id)
      this.entries.set(key, owners)
    }
  }

  remove (document: StoredDocument): void {
    if (!this.unique) return
    for (const { key } of this.keys(document)) {
      const owners = this.entries.get(key)
      owners?.delete(document.id)
      if (owners?.size === 0) this.entries.delete(key)
    }
  }

  private duplicateKeyError (namespace: string, values: unknown[]): CommandError {
    const keyValue: Document = {}
    this.fields.forEach((field, i) => (keyValue[field] = values[i] ?? null))
    const shown = this.fields.map((field, i) => `${field}: ${formatValue(values[i])}`).join(', ')
    return new CommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${namespace} index: ${this.name} dup key: { ${shown} }`,
      { keyPattern: this.spec.key as Document, keyValue }
    )
  }

  /** Whether another spec asks for the same index (same key and behaviour-relevant options). */
  sameAs (spec: Document): boolean {
    return (
      keyOf(this.spec.key) === keyOf(spec.key) &&
      Boolean(this.spec.unique) === Boolean(spec.unique) &&
      Boolean(this.spec.sparse) === Boolean(spec.sparse) &&
      keyOf(this.spec.partialFilterExpression) === keyOf(spec.partialFilterExpression)
    )
  }
}

export class Collection {
  readonly uuid = new UUID()
  /** Insertion-ordered, which gives MongoDB-like natural order for unsorted scans. */
  private readonly documents = new Map<string, StoredDocument>()
  private readonly indexList: Index[] = [new Index({ v: 2, key: { _id: 1 }, name: '_id_' })]

  constructor (
    readonly database: string,
    readonly name: string,
    readonly options: Document = {}
  ) {}

  get namespace (): string {
    return `${this.database}.${this.name}`
  }

  all (): StoredDocument[] {
    return [...this.documents.values()]
  }

  /** Lookup by keyOf(_id). */
  byId (id: string): StoredDocument | undefined {
    return this.documents.get(id)
  }

  /** `typed` must already carry its `_id` (first, as mongod stores it). */
  insert (typed: Document): StoredDocument {
    const stored = this.encode(typed)
    for (const index of this.indexList) index.check(this.namespace, stored)
    for (const index of this.indexList) index.add(stored)
    this.documents.set(stored.id, stored)
    return stored
  }

  /**
   * Replaces a document in place (keeping its natural-order position). `modified` is false,
   * and nothing is written, when the new bytes equal the old ones (mongod's nModified rule).
   */
  replace (previous: StoredDocument, typed: Document): { stored: StoredDocument, modified: boolean } {
    const stored = this.encode(typed)
    if (stored.bytes.equals(previous.bytes)) return { stored: previous, modified: false }
    for (const index of this.indexList) index.check(this.namespace, stored, previous.id)
    for (const index of this.indexList) index.remove(previous)
    for (const index of this.indexList) index.add(stored)
    this.documents.set(previous.id, stored)
    return { stored, modified: true }
  }

  remove (document: StoredDocument): void {
    for (const index of this.indexList) index.remove(document)
    this.documents.delete(document.id)
  }

  private encode (typed: Document): StoredDocument {
    return new StoredDocument(keyOf(typed._id), typed._id, Buffer.from(serialize(typed)))
  }

  indexes (): Document[] {
    return this.indexList.map((index) => index.spec)
  }

  private findIndex (nameOrKey: string | Document): Index | undefined {
    return typeof nameOrKey === 'string'
      ? this.indexList.find((index) => index.name === nameOrKey)
      : this.indexList.find((index) => keyOf(index.spec.key) === keyOf(nameOrKey))
  }

  /** Returns false when an identical index already exists (createIndexes is idempotent). */
  createIndex (spec: Document): boolean {
    const byName = this.findIndex(spec.name as string)
    if (byName) {
      if (byName.sameAs(spec)) return false
      throw new CommandError(
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. Requested index: ${formatValue(spec)}, existing index: ${formatValue(byName.spec)}`
      )
    }
    const byKey = this.findIndex(spec.key as Document)
    if (byKey) {
      throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${byKey.name}`)
    }
    // Build over existing data before registering, so a failed unique build leaves nothing behind.
    const index = new Index(spec)
    for (const document of this.documents.values()) {
      index.check(this.namespace, document, document.id)
      index.add(document)
    }
    this.indexList.push(index)
    return true
  }

  /** Drops the named (or key-matched) indexes; validates all first so a bad name drops nothing. */
  dropIndexes (targets: (string | Document)[]): void {
    const found = targets.map((target) => {
      const index = this.findIndex(target)
      if (!index) {
        const shown = typeof target === 'string' ? target : formatValue(target)
        throw new CommandError('IndexNotFound', `index not found with name [${shown}]`)
      }
      if (index.name === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index')
      return index
    })
    for (const index of found) this.indexList.splice(this.indexList.indexOf(index), 1)
  }

  dropAllIndexes (): void {
    this.indexList.splice(1)
  }
}

const INVALID_DB_CHARS = /[/\\. "$\0]/

export function validateNamespace (database: string, collection?: string): void {
  const dbOk = database.length > 0 && database.length < 64 && !INVALID_DB_CHARS.test(database)
  const collOk =
    collection === undefined ||
    (collection.length > 0 && !collection.includes('\0') && !collection.startsWith('.') && !collection.includes('$'))
  if (!dbOk || !collOk) {
    throw new CommandError('InvalidNamespace', `Invalid namespace specified '${database}.${collection ?? ''}'`)
  }
}

/** All data of one server instance, keyed by database then collection name. */
export class Store {
  private readonly databases = new Map<string, Map<string, Collection>>()

  databaseNames (): string[] {
    return [...this.databases.keys()]
  }

  collections (database: string): Collection[] {
    return [...(this.databases.get(database)?.values() ?? [])]
  }

  getCollection (database: string, name: string): Collection | undefined {
    return this.databases.get(database)?.get(name)
  }

  /** Writes and createIndexes create collections (and databases) implicitly, as in MongoDB. */
  ensureCollection (database: string, name: string): Collection {
    return this.getCollection(database, name) ?? this.createCollection(database, name, {})
  }

  createCollection (database: string, name: string, options: Document): Collection {
    validateNamespace(database, name)
    if (this.getCollection(database, name)) {
      throw new CommandError('NamespaceExists', `Collection ${database}.${name} already exists.`)
    }
    let collections = this.databases.get(database)
    if (!collections) {
      collections = new Map()
      this.databases.set(database, collections)
    }
    const collection = new Collection(database, name, options)
    collections.set(name, collection)
    return collection
  }

  dropCollection (database: string, name: string): Collection | undefined {
    const collections = this.databases.get(database)
    const collection = collections?.get(name)
    if (collections && collection) {
      collections.delete(name)
      if (collections.size === 0) this.databases.delete(database)
    }
    return collection
  }

  dropDatabase (database: string): void {
    this.databases.delete(database)
  }

  /** Moves a collection (documents and indexes) to a new namespace. */
  renameCollection (from: [string, string], to: [string, string], dropTarget: boolean): void {
    const source = this.getCollection(...from)
    if (!source) throw new CommandError('NamespaceNotFound', 'Source collection does not exist')
    validateNamespace(...to)
    if (this.getCollection(...to)) {
      if (!dropTarget) throw new CommandError('NamespaceExists', 'target namespace exists')
      this.dropCollection(...to)
    }
    const target = this.createCollection(to[0], to[1], source.options)
    for (const spec of source.indexes().slice(1)) target.createIndex(spec)
    for (const document of source.all()) target.insert(decodeTyped(document))
    this.dropCollection(...from)
  }
}
