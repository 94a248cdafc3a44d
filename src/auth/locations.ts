/**
 * Where a tenant may point Candor: S3 locations (a bucket and a key prefix). POST /analyze
 * checks these before any S3 call, so a tenant can never make the service read an object its
 * own credentials reach but the tenant should not.
 */
export interface S3Location { bucket: string, prefix: string }

export class LocationRefused extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LocationRefused'
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

/**
 * Throws LocationRefused unless bucket/key lies under one of the allowed locations. Keys with
 * '.' or '..' segments, empty segments or control characters are refused outright: some S3
 * servers and proxies normalise them, which would step outside a prefix.
 */
export function checkLocation (allowed: readonly S3Location[], bucket: string, key: string): void {
  const segments = key.split('/')
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key) || segments.some((s) => s === '.' || s === '..') || key.startsWith('/') || key.includes('//')) {
    throw new LocationRefused(`s3_key "${key.slice(0, 200)}" is not a plain object key (no '.', '..' or empty path segments, backslashes or control characters)`)
  }
  if (allowed.some((location) => location.bucket === bucket && key.startsWith(location.prefix))) return
  const where = allowed.length > 0 ? allowed.map(describeLocation).join(', ') : 'none'
  throw new LocationRefused(`S3 location not allowed for this API key's tenant: ${bucket}/${key.slice(0, 200)} (allowed: ${where})`)
}

export function describeLocation (location: S3Location): string {
  return `${location.bucket}/${location.prefix}*`
}

/** "bucket/prefix" (prefix may be empty: the whole bucket) to a location; throws on bad input. */
export function parseLocation (raw: string): S3Location {
  const slash = raw.indexOf('/')
  const bucket = slash < 0 ? raw : raw.slice(0, slash)
  const prefix = slash < 0 ? '' : raw.slice(slash + 1)
  if (!BUCKET.test(bucket)) throw new Error(`"${raw}": "${bucket}" is not a valid S3 bucket name (write bucket/prefix)`)
  if (prefix.split('/').some((s, i, all) => s === '.' || s === '..' || (s === '' && i < all.length - 1))) {
    throw new Error(`"${raw}": the prefix must not contain '.', '..' or empty segments`)
  }
  return { bucket, prefix }
}

/** Validates locations read from the database (stored JSON is outside input too). */
export function toLocations (value: unknown): S3Location[] {
  if (!Array.isArray(value)) return []
  return value.filter((v): v is S3Location =>
    typeof v === 'object' && v !== null && typeof (v as S3Location).bucket === 'string' && typeof (v as S3Location).prefix === 'string')
}
