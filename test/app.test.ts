import t from 'tap'
import { testApp } from './helpers/app.js'
import { waitFor } from './helpers/environment.js'

t.test('HTTP surface', async (t) => {
  // A route with a JSON body schema, to see how body errors are answered.
  const { app, api } = await testApp(t, { RATE_LIMIT_MAX: '8', RATE_LIMIT_WINDOW_MS: '60000' }, (app) => {
    app.post('/echo', {
      config: { access: 'public' },
      schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } } }
    }, async (request) => request.body)
  })

  t.test('liveness', async (t) => {
    const response = await app.inject({ url: '/health' })
    t.equal(response.statusCode, 200)
    t.match(response.json(), { status: 'ok', version: /^\d+\.\d+\.\d+$/ })
  })

  t.test('readiness checks every dependency for real', async (t) => {
    const body = await waitFor<ReturnType<typeof JSON.parse>>('all dependencies up', async () => {
      const response = await api({ url: '/health/ready' })
      return response.statusCode === 200 ? response.json() : undefined
    }, 20_000, 250)
    t.equal(body.status, 'ready')
    const names = body.dependencies.map((d: { name: string }) => d.name).sort()
    t.same(names, ['ffmpeg', 'mariadb', 'models', 'mongodb', 'redis', 's3'])
    for (const dependency of body.dependencies) {
      t.equal(dependency.status, 'up', dependency.name)
      t.type(dependency.latency_ms, 'number')
    }
    t.match(body.dependencies.find((d: { name: string }) => d.name === 'mariadb').detail, /MariaDB/)

    const anonymous = (await app.inject({ url: '/health/ready' })).json()
    t.equal(anonymous.status, 'ready', 'open to probes without a key')
    t.same(anonymous.dependencies, body.dependencies.map(({ name, status }: { name: string, status: string }) => ({ name, status })),
      'without a key: names and states only, no versions, latencies or errors')
  })

  t.test('health checks are not rate limited', async (t) => {
    const statuses = await Promise.all(Array.from({ length: 12 }, () => app.inject({ url: '/health' }).then((r) => r.statusCode)))
    t.ok(statuses.every((s) => s === 200))
  })

  t.test('OpenAPI document and UI at /docs', async (t) => {
    const spec = (await app.inject({ url: '/docs/json' })).json()
    t.equal(spec.openapi, '3.1.0')
    t.ok(spec.paths['/health'].get, '/health documented')
    t.ok(spec.paths['/health/ready'].get.responses['503'], 'readiness 503 documented')
    t.ok(spec.components.schemas.ErrorResponse, 'the error shape is a named schema')
    const ui = await app.inject({ url: '/docs' })
    t.equal(ui.statusCode, 200)
    t.match(ui.headers['content-type'], /text\/html/)
    t.match(ui.body, /swagger-ui/)
    const script = await app.inject({ url: '/docs/static/swagger-initializer.js' })
    t.equal(script.statusCode, 200)
  })

  t.test('errors have one stable JSON shape and no stack traces', async (t) => {
    t.equal((await app.inject({ url: '/nope?x=1' })).statusCode, 401, 'without a key even unknown routes are refused: nothing to map')
    const notFound = await api({ url: '/nope?x=1' })
    t.equal(notFound.statusCode, 404)
    t.same(notFound.json(), { statusCode: 404, error: 'Not Found', message: 'Route GET /nope not found' })

    const badJson = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' })
    t.equal(badJson.statusCode, 400)
    t.match(badJson.json(), { statusCode: 400, error: 'Bad Request', message: /not valid JSON/ })

    const wrongType = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-unknown' }, payload: 'x' })
    t.equal(wrongType.statusCode, 415)
    t.match(wrongType.json(), { statusCode: 415, error: 'Unsupported Media Type', message: /Unsupported Media Type: application\/x-unknown/ })

    const invalid = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'a', extra: 1 } })
    t.equal(invalid.statusCode, 400)
    t.match(invalid.json(), { message: 'body must NOT have additional properties' }, 'unknown fields are rejected, not dropped')
    const missing = await app.inject({ method: 'POST', url: '/echo', payload: {} })
    t.match(missing.json(), { statusCode: 400, message: "body must have required property 'name'" })

    const tooBig = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'x'.repeat(2 * 1024 * 1024) } })
    t.equal(tooBig.statusCode, 413)

    for (const response of [notFound, badJson, wrongType, invalid, missing, tooBig]) {
      t.same(Object.keys(response.json()).sort(), ['error', 'message', 'statusCode'])
      t.notMatch(response.body, /at .+:\d+:\d+/)
    }
  })

  t.test('request ids are returned, and a well-formed caller id is kept', async (t) => {
    const generated = await app.inject({ url: '/health' })
    t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/)
    const given = await app.inject({ url: '/health', headers: { 'x-request-id': 'trace-123' } })
    t.equal(given.headers['x-request-id'], 'trace-123')
    const hostile = await app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\nwith newline' } })
    t.not(hostile.headers['x-request-id'], 'bad id\nwith newline')
  })

  t.test('security headers and CORS', async (t) => {
    const response = await app.inject({ url: '/health', headers: { origin: 'https://app.example' } })
    t.equal(response.headers['x-content-type-options'], 'nosniff')
    t.equal(response.headers['access-control-allow-origin'], '*')
    const preflight = await app.inject({ method: 'OPTIONS', url: '/echo', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } })
    t.equal(preflight.statusCode, 204)
  })

  t.test('the rate limit answers 429 in the same error shape, unknown routes included', async (t) => {
    let limited
    for (let i = 0; i < 20 && !limited; i++) {
      const response = await api({ url: '/does-not-exist', remoteAddress: '10.0.0.9' })
      if (response.statusCode === 429) limited = response
    }
    t.ok(limited, 'a client over the limit is refused')
    t.match(limited!.json(), { statusCode: 429, error: 'Too Many Requests', message: /Rate limit exceeded/ })
    t.ok(limited!.headers['retry-after'])
  })
})
