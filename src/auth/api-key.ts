/**
 * API keys: `cnd_<id>_<secret>`. The id (16 lowercase hex characters) is public and finds the
 * key's row; the secret (32 random bytes, base64url) is shown once at creation and only its
 * SHA-256 is stored. Comparison is in constant time. A fast hash is enough: the secret has 256
 * bits of entropy, so there is nothing for a slow hash to protect against guessing.
 */
import crypto from 'node:crypto'

export const SCOPES = ['analyses:read', 'analyses:write'] as const
export type Scope = typeof SCOPES[number]

const KEY_PATTERN = /^cnd_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

export interface ParsedKey { id: string, secret: string }

export interface NewKey { id: string, key: string, secretHash: Buffer }

export function generateKey (): NewKey {
  const id = crypto.randomBytes(8).toString('hex')
  const secret = crypto.randomBytes(32).toString('base64url')
  return { id, key: `cnd_${id}_${secret}`, secretHash: hashSecret(secret) }
}

/** The key from an `Authorization: Bearer <key>` header; null when absent or malformed. */
export function keyFromAuthorization (header: string | undefined): ParsedKey | null {
  if (typeof header !== 'string') return null
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
  return match ? parseKey(match[1]!) : null
}

export function parseKey (key: string): ParsedKey | null {
  const match = KEY_PATTERN.exec(key)
  return match ? { id: match[1]!, secret: match[2]! } : null
}

export function hashSecret (secret: string): Buffer {
  return crypto.createHash('sha256').update(secret, 'utf8').digest()
}

/** Constant time in the secret: both sides are 32-byte digests. */
export function secretMatches (secret: string, storedHash: Buffer): boolean {
  const given = hashSecret(secret)
  return storedHash.length === given.length && crypto.timingSafeEqual(given, storedHash)
}

export function parseScopes (raw: string): Scope[] {
  const scopes = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s))
  if (unknown.length > 0) throw new Error(`unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}: known scopes are ${SCOPES.join(', ')}`)
  if (scopes.length === 0) throw new Error(`no scopes given: choose from ${SCOPES.join(', ')}`)
  return [...new Set(scopes)] as Scope[]
}
