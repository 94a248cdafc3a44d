/**
 * BSON value helpers shared by storage, queries and updates.
 *
 * Documents exist in two decodings of the same bytes:
 * - "typed" (promoteValues: false): Int32/Double/Long stay wrapper objects, so what we send back
 *   has exactly the BSON types the client stored;
 * - "view" (promoted): numbers are JS numbers, which is what mingo can match, sort and compute on.
 */
import { ObjectId } from 'bson'
import type { Binary, Document, DeserializeOptions, Long } from 'bson'

export const TYPED: DeserializeOptions = { promoteValues: false, promoteBuffers: false }
export const VIEW: DeserializeOptions = { promoteValues: true, promoteLongs: true, promoteBuffers: false }

/** Marks a path that does not exist in a document (distinct from an explicit null). */
export const MISSING = Symbol('missing')

export function isPlainObject (value: unknown): value is Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function bsonType (value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const tag = (value as { _bsontype?: unknown })._bsontype
  return typeof tag === 'string' ? tag : undefined
}

/** Numeric value of a JS number or BSON numeric wrapper, or undefined for anything else. */
export function numericValue (value: unknown): number | undefined {
  if (typeof value === 'number') return value
  switch (bsonType(value)) {
    case 'Int32':
    case 'Double':
      return (value as { value: number }).value
    case 'Long':
      return (value as Long).toNumber()
    case 'Decimal128':
      return Number.parseFloat(String(value))
    default:
      return undefined
  }
}

/** Plain (non-array-traversing) field lookup by dotted path; MISSING when absent. */
export function getField (document: unknown, path: string): unknown {
  let current: unknown = document
  for (const part of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)]
    else if (isPlainObject(current) && Object.hasOwn(current, part)) current = current[part]
    else return MISSING
    if (current === undefined) return MISSING
  }
  return current
}

/**
 * All values a dotted path reaches, descending into arrays of subdocuments and expanding a
 * trailing array into its elements, the way MongoDB builds index and sort keys and `distinct`
 * results. Returns [] when the path reaches nothing.
 */
export function collectValues (value: unknown, path: string): unknown[] {
  const out: unknown[] = []
  const walk = (current: unknown, parts: string[]): void => {
    if (parts.length === 0) {
      if (Array.isArray(current)) out.push(...current)
      else if (current !== undefined) out.push(current)
      return
    }
    const [head, ...rest] = parts
    if (Array.isArray(current)) {
      if (/^\d+$/.test(head)) walk(current[Number(head)], rest)
      else for (const element of current) if (isPlainObject(element)) walk(element, parts)
    } else if (isPlainObject(current) && Object.hasOwn(current, head)) {
      walk(current[head], rest)
    }
  }
  walk(value, path.split('.'))
  return out
}

/** Canonical BSON type order used for sorting (MinKey < null < numbers < strings < ...). */
function typeRank (value: unknown): number {
  if (value === MISSING || value === undefined || value === null) return 1
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 2
    case 'string':
      return 3
    case 'boolean':
      return 8
  }
  if (Array.isArray(value)) return 5
  if (value instanceof Date) return 9
  if (value instanceof RegExp) return 11
  switch (bsonType(value)) {
    case 'MinKey':
      return 0
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 2
    case 'BSONSymbol':
      return 3
    case 'Binary':
      return 6
    case 'ObjectId':
      return 7
    case 'Timestamp':
      return 10
    case 'BSONRegExp':
      return 11
    case 'MaxKey':
      return 100
    case undefined:
      return 4 // plain embedded document
    default:
      return 12 // Code, DBRef, ...: rare enough to order among themselves by string form
  }
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0)

/** Total order over BSON values following MongoDB's comparison rules (collation ignored). */
export function compareValues (a: unknown, b: unknown): number {
  const rankA = typeRank(a)
  const rankB = typeRank(b)
  if (rankA !== rankB) return sign(rankA - rankB)
  switch (rankA) {
    case 0:
    case 1:
    case 100:
      return 0
    case 2: {
      if (bsonType(a) === 'Long' && bsonType(b) === 'Long') return (a as Long).compare(b as Long)
      const x = numericValue(a) as number
      const y = numericValue(b) as number
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1
      return sign(x - y)
    }
    case 3:
      // MongoDB compares strings by their UTF-8 bytes.
      return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)))
    case 4: {
      const entriesA = Object.entries(a as Document)
      const entriesB = Object.entries(b as Document)
      for (let i = 0; i < Math.min(entriesA.length, entriesB.length); i++) {
        const [keyA, valueA] = entriesA[i]
        const [keyB, valueB] = entriesB[i]
        const byType = sign(typeRank(valueA) - typeRank(valueB))
        if (byType !== 0) return byType
        const byKey = Buffer.compare(Buffer.from(keyA), Buffer.from(keyB))
        if (byKey !== 0) return byKey
        const byValue = compareValues(valueA, valueB)
        if (byValue !== 0) return byValue
      }
      return sign(entriesA.length - entriesB.length)
    }
    case 5: {
      const arrayA = a as unknown[]
      const arrayB = b as unknown[]
      for (let i = 0; i < Math.min(arrayA.length, arrayB.length); i++) {
        const result = compareValues(arrayA[i], arrayB[i])
        if (result !== 0) return result
      }
      return sign(arrayA.length - arrayB.length)
    }
    case 6: {
      const binA = a as Binary
      const binB = b as Binary
      return (
        sign(binA.position - binB.position) ||
        sign(binA.sub_type - binB.sub_type) ||
        Buffer.compare(binA.buffer.subarray(0, binA.position), binB.buffer.subarray(0, binB.position))
      )
    }
    case 7:
      return Buffer.compare((a as ObjectId).id, (b as ObjectId).id)
    case 8:
      return sign(Number(a) - Number(b))
    case 9:
      return sign((a as Date).getTime() - (b as Date).getTime())
    case 10:
      return (a as Long).compare(b as Long)
    default:
      return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)))
  }
}

/**
 * A string equal for two values exactly when MongoDB considers them equal in an index
 * (numbers compare by value across Int32/Double/Long; missing and null are the same key).
 */
export function keyOf (value: unknown): string {
  if (value === MISSING || value === undefined || value === null) return 'null'
  if (typeof value === 'string') return `s${JSON.stringify(value)}`
  if (typeof value === 'boolean') return `b:${value}`
  if (Array.isArray(value)) return `[${value.map(keyOf).join(',')}]`
  if (value instanceof Date) return `d:${value.getTime()}`
  if (value instanceof RegExp) return `r:/${value.source}/${value.flags}`
  const type = bsonType(value)
  if (typeof value === 'number' || type === 'Int32' || type === 'Double' || type === 'Decimal128') {
    const n = numericValue(value) as number
    return `n:${Object.is(n, -0) ? 0 : n}`
  }
  if (type === 'Long') {
    const long = value as Long
    const n = long.toNumber()
    return Number.isSafeInteger(n) ? `n:${n}` : `n:${long.toString()}`
  }
  if (type === 'ObjectId') return `o:${(value as ObjectId).toHexString()}`
  if (type === 'Binary') {
    const binary = value as Binary
    return `x:${binary.sub_type}:${Buffer.from(binary.buffer.subarray(0, binary.position)).toString('base64')}`
  }
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${keyOf(item)}`)
      .join(',')}}`
  }
  return `${type ?? 'unknown'}:${String(value)}`
}

/** Renders a value the way mongod prints it in duplicate-key messages. */
export function formatValue (value: unknown): string {
  if (value === MISSING || value === undefined || value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`
  if (value instanceof Date) return `new Date(${value.getTime()})`
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`
  if (isPlainObject(value)) {
    const fields = Object.entries(value).map(([key, item]) => `${key}: ${formatValue(item)}`)
    return fields.length ? `{ ${fields.join(', ')} }` : '{}'
  }
  const n = numericValue(value)
  return n === undefined ? String(value) : String(n)
}

/** Sets a dotted path, creating intermediate subdocuments (used to seed upserts). */
export function setField (document: Document, path: string, value: unknown): void {
  const parts = path.split('.')
  let current: Document = document
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(current[part])) current[part] = {}
    current = current[part] as Document
  }
  current[parts[parts.length - 1]] = value
}
