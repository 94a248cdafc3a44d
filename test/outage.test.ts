import t from 'tap'
import { testApp, callerFor } from './helpers/app.js'
import { waitFor, testEnvironment, uniqueName, dropDatabase } from './helpers/environment.js'
import { buildApp } from '../src/app.js'
import { freePort, PrivateRedis, Relay } from './helpers/processes.js'
import { enqueueAnalysis } from '../src/queue/analysis-queue.js'
import type { App } from '../src/app.js'

interface Dependency { name: string, status: string, error?: string }

async function readiness (app: App, authorization?: string): Promise<{ statusCode: number, down: Dependency[] }> {
  const response = await app.inject({ url: '/health/ready', headers: authorization ? { authorization } : {} })
  const body = response.json() as { dependencies: Dependency[] }
  return { statusCode: response.statusCode, down: body.dependencies.filter((d) => d.status === 'down') }
}

/** Waits until readiness has exactly the named dependencies down (none = 200). */
async function waitUntilDown (app: App, names: string[], authorization?: string, timeoutMs = 30_000) {
  return waitFor(names.length ? `${names.join(', ')} reported down` : 'everything up', async () => {
    const state = await readiness(app, authorization)
    const down = state.down.map((d) => d.name).sort()
    return JSON.stringify(down) === JSON.stringify([...names].sort()) ? state : undefined
  }, timeoutMs, 200)
}

t.test('Redis stopped and restarted while the API runs', async (t) => {
  const redis = new PrivateRedis(await freePort())
  await redis.start()
  t.teardown(() => redis.stop()) // teardowns run last-first: this one after the app has closed
  const { app, authorization } = await testApp(t, { REDIS_URL: redis.url })
  t.equal((await waitUntilDown(app, [])).statusCode, 200)

  await redis.stop()
  const outage = await waitUntilDown(app, ['redis'], authorization)
  t.equal(outage.statusCode, 503, 'readiness fails')
  t.match(outage.down[0]!.error, /ECONNREFUSED|Connection is closed|max retries|offline/i, 'and says why')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'liveness still answers')
  await t.rejects(enqueueAnalysis(app.analysisQueue, 'during-outage'), 'queueing fails fast instead of hanging')

  await redis.start()
  t.equal((await waitUntilDown(app, [])).statusCode, 200, 'ready again once Redis is back')
  await enqueueAnalysis(app.analysisQueue, 'after-outage')
  t.ok(await app.analysisQueue.getJob('after-outage'), 'the queue works again')
})

t.test('MariaDB unreachable at start-up, then arriving, then cut and restored', async (t) => {
  const relay = new Relay(await freePort(), { host: '127.0.0.1', port: 3306 })
  const direct = new URL(process.env.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/candor')
  direct.pathname = `/${uniqueName('candor_outage')}`
  const throughRelay = new URL(direct)
  throughRelay.port = String(relay.port)
  t.teardown(async () => {
    await relay.stop()
    await dropDatabase(direct.toString())
  })
  const { config, logger } = await testEnvironment(t, { mongo: true, env: { MARIADB_URL: throughRelay.toString() } })
  const app = await buildApp(config, logger)
  t.teardown(() => app.close())
  await app.ready()
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'the API starts and serves liveness without MariaDB')
  const atStart = await waitUntilDown(app, ['mariadb'])
  t.equal(atStart.down[0]!.error, undefined, 'why it is down is not told to an anonymous caller')

  await relay.start()
  t.equal((await waitUntilDown(app, [])).statusCode, 200, 'migrations run in the background once MariaDB arrives')
  const [row] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses')
  t.equal(Number(row.n), 0, 'the schema exists')
  const { api } = await callerFor(app, 'tenant-a')
  t.equal((await api({ url: '/analysis/recent' })).statusCode, 200)

  await relay.stop()
  t.equal((await waitUntilDown(app, ['mariadb'])).statusCode, 503, 'a cut connection is reported')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'liveness still answers')
  const unavailable = await api({ url: '/analysis/recent' })
  t.equal(unavailable.statusCode, 503, 'a request that needs MariaDB answers 503, not 500')
  t.same(unavailable.json(), { statusCode: 503, error: 'Service Unavailable', message: `MariaDB is unavailable or overloaded; retry shortly (request id ${unavailable.headers['x-request-id']})` })
  t.ok(unavailable.headers['retry-after'], 'with Retry-After')

  await relay.start()
  t.equal((await waitUntilDown(app, [])).statusCode, 200, 'the pool reconnects by itself')
})
