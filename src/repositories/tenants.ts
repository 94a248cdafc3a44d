/**
 * Tenants and their API keys in MariaDB. Keys are looked up on every request (no cache), so a
 * revocation takes effect on the next request.
 */
import type { Pool } from '../db/mariadb.js'
import { generateKey, parseScopes, secretMatches, type ParsedKey, type Scope } from '../auth/api-key.js'
import { toLocations, type S3Location } from '../auth/locations.js'

export interface Tenant {
  id: string
  allowedLocations: S3Location[]
  maxActiveAnalyses: number | null
  createdAt: Date
}

export interface ApiKeyInfo {
  id: string
  tenantId: string
  name: string | null
  scopes: Scope[]
  rateLimitMax: number | null
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

/** Who is calling: the key's tenant and what the key may do. */
export interface Principal {
  keyId: string
  tenantId: string
  scopes: Scope[]
  rateLimitMax: number | null
}

export const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/

/** last_used_at is informational: written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000

export class TenantRepository {
  private readonly lastUsedWritten = new Map<string, number>()

  constructor (private readonly pool: Pool) {}

  /** Creates the tenant or changes what is given; returns it as stored. */
  async upsertTenant (id: string, changes: { allowedLocations?: S3Location[], maxActiveAnalyses?: number | null } = {}): Promise<Tenant> {
    if (!TENANT_ID.test(id)) throw new Error(`tenant id "${id}" must be 1-64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit`)
    await this.pool.query(
      `INSERT INTO tenants (id, allowed_locations, max_active_analyses) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE
         allowed_locations = IF(? IS NULL, allowed_locations, VALUES(allowed_locations)),
         max_active_analyses = IF(?, VALUES(max_active_analyses), max_active_analyses)`,
      [id, JSON.stringify(changes.allowedLocations ?? []), changes.maxActiveAnalyses ?? null,
        changes.allowedLocations ? 1 : null, changes.maxActiveAnalyses !== undefined])
    return (await this.getTenant(id))!
  }

  async getTenant (id: string): Promise<Tenant | null> {
    const [row] = await this.pool.query('SELECT * FROM tenants WHERE id = ?', [id])
    return row ? toTenant(row) : null
  }

  async listTenants (): Promise<Tenant[]> {
    return ((await this.pool.query('SELECT * FROM tenants ORDER BY id')) as Row[]).map(toTenant)
  }

  /** A new key for an existing tenant; the returned `key` is the only time the secret exists. */
  async createKey (input: { tenantId: string, scopes: Scope[], name?: string, rateLimitMax?: number }): Promise<{ key: string, info: ApiKeyInfo }> {
    if (!(await this.getTenant(input.tenantId))) throw new Error(`no tenant "${input.tenantId}"`)
    const scopes = parseScopes(input.scopes.join(','))
    const { id, key, secretHash } = generateKey()
    await this.pool.query(
      'INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, rate_limit_max) VALUES (?, ?, ?, ?, ?, ?)',
      [id, input.tenantId, input.name ?? null, scopes.join(','), secretHash, input.rateLimitMax ?? null])
    return { key, info: (await this.listKeys({ id }))[0]! }
  }

  async listKeys (filter: { tenantId?: string, id?: string } = {}): Promise<ApiKeyInfo[]> {
    const where: string[] = []
    const values: string[] = []
    if (filter.tenantId !== undefined) { where.push('tenant_id = ?'); values.push(filter.tenantId) }
    if (filter.id !== undefined) { where.push('id = ?'); values.push(filter.id) }
    const rows: Row[] = await this.pool.query(
      `SELECT id, tenant_id, name, scopes, rate_limit_max, created_at, last_used_at, revoked_at FROM api_keys
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY tenant_id, created_at`, values)
    return rows.map(toKeyInfo)
  }

  /** True when a live key was revoked now. */
  async revokeKey (id: string): Promise<boolean> {
    const result = await this.pool.query('UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND revoked_at IS NULL', [id])
    return Number(result.affectedRows) === 1
  }

  /** The caller behind a well-formed key, or null for an unknown, revoked or wrong one. */
  async authenticate (key: ParsedKey): Promise<Principal | null> {
    const [row] = await this.pool.query(
      'SELECT id, tenant_id, scopes, secret_hash, rate_limit_max FROM api_keys WHERE id = ? AND revoked_at IS NULL', [key.id])
    if (!row || !secretMatches(key.secret, row.secret_hash as Buffer)) return null
    this.noteUse(key.id)
    return { keyId: key.id, tenantId: String(row.tenant_id), scopes: parseScopes(String(row.scopes)), rateLimitMax: numberOrNull(row.rate_limit_max) }
  }

  private noteUse (id: string): void {
    const now = Date.now()
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return
    this.lastUsedWritten.set(id, now)
    this.pool.query('UPDATE api_keys SET last_used_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [id]).catch(() => {})
  }
}

type Row = Record<string, unknown>

function numberOrNull (value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}

function toTenant (row: Row): Tenant {
  const locations = typeof row.allowed_locations === 'string' ? JSON.parse(row.allowed_locations) as unknown : row.allowed_locations
  return {
    id: String(row.id),
    allowedLocations: toLocations(locations),
    maxActiveAnalyses: numberOrNull(row.max_active_analyses),
    createdAt: row.created_at as Date
  }
}

function toKeyInfo (row: Row): ApiKeyInfo {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: row.name === null ? null : String(row.name),
    scopes: parseScopes(String(row.scopes)),
    rateLimitMax: numberOrNull(row.rate_limit_max),
    createdAt: row.created_at as Date,
    lastUsedAt: (row.last_used_at as Date | null) ?? null,
    revokedAt: (row.revoked_at as Date | null) ?? null
  }
}
