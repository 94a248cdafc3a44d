/**
 * API keys and tenants against the real services: who may call what, what one tenant can see
 * of another's (nothing), where a tenant may point Candor, and per-key and per-tenant limits.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import os from 'node:os'
import t from 'tap'
import { testApp, callerFor } from '../helpers/app.js'
import { toWebm } from '../helpers/media.js'

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

t.test('API keys, scopes and tenant isolation', async (t) => {
  const { app, api, key, config, storage } = await testApp(t, { TENANT_MAX_ACTIVE_ANALYSES: '3' })
  const bucket = config.s3.uploadsBucket
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-auth-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const video = await fs.readFile(toWebm('video/single_face.mp4', path.join(dir, 'a.webm')))
  for (const name of ['a/1.webm', 'b/1.webm', 'a/2.webm', 'a/3.webm', 'a/4.webm']) await storage.put(bucket, name, video, 'video/webm')
  const body = (s3Key: string, session = 's1') => ({ s3_bucket: bucket, s3_key: s3Key, user_id: 'u1', session_id: session })

  const routes = [
    { method: 'POST' as const, url: '/analyze', payload: body('a/1.webm') },
    { method: 'GET' as const, url: '/analysis/recent' },
    { method: 'GET' as const, url: `/analysis/${UNKNOWN_ID}` },
    { method: 'GET' as const, url: `/analysis/${UNKNOWN_ID}/frames` },
    { method: 'GET' as const, url: `/analysis/${UNKNOWN_ID}/llm-comment` },
    { method: 'GET' as const, url: '/no-such-route' }
  ]

  t.test('no key, a malformed, a wrong or a revoked key: 401 with WWW-Authenticate, on every route', async (t) => {
    const [prefix, id] = /^(cnd_([0-9a-f]{16})_)/.exec(key)!.slice(1)
    const revoked = await callerFor(app, 'tenant-a')
    t.equal((await revoked.api({ url: '/analysis/recent' })).statusCode, 200, 'a fresh key works')
    await app.tenants.revokeKey(/^cnd_([0-9a-f]{16})_/.exec(revoked.key)![1]!)
    const attempts: Array<[string, string | undefined]> = [
      ['no key', undefined],
      ['not bearer', `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['malformed', 'Bearer not-a-key'],
      ['right id, wrong secret', `Bearer ${prefix}${'A'.repeat(43)}`],
      ['unknown id', `Bearer cnd_${'0'.repeat(16)}_${key.slice(-43)}`],
      ['revoked, effective at once', revoked.authorization]
    ]
    t.ok(id)
    for (const [what, authorization] of attempts) {
      for (const route of routes) {
        const reply = await app.inject({ ...route, headers: authorization === undefined ? {} : { authorization } })
        t.equal(reply.statusCode, 401, `${what}: ${route.method} ${route.url}`)
        t.match(reply.json(), { statusCode: 401, error: 'Unauthorized', message: String })
        t.match(reply.headers['www-authenticate'], /^Bearer realm="candor"/)
      }
    }
    const [{ n }] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses')
    t.equal(Number(n), 0, 'nothing was created without a valid key')
  })

  t.test('health and docs stay open; docs declare the scheme', async (t) => {
    t.equal((await app.inject({ url: '/health' })).statusCode, 200)
    t.ok([200, 503].includes((await app.inject({ url: '/health/ready' })).statusCode))
    const spec = (await app.inject({ url: '/docs/json' })).json()
    t.match(spec.components.securitySchemes.apiKey, { type: 'http', scheme: 'bearer' })
    t.same(spec.security, [{ apiKey: [] }], 'every route needs a key unless it says otherwise')
    t.same(spec.paths['/health'].get.security, [], '/health is declared open')
    t.match(spec.paths['/analyze'].post.responses, { 401: Object, 403: Object, 429: Object })
    const preflight = await app.inject({ method: 'OPTIONS', url: '/analyze', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } })
    t.equal(preflight.statusCode, 204, 'CORS preflight needs no key')
  })

  t.test('scopes: a read-only key cannot start analyses', async (t) => {
    const reader = await callerFor(app, 'tenant-a', { scopes: ['analyses:read'] })
    const reply = await reader.api({ method: 'POST', url: '/analyze', payload: body('a/1.webm') })
    t.equal(reply.statusCode, 403)
    t.match(reply.json().message, /lacks the scope analyses:write/)
    t.match(reply.headers['www-authenticate'], /insufficient_scope/)
    t.equal((await reader.api({ url: '/analysis/recent' })).statusCode, 200, 'but may read')
    const writer = await callerFor(app, 'tenant-a', { scopes: ['analyses:write'] })
    t.equal((await writer.api({ url: '/analysis/recent' })).statusCode, 403, 'a write-only key may not read')
  })

  t.test('another tenant sees nothing of this one', async (t) => {
    const posted = await api({ method: 'POST', url: '/analyze', payload: body('a/1.webm') })
    t.equal(posted.statusCode, 202, posted.body)
    const id = posted.json().analysis_id as string
    t.equal((await api({ url: `/analysis/${id}` })).statusCode, 200, 'the owner reads it')

    const other = await callerFor(app, 'tenant-b', { locations: [{ bucket, prefix: 'b/' }] })
    for (const suffix of ['', '/frames', '/llm-comment']) {
      const theirs = await other.api({ url: `/analysis/${id}${suffix}` })
      const unknown = await other.api({ url: `/analysis/${UNKNOWN_ID}${suffix}` })
      t.equal(theirs.statusCode, 404, `GET /analysis/:id${suffix} of another tenant`)
      t.equal(theirs.body.replace(id, 'ID'), unknown.body.replace(UNKNOWN_ID, 'ID'), `answered exactly as an unknown id${suffix}`)
    }
    t.same((await other.api({ url: '/analysis/recent' })).json().analyses, [], 'recent lists only the caller\'s tenant')
    t.same((await other.api({ url: '/analysis/recent?user_id=u1' })).json().analyses, [], 'user_id filters inside the tenant')
    t.equal((await api({ url: '/analysis/recent?user_id=u1' })).json().analyses.length, 1)

    t.test('idempotency keys are per tenant', async (t) => {
      const headers = { 'idempotency-key': 'same-key' }
      const mine = await api({ method: 'POST', url: '/analyze', headers, payload: body('a/2.webm', 's2') })
      const theirs = await other.api({ method: 'POST', url: '/analyze', headers, payload: body('b/1.webm', 's2') })
      t.equal(mine.statusCode, 202)
      t.equal(theirs.statusCode, 202, 'the same key in another tenant starts its own analysis')
      t.not(mine.json().analysis_id, theirs.json().analysis_id)
      const replay = await api({ method: 'POST', url: '/analyze', headers, payload: body('a/2.webm', 's2') })
      t.equal(replay.statusCode, 200)
      t.equal(replay.json().analysis_id, mine.json().analysis_id)
      const reused = await api({ method: 'POST', url: '/analyze', headers, payload: body('a/3.webm', 's3') })
      t.equal(reused.statusCode, 422, 'the same key for a different request is refused')
      t.match(reused.json().message, /Idempotency-Key "same-key" was already used for a different request/)
    })
  })

  t.test('allowed S3 locations: refused with 403 before any S3 call', async (t) => {
    const other = await callerFor(app, 'tenant-c', { locations: [{ bucket, prefix: 'b/' }] })
    const cases: Array<[string, object]> = [
      ['another prefix', body('a/1.webm')],
      ['another bucket (one that does not even exist: no S3 call was made)', { ...body('b/1.webm'), s3_bucket: 'candor-nowhere' }],
      ['a dot-dot escape', body('b/../a/1.webm')],
      ['a prefix without its slash', body('b')],
      ['a double slash', body('b//x.webm')]
    ]
    for (const [what, payload] of cases) {
      const reply = await other.api({ method: 'POST', url: '/analyze', payload })
      t.equal(reply.statusCode, 403, `${what}: ${reply.body}`)
      t.match(reply.json(), { statusCode: 403, error: 'Forbidden', message: /not allowed|not a plain object key/ })
    }
    const [{ n }] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analyses WHERE tenant_id = \'tenant-c\'')
    t.equal(Number(n), 0)
  })

  t.test('a tenant at its cap of queued + processing analyses gets 429 with Retry-After', async (t) => {
    // tenant-a has 2 queued (a/1, a/2); the cap is 3.
    const third = await api({ method: 'POST', url: '/analyze', payload: body('a/3.webm', 's9') })
    t.equal(third.statusCode, 202, third.body)
    const fourth = await api({ method: 'POST', url: '/analyze', payload: body('a/4.webm', 's9') })
    t.equal(fourth.statusCode, 429)
    t.match(fourth.json(), { statusCode: 429, error: 'Too Many Requests', message: /may have 3 queued or processing at once/ })
    t.equal(fourth.headers['retry-after'], '30')
    const replay = await api({ method: 'POST', url: '/analyze', payload: body('a/3.webm', 's9') })
    t.equal(replay.statusCode, 200, 'a replay of an accepted request is not refused')
    await app.mariadb.query('UPDATE analyses SET status = \'failed\' WHERE id = ?', [third.json().analysis_id])
    t.equal((await api({ method: 'POST', url: '/analyze', payload: body('a/4.webm', 's9') })).statusCode, 202, 'a finished one frees a place')
  })
})

t.test('rate limits are per key', async (t) => {
  const { app } = await testApp(t, { RATE_LIMIT_MAX: '1000' })
  const limited = await callerFor(app, 'tenant-a')
  await app.mariadb.query('UPDATE api_keys SET rate_limit_max = 3')
  const fresh = await callerFor(app, 'tenant-a')
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await limited.api({ url: '/analysis/recent', remoteAddress: '10.0.0.1' })).statusCode)
  t.same(statuses, [200, 200, 200, 429, 429], 'the key\'s own limit of 3')
  t.equal((await fresh.api({ url: '/analysis/recent', remoteAddress: '10.0.0.1' })).statusCode, 200, 'another key from the same address is counted apart')
})
