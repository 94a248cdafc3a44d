import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { DestinationStream } from 'pino'
import { buildApp, type App } from '../../src/app.js'
import { migrate } from '../../src/db/migrate.js'
import { SCOPES, type Scope } from '../../src/auth/api-key.js'
import type { S3Location } from '../../src/auth/locations.js'
import { testEnvironment, waitFor, type TestContext, type TestEnvironment } from './environment.js'

/** app.inject with an API key's Authorization header (headers given by the caller win). */
export type Api = (options: InjectOptions) => Promise<LightMyRequestResponse>

export interface Caller { key: string, authorization: string, api: Api }

/** A key (and its tenant, created or updated) for calling the app as that tenant. */
export async function callerFor (app: App, tenantId: string, options: { scopes?: Scope[], locations?: S3Location[], maxActive?: number } = {}): Promise<Caller> {
  await app.tenants.upsertTenant(tenantId, {
    ...(options.locations ? { allowedLocations: options.locations } : {}),
    ...(options.maxActive !== undefined ? { maxActiveAnalyses: options.maxActive } : {})
  })
  const { key } = await app.tenants.createKey({ tenantId, scopes: options.scopes ?? [...SCOPES] })
  const authorization = `Bearer ${key}`
  return { key, authorization, api: (request) => app.inject({ ...request, headers: { authorization, ...request.headers } }) }
}

/**
 * The whole app on isolated real services, migrated and ready; closed when the test ends.
 * `api` calls it as the tenant "tenant-a", allowed to use the whole uploads bucket.
 */
export async function testApp (t: TestContext, env: Record<string, string> = {}, extend?: (app: App) => void, logTo?: DestinationStream): Promise<TestEnvironment & { app: App } & Caller> {
  const environment = await testEnvironment(t, { mongo: true, env, ...(logTo ? { logTo } : {}) })
  await migrate(environment.config.mariadb.url)
  const app = await buildApp(environment.config, environment.logger)
  t.teardown(() => app.close())
  extend?.(app)
  await app.ready()
  const caller = await callerFor(app, 'tenant-a', { locations: [{ bucket: environment.config.s3.uploadsBucket, prefix: '' }] })
  return { ...environment, app, ...caller }
}

/** Polls GET /analysis/:id until the analysis is completed or failed. */
export async function pollUntilDone (api: Api, id: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
  return waitFor(`analysis ${id} to finish`, async () => {
    const body = (await api({ url: `/analysis/${id}` })).json()
    return body.status === 'completed' || body.status === 'failed' ? body : undefined
  }, timeoutMs, 250)
}
