/**
 * Write-side document transformations: replacement, operator ($set, $inc, ...) and pipeline
 * updates, and the document an upsert inserts.
 *
 * mingo applies operators to the promoted view (JS numbers), which would silently turn a stored
 * Long or Double into whatever JS number serialises as. `retype` walks the result next to the
 * old typed document and the typed literals in the update to put the BSON number types back.
 */
import { Double, Long, ObjectId } from 'bson'
import type { Document } from 'bson'
// The root export registers every operator; 'mingo/updater' alone lacks e.g. $size in pipelines.
import { updateOne } from 'mingo'
import type { Modifier, PipelineStage } from 'mingo/updater'
import { CommandError } from './errors.js'
import { mingoOptions } from './query.js'
import type { ReadOptions } from './query.js'
import type { StoredDocument } from './storage.js'
import { decodeTyped, decodeView } from './storage.js'
import { formatValue, getField, isPlainObject, keyOf, MISSING, numericValue, setField } from './values.js'

/** One update statement, decoded both ways (see values.ts). */
export interface UpdateInput {
  update: unknown
  typedUpdate: unknown
  arrayFilters?: Document[]
  options?: ReadOptions
}

const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith'])
const LITERAL_OPERATORS = ['$set', '$setOnInsert', '$inc', '$mul', '$min', '$max']
const ARITHMETIC_OPERATORS = ['$inc', '$mul']

type UpdateKind = 'replacement' | 'operators' | 'pipeline'

function classify (update: unknown): UpdateKind {
  if (Array.isArray(update)) {
    for (const stage of update) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined
      if (!name || !PIPELINE_STAGES.has(name)) {
        throw new CommandError('InvalidOptions', `${name ?? String(stage)} is not allowed to be used within an update`)
      }
    }
    return 'pipeline'
  }
  if (!isPlainObject(update)) throw new CommandError('FailedToParse', 'Update argument must be either an object or an array')
  const keys = Object.keys(update)
  const operators = keys.filter((key) => key.startsWith('$'))
  if (operators.length === 0) return 'replacement'
  if (operators.length !== keys.length) {
    const field = keys.find((key) => !key.startsWith('$'))
    throw new CommandError('FailedToParse', `Unknown modifier: ${field}. Expected a valid update modifier or pipeline-style update specified as an array`)
  }
  return 'operators'
}

/** Puts `_id` first, as mongod stores it. */
function idFirst (document: Document, id: unknown): Document {
  const { _id: _ignored, ...rest } = document
  return { _id: id, ...rest }
}

function assertIdUnchanged (before: Document, after: Document): void {
  if (keyOf(before._id) !== keyOf(after._id)) {
    throw new CommandError(
      'ImmutableField',
      `Performing an update on the path '_id' would modify the immutable field '_id'`
    )
  }
}

/** Records every leaf of a typed literal under its full dotted path. */
function addHints (hints: Map<string, unknown>, path: string, value: unknown): void {
  if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) addHints(hints, `${path}.${key}`, item)
  else if (Array.isArray(value)) value.forEach((item, i) => addHints(hints, `${path}.${i}`, item))
  else hints.set(path, value)
}

interface TypeHints {
  literals: Map<string, unknown>
  arithmetic: Set<string>
}

function collectHints (typedModifier: Document, oldTyped: Document, newView: Document): TypeHints {
  const literals = new Map<string, unknown>()
  for (const operator of LITERAL_OPERATORS) {
    const fields = typedModifier[operator]
    if (isPlainObject(fields)) for (const [path, value] of Object.entries(fields)) addHints(literals, path, value)
  }
  if (isPlainObject(typedModifier.$rename)) {
    for (const [from, to] of Object.entries(typedModifier.$rename)) {
      const moved = getField(oldTyped, from)
      if (moved !== MISSING && typeof to === 'string') addHints(literals, to, moved)
    }
  }
  // Plain appends ({$push: {a: v}} or {$each: [...]} without modifiers) land at the array's end.
  if (isPlainObject(typedModifier.$push)) {
    for (const [path, value] of Object.entries(typedModifier.$push)) {
      const array = getField(newView, path)
      const hasEach = isPlainObject(value) && '$each' in value
      if (!Array.isArray(array) || (hasEach && Object.keys(value).length !== 1)) continue
      const items = hasEach ? (value.$each as unknown[]) : [value]
      items.forEach((item, i) => addHints(literals, `${path}.${array.length - items.length + i}`, item))
    }
  }
  const arithmetic = new Set<string>()
  for (const operator of ARITHMETIC_OPERATORS) {
    const fields = typedModifier[operator]
    if (isPlainObject(fields)) for (const path of Object.keys(fields)) arithmetic.add(path)
  }
  return { literals, arithmetic }
}

const bsonTypeOf = (value: unknown): string | undefined =>
  value !== null && typeof value === 'object' ? (value as { _bsontype?: string })._bsontype : undefined

function retypeNumber (value: number, old: unknown, hint: unknown, arithmetic: boolean): unknown {
  const same = (candidate: unknown) => bsonTypeOf(candidate) !== undefined && Object.is(numericValue(candidate), value)
  if (same(hint)) return hint
  if (same(old)) return old
  if (arithmetic) {
    // MongoDB's result type for $inc/$mul: Double wins, then Long; int32 overflow widens to Long.
    const types = [bsonTypeOf(old), bsonTypeOf(hint)]
    if (types.includes('Double')) return new Double(value)
    const outsideInt32 = Number.isInteger(value) && (value > 0x7fffffff || value < -0x80000000)
    if (types.includes('Long') || outsideInt32) return Long.fromNumber(value)
  }
  return value
}

function retype (value: unknown, old: unknown, hints: TypeHints, path: string): unknown {
  const child = (key: string | number) => (path ? `${path}.${key}` : String(key))
  if (Array.isArray(value)) {
    return value.map((item, i) => retype(item, Array.isArray(old) ? old[i] : undefined, hints, child(i)))
  }
  if (isPlainObject(value)) {
    const out: Document = {}
    for (const [key, item] of Object.entries(value)) {
      out[key] = retype(item, isPlainObject(old) ? old[key] : undefined, hints, child(key))
    }
    return out
  }
  if (typeof value === 'number') return retypeNumber(value, old, hints.literals.get(path), hints.arithmetic.has(path))
  return value
}

/** Runs a mingo operator or pipeline update on a mutable view and returns the result. */
function runMingo (view: Document, modifier: unknown, condition: Document, input: UpdateInput): Document {
  const documents = [view]
  updateOne(
    documents,
    condition,
    modifier as Modifier<Document> | PipelineStage[],
    { arrayFilters: input.arrayFilters, ...(input.options?.variables ? { let: input.options.variables } : {}) },
    mingoOptions(input.options)
  )
  return documents[0]
}

function withoutSetOnInsert (modifier: unknown): Document {
  const { $setOnInsert: _ignored, ...rest } = modifier as Document
  return rest
}

const touchesId = (path: string) => path === '_id' || path.startsWith('_id.')

/**
 * mingo refuses every operator on `_id`, while MongoDB allows `$set` of `_id` to its current
 * value (and to anything when an upsert inserts). Splits such assignments out of a modifier;
 * `_id` is the value assigned, or MISSING. Any other operator on `_id` is ImmutableField.
 */
function splitIdAssignment (modifier: Document): { rest: Document, id: unknown } {
  let id: unknown = MISSING
  const rest: Document = {}
  for (const [operator, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) {
      rest[operator] = fields
      continue
    }
    const kept: Document = {}
    for (const [path, value] of Object.entries(fields)) {
      if (!touchesId(path)) kept[path] = value
      else if (path === '_id' && (operator === '$set' || operator === '$setOnInsert')) id = value
      else throw new CommandError('ImmutableField', `Performing an update on the path '${path}' would modify the immutable field '_id'`)
    }
    rest[operator] = kept
  }
  return { rest, id }
}

/** Applies an update statement to a stored document; returns the new typed document. */
export function applyUpdate (existing: StoredDocument, filter: Document, input: UpdateInput): Document {
  const kind = classify(input.update)
  if (kind === 'replacement') {
    const replacement = input.typedUpdate as Document
    if ('_id' in replacement && keyOf(replacement._id) !== existing.id) {
      throw new CommandError(
        'ImmutableField',
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue((input.update as Document)._id)}`
      )
    }
    return idFirst(replacement, existing.typedId)
  }
  let modifier = input.update
  if (kind === 'operators') {
    const { rest, id } = splitIdAssignment(withoutSetOnInsert(input.update))
    if (id !== MISSING && keyOf(id) !== existing.id) {
      throw new CommandError('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`)
    }
    modifier = rest
  }
  const oldTyped = decodeTyped(existing)
  const typedModifier = kind === 'operators' ? withoutSetOnInsert(input.typedUpdate) : {}
  const view = runMingo(decodeView(existing), modifier, filter, input)
  assertIdUnchanged(existing.view, view)
  const next = retype(view, oldTyped, collectHints(typedModifier, oldTyped, view), '') as Document
  return idFirst(next, oldTyped._id)
}

/** Equality conditions of a filter become the starting fields of an upserted document. */
function seedFromFilter (filter: Document): Document {
  const seed: Document = {}
  const visit = (clause: Document) => {
    for (const [key, value] of Object.entries(clause)) {
      if (key === '$and' && Array.isArray(value)) value.filter(isPlainObject).forEach(visit)
      else if (key.startsWith('$')) continue
      else if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
        if ('$eq' in value) setField(seed, key, value.$eq)
      } else setField(seed, key, value)
    }
  }
  visit(filter)
  return seed
}

/** The document an upsert inserts when nothing matched `filter`. */
export function buildUpsert (filter: Document, typedFilter: Document, input: UpdateInput): Document {
  const kind = classify(input.update)
  let next: Document
  if (kind === 'replacement') {
    next = { ...(input.typedUpdate as Document) }
    if (!('_id' in next)) {
      const seededId = seedFromFilter(typedFilter)._id
      if (seededId !== undefined) next._id = seededId
    }
  } else {
    const seedTyped = seedFromFilter(typedFilter)
    let view = seedFromFilter(filter)
    if (kind === 'operators') {
      // An assigned _id seeds the document; $setOnInsert applies here, as a second $set.
      const { rest, id } = splitIdAssignment(input.update as Document)
      if (id !== MISSING) {
        view = idFirst(view, id)
        seedTyped._id = splitIdAssignment(input.typedUpdate as Document).id
      }
      const { $setOnInsert: insertOnly, ...main } = rest
      view = runMingo(view, main, {}, input)
      if (isPlainObject(insertOnly)) view = runMingo(view, { $set: insertOnly }, {}, input)
    } else {
      view = runMingo(view, input.update, {}, input)
    }
    const typedModifier = kind === 'operators' ? (input.typedUpdate as Document) : {}
    const hints = collectHints(typedModifier, seedTyped, view)
    for (const [path, value] of Object.entries(seedTyped)) addHints(hints.literals, path, value)
    next = retype(view, seedTyped, hints, '') as Document
  }
  return idFirst(next, next._id ?? new ObjectId())
}
