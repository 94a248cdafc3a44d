/**
 * npm run keys -- <command>: API keys and tenants.
 *
 *   create --tenant T [--scopes s1,s2] [--name N] [--rate-limit N] [--allow bucket/prefix ...]
 *          a new key (shown once); creates the tenant when missing, allowed by default to use
 *          <S3_BUCKET>/<tenant>/
 *   list [--tenant T]           keys (never their secrets)
 *   revoke KEY_ID               effective on the next request
 *   tenant T [--allow bucket/prefix ...] [--max-active N]   show or change a tenant
 *   tenants                     every tenant
 *
 * --json prints machine-readable output (scripts and tests use it).
 */
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../config.js'
import { createPool } from '../db/mariadb.js'
import { migrate } from '../db/migrate.js'
import { TenantRepository, type ApiKeyInfo, type Tenant } from '../repositories/tenants.js'
import { parseScopes, SCOPES } from '../auth/api-key.js'
import { describeLocation, parseLocation } from '../auth/locations.js'

const USAGE = `usage: npm run keys -- create --tenant T [--scopes ${SCOPES.join(',')}] [--name N] [--rate-limit N] [--allow bucket/prefix ...]
       npm run keys -- list [--tenant T]
       npm run keys -- revoke KEY_ID
       npm run keys -- tenant T [--allow bucket/prefix ...] [--max-active N]
       npm run keys -- tenants
(add --json for machine-readable output)`

class UsageError extends Error {}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        scopes: { type: 'string', default: SCOPES.join(',') },
        name: { type: 'string' },
        'rate-limit': { type: 'string' },
        allow: { type: 'string', multiple: true },
        'max-active': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(2)
  }
})()

if (values.help || positionals.length === 0) {
  console.log(USAGE)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfigOrExit()
const pool = createPool(config.mariadb.url, 2)
const tenants = new TenantRepository(pool)

function positiveInteger (raw: string | undefined, option: string): number | undefined {
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${option} must be a whole number >= 1, got "${raw}"`)
  return Number(raw)
}

function print (json: unknown, text: string): void {
  console.log(values.json ? JSON.stringify(json, null, 2) : text)
}

function tenantText (tenant: Tenant): string {
  const locations = tenant.allowedLocations.map(describeLocation).join(', ') || 'none'
  return `${tenant.id}: allowed ${locations}; max active analyses ${tenant.maxActiveAnalyses ?? `${config.tenants.maxActiveAnalyses} (default)`}`
}

function keyText (key: ApiKeyInfo): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : `active, last used ${key.lastUsedAt?.toISOString() ?? 'never'}`
  return `${key.id}  ${key.tenantId}  ${key.scopes.join(',')}  ${key.name ?? '-'}  ${state}`
}

async function run (command: string, args: string[]): Promise<void> {
  switch (command) {
    case 'create': {
      if (!values.tenant) throw new UsageError('create needs --tenant')
      const scopes = parseScopes(values.scopes)
      const rateLimitMax = positiveInteger(values['rate-limit'], 'rate-limit')
      const allow = values.allow?.map(parseLocation)
      let tenant = await tenants.getTenant(values.tenant)
      if (!tenant || allow) {
        tenant = await tenants.upsertTenant(values.tenant, {
          allowedLocations: allow ?? [{ bucket: config.s3.uploadsBucket, prefix: `${values.tenant}/` }]
        })
      }
      const { key, info } = await tenants.createKey({
        tenantId: tenant.id,
        scopes,
        ...(values.name ? { name: values.name } : {}),
        ...(rateLimitMax ? { rateLimitMax } : {})
      })
      print({ key, ...info, tenant }, `${key}\n\nThis is the only time the key is shown: store it now.\nkey id ${info.id}, tenant ${tenantText(tenant)}\nscopes ${info.scopes.join(', ')}\nUse it as: Authorization: Bearer ${key.slice(0, 24)}...`)
      return
    }
    case 'list': {
      const keys = await tenants.listKeys(values.tenant ? { tenantId: values.tenant } : {})
      print(keys, keys.length ? keys.map(keyText).join('\n') : 'no keys')
      return
    }
    case 'revoke': {
      const id = args[0]
      if (!id) throw new UsageError('revoke needs the key id (npm run keys -- list shows them)')
      const revoked = await tenants.revokeKey(id)
      if (!revoked && (await tenants.listKeys({ id })).length === 0) throw new UsageError(`no key with id ${id}`)
      print({ id, revoked }, revoked ? `revoked ${id}: it is refused from the next request on` : `${id} was already revoked`)
      return
    }
    case 'tenant': {
      const id = args[0]
      if (!id) throw new UsageError('tenant needs the tenant id')
      const maxActiveAnalyses = positiveInteger(values['max-active'], 'max-active')
      const changes = {
        ...(values.allow ? { allowedLocations: values.allow.map(parseLocation) } : {}),
        ...(maxActiveAnalyses ? { maxActiveAnalyses } : {})
      }
      const tenant = Object.keys(changes).length > 0 || !(await tenants.getTenant(id))
        ? await tenants.upsertTenant(id, changes)
        : (await tenants.getTenant(id))!
      print(tenant, tenantText(tenant))
      return
    }
    case 'tenants': {
      const all = await tenants.listTenants()
      print(all, all.length ? all.map(tenantText).join('\n') : 'no tenants')
      return
    }
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

try {
  await migrate(config.mariadb.url)
  await run(positionals[0]!, positionals.slice(1))
} catch (error) {
  console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : `keys: ${(error as Error).message}`)
  process.exitCode = error instanceof UsageError ? 2 : 1
} finally {
  await pool.end()
}
