/**
 * Property-based fuzzing of every route (issue 8): hostile path parameters, query strings,
 * headers and bodies must never give a 5xx nor crash the app, and every 4xx must be the API's
 * error shape, { statusCode, error, message } and nothing else. The routes come from the app's
 * own route tree, their parameters and body schemas from its OpenAPI document, so a route added
 * later is fuzzed without changing this file.
 *
 * FUZZ_SEED replays a run (the seed is printed; a failure also prints fast-check's path), and
 * FUZZ_RUNS sets the runs per API route (default 250; unrouted requests and CORS preflights get
 * a quarter, HEAD twins, health and docs a twenty-fifth).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import fc from 'fast-check'
import t from 'tap'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { App } from '../../src/app.js'
import { testApp, callerFor } from '../helpers/app.js'
import { fixtures, waitFor } from '../helpers/environment.js'

const SEED = envInteger('FUZZ_SEED', 20_240_808)
const RUNS = envInteger('FUZZ_RUNS', 250)
const BODY_LIMIT = 1024 * 1024

function envInteger (name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not "${process.env[name]}"`)
  return value
}

interface Route { method: string, url: string }

/** The parts of an OpenAPI schema the generators understand. */
interface Schema {
  type?: string
  enum?: unknown[]
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  properties?: Record<string, Schema>
  required?: string[]
}
interface Parameter { in: 'path' | 'query' | 'header', name: string, schema: Schema }
interface Operation { parameters?: Parameter[], requestBody?: { content: Record<string, { schema: Schema }> }, security?: unknown[] }

/** Every method and URL pattern the app serves, read from its route tree (printRoutes). */
function routesOf (app: App): Route[] {
  const routes: Route[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[└├]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    stack.length = depth
    const url = (stack.at(-1) ?? '') + match[2]!
    stack.push(url)
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url })
  }
  return routes
}

// ---- Hostile building blocks --------------------------------------------------------------

/** The value one time in `n`, else undefined (absent). */
const oneIn = <T>(n: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })

const WEIRD = ['', ' ', '.', '..', '../..', '/', '%', '%00', '%zz', '%2F', '%2e%2e', '\u0000', '\r\n', '\uD800', '\uFEFF',
  '\u202E', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1.5', '1e309',
  '0x1F', '9007199254740993', 'true', '[]', '{}', '<script>', '\' OR 1=1 --', '${jndi:x}', '🙂', 'İ', 'ß', '\u0301']

/** Long strings of one character, up to 100k. */
const long = fc.tuple(fc.constantFrom(1_000, 10_000, 100_000), fc.constantFrom('a', 'é', '🙂', '\u0000', '%', '/', '.'))
  .map(([n, c]) => c.repeat(n))

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 3, arbitrary: fc.constantFrom(...WEIRD) },
  { weight: 1, arbitrary: long }
)

/** Numbers as a query string carries them, including the ones no parser should accept. */
const numeric = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('-0', '1e3', '2000', '2001', '100', '101', '0', ' 20', '20abc', '0b11', '1_000', '99999999999999999999999')
)

/** A lone surrogate cannot be percent-encoded as UTF-8: send the bytes a careless client would. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
function encode (value: string): string {
  return value.split(LONE_SURROGATE).map(encodeURIComponent).join('%ED%A0%80')
}
/** Percent-encoded, or raw as a hostile client might send it. */
const urlPart = (arbitrary: fc.Arbitrary<string>) => fc.tuple(arbitrary, fc.boolean()).map(([v, raw]) => (raw ? v : encode(v)))

/** Any JSON-ish value of the wrong kind for a field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3 }), fc.object({ maxDepth: 2 }), text, fc.double(), fc.integer(), fc.constant(null), fc.boolean(),
  fc.constantFrom(2 ** 53 + 1, -1, 1e308, 0.1)
)

// ---- Generators from the OpenAPI schemas --------------------------------------------------

/** Values that satisfy the schema (mostly), plus hints: real names that get past the checks. */
function validFor (schema: Schema, hint?: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const plain = plainValidFor(schema)
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: plain }) : plain
}

function plainValidFor (schema: Schema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum)
  switch (schema.type) {
    case 'integer': return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 })
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean': return fc.boolean()
    case 'object': return fc.dictionary(fc.string(), fc.anything({ maxDepth: 2 }), { maxKeys: 3 })
    case 'string':
      if (schema.format === 'uuid') return fc.uuid()
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern))
      return fc.string({ unit: 'grapheme', minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) })
    default: return fc.anything({ maxDepth: 2 })
  }
}

/** A value for a field: valid most of the time, so the other fields' checks are reached. */
const fieldValue = (schema: Schema, hint?: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 15, arbitrary: validFor(schema, hint) }, { weight: 1, arbitrary: wrongValue })

/** A body object shaped like the schema, with fields sometimes wrong, missing or unknown. */
function objectFor (schema: Schema, hints: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(schema.properties ?? {}).map(([name, field]) => {
    const value = field.type === 'object' && field.properties ? objectFor(field, hints) : fieldValue(field, hints[name])
    const required = schema.required?.includes(name) ?? false
    const pair = value.map((v) => [name, v] as const)
    return required ? fc.oneof({ weight: 30, arbitrary: pair }, { weight: 1, arbitrary: fc.constant(undefined) }) : oneIn(2, pair)
  })
  const unknown = oneIn(20, fc.dictionary(text, wrongValue, { minKeys: 1, maxKeys: 3 }))
  return fc.tuple(fc.tuple(...fields), unknown).map(([present, extra]) =>
    ({ ...Object.fromEntries(present.filter((p) => p !== undefined)), ...extra }))
}

/**
 * A query string: each of the route's own parameters, often absent, mostly with a good value;
 * sometimes a repeated or unknown parameter; keys and values percent-encoded or raw.
 */
function queryFor (parameters: Parameter[], hints: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string> {
  const value = (p: Parameter) => fc.oneof(
    { weight: 12, arbitrary: validFor(p.schema, hints[p.name]).map(String) }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: numeric })
  const pairs = parameters.map((p) => fc.tuple(
    fc.oneof({ weight: 10, arbitrary: fc.constant(p.name) }, { weight: 1, arbitrary: fc.constantFrom(`${p.name}[]`, `${p.name}[0]`) }),
    value(p)))
  const extra = fc.oneof(...pairs, fc.tuple(text, text))
  const all = fc.tuple(fc.tuple(...pairs.map((pair) => oneIn(2, pair))), oneIn(8, fc.array(extra, { minLength: 1, maxLength: 3 })))
    .map(([own, more]) => [...own, ...(more ?? [])].filter((p) => p !== undefined))
  return all.chain((list) => fc.tuple(...list.map(([k, v]) => fc.tuple(urlPart(fc.constant(k)), urlPart(fc.constant(v))))))
    .map((encoded) => encoded.map(([k, v]) => `${k}=${v}`).join('&'))
}

/** A path parameter: mostly plausible (so the route is reached), otherwise anything. */
function pathParameter (ids: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.uuid() },
    { weight: 4, arbitrary: fc.constantFrom(...ids) },
    { weight: 3, arbitrary: urlPart(text) },
    { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '..%2F..%2F', '%2F', 'a%2Fb', '%', '%zz', '%ED%A0%80', '%C0%AF', 'x'.repeat(10_000)) }
  )
}

/** The URL of a route pattern with its parameters (and wildcard) filled in. */
function urlFor (pattern: string, ids: string[]): fc.Arbitrary<string> {
  if (pattern === '*') return urlPart(text).map((p) => `/${p}`)
  const parts = pattern.split(/(:\w+|\*)/)
  return fc.tuple(...parts.map((part) => (part.startsWith(':') || part === '*' ? pathParameter(ids) : fc.constant(part))))
    .map((filled) => filled.join(''))
}

// ---- Headers and bodies -------------------------------------------------------------------

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=utf-16',
  'application/json;;', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/octet-stream', '*/*', 'application/', '']

interface Body { contentType?: string, payload?: string }

/** A body for any route: JSON shaped like the route's schema, wrong JSON, huge, deep, broken, not JSON. */
function bodyFor (schema: Schema | undefined, hints: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Body> {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v) => JSON.stringify(v) ?? 'null')
  const payload = fc.oneof(
    { weight: schema ? 12 : 0, arbitrary: json(schema ? objectFor(schema, hints) : fc.constant({})) },
    { weight: 2, arbitrary: json(fc.jsonValue()) },
    { weight: 1, arbitrary: json(fc.anything()) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(1_000, 100_000, 400_000), fc.constantFrom('[', '{"a":')).map(([n, open]) =>
      open.repeat(n) + (open === '[' ? ']' : '1}').repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(100_000, BODY_LIMIT - 100, BODY_LIMIT + 1, 3 * BODY_LIMIT).map((n) =>
      JSON.stringify({ s3_key: 'k'.repeat(n) })) },
    { weight: 2, arbitrary: fc.oneof(text, fc.constantFrom('{', '{"s3_bucket":', '{"a":1,}', '{\'a\':1}', 'NaN', '\uFEFF{}', '{}x',
      '[1,2', '"open', '{"a":"\\x"}', '{"a":1e999999}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}')) }
  )
  const contentType = fc.oneof(
    { weight: 20, arbitrary: fc.constant('application/json') },
    { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: text }
  )
  return fc.oneof(
    { weight: schema ? 1 : 6, arbitrary: fc.constant({}) },
    { weight: schema ? 1 : 0, arbitrary: contentType.map((c) => ({ contentType: c })) },
    { weight: schema ? 1 : 0, arbitrary: payload.map((p) => ({ payload: p })) },
    { weight: schema ? 10 : 1, arbitrary: fc.record({ contentType, payload }) }
  )
}

/** Authorization: mostly the valid key (else every request ends at 401), sometimes anything else. */
function authorizationFor (valid: string, others: string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...others, `bearer ${valid.slice(7)}`, `Bearer   ${valid.slice(7)}  `,
      `${valid}x`, valid.slice(0, -1), valid.slice(7), 'Bearer', 'Bearer ', `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${'A'.repeat(10_000)}`, `Bearer ${valid.slice(7)}, Bearer ${valid.slice(7)}`) },
    { weight: 1, arbitrary: text.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: text }
  )
}

function headersFor (authorization: fc.Arbitrary<string | undefined>, body: Body): fc.Arbitrary<Record<string, string>> {
  return fc.record({
    authorization,
    'idempotency-key': oneIn(4, fc.oneof(text, fc.constantFrom('', 'same-key', 'x'.repeat(255), 'x'.repeat(256)))),
    'x-request-id': oneIn(4, fc.oneof(text, fc.constantFrom('req-1', 'a'.repeat(129)))),
    'accept-version': oneIn(30, fc.oneof(text, fc.constantFrom('1.x', '*', '>=1'))),
    origin: oneIn(6, fc.oneof(text, fc.constantFrom('https://app.example', 'null'))),
    'access-control-request-method': oneIn(6, fc.oneof(text, fc.constantFrom('POST', 'GET'))),
    'content-length': oneIn(40, fc.oneof(numeric, text)),
    'content-encoding': oneIn(30, fc.oneof(text, fc.constantFrom('gzip', 'br', 'identity'))),
    'x-forwarded-for': oneIn(10, text),
    extra: oneIn(5, fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), text, { minKeys: 1, maxKeys: 2 }))
  }).map(({ extra, ...named }) => {
    const headers: Record<string, string> = { ...extra }
    for (const [name, value] of Object.entries(named)) if (value !== undefined) headers[name] = value
    if (body.contentType !== undefined) headers['content-type'] = body.contentType
    return headers
  })
}

// ---- The check ----------------------------------------------------------------------------

/** Throws, naming the request, unless the reply is below 500 and every 4xx has the error shape. */
function check (request: InjectOptions, reply: LightMyRequestResponse): void {
  const where = () => `${request.method} ${String(request.url).slice(0, 300)} -> ${reply.statusCode}: ${reply.body.slice(0, 500)}`
  if (reply.statusCode >= 500) throw new Error(`server error: ${where()}`)
  if (reply.statusCode < 400 || request.method === 'HEAD') return
  let body: unknown
  try {
    body = JSON.parse(reply.body)
  } catch {
    throw new Error(`4xx body is not JSON: ${where()}`)
  }
  const { statusCode, error, message, ...rest } = (body ?? {}) as Record<string, unknown>
  if (statusCode !== reply.statusCode || typeof error !== 'string' || typeof message !== 'string' || Object.keys(rest).length > 0) {
    throw new Error(`4xx body is not { statusCode, error, message }: ${where()}`)
  }
}

t.test('fuzzing every route: no 5xx, no crash, every 4xx in the error shape', async (t) => {
  const { app, api, authorization, config, storage } = await testApp(t, { RATE_LIMIT_MAX: '1000000', TENANT_MAX_ACTIVE_ANALYSES: '2' })
  t.comment(`fast-check seed ${SEED}, ${RUNS} runs per route (FUZZ_SEED, FUZZ_RUNS)`)
  // Migrations run in the background at start-up: fuzz a ready app, where no 503 is excusable.
  await waitFor('the app to be ready', async () => ((await app.inject({ url: '/health/ready' })).statusCode === 200 ? true : undefined))

  // The tenant may use the whole bucket; one object is a real video (a valid request gets 202,
  // then the tenant's cap of 2 gives 429), one is not a video (422), the rest are missing (422).
  const bucket = config.s3.uploadsBucket
  await storage.put(bucket, 'fuzz/video.mp4', await fs.readFile(path.join(fixtures, 'video/single_face.mp4')), 'video/mp4')
  await storage.put(bucket, 'fuzz/not-video.bin', 'not a video\n'.repeat(20))
  const created = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: 'fuzz/video.mp4', user_id: 'u1', session_id: 's1' } })
  t.equal(created.statusCode, 202, created.body)
  const ids: string[] = [created.json().analysis_id]
  const hints: Record<string, fc.Arbitrary<unknown>> = {
    s3_bucket: fc.constant(bucket),
    s3_key: fc.constantFrom('fuzz/video.mp4', 'fuzz/not-video.bin', 'fuzz/missing.webm', 'fuzz/../fuzz/video.mp4'),
    user_id: fc.constantFrom('u1', 'u2'),
    session_id: fc.constantFrom('s1', 's2')
  }

  const readOnly = await callerFor(app, 'tenant-b', { scopes: ['analyses:read'] })
  const revoked = await callerFor(app, 'tenant-a')
  await app.tenants.revokeKey(/^cnd_([0-9a-f]{16})_/.exec(revoked.key)![1]!)
  const authorizations = authorizationFor(authorization, [readOnly.authorization, revoked.authorization])

  const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> }
  const routes = routesOf(app)
  for (const [openapiPath, operations] of Object.entries(spec.paths)) {
    for (const method of Object.keys(operations)) {
      const url = openapiPath.replace(/\{(\w+)\}/g, ':$1')
      t.ok(routes.some((r) => r.method === method.toUpperCase() && r.url === url), `${method} ${url} is in the route tree`)
    }
  }
  t.ok(routes.length >= 10, `${routes.length} routes found`)

  await t.test('regressions: minimal inputs the fuzzing found', async (t) => {
    const cases: Array<[string, InjectOptions, number]> = [
      // The app's error handler was set after the routes were registered, so none of them used
      // it: Fastify's own body (with `code`) and message, and internal messages on a 500.
      ['an empty content-type', { method: 'POST', url: '/analyze', headers: { authorization, 'content-type': '' }, payload: '{}' }, 415],
      // Refused by Fastify before routing, with its own body (with `code`; a 414 for the length).
      ['a malformed percent-encoding', { url: '/analysis/%', headers: { authorization } }, 400],
      ['a lone surrogate, percent-encoded', { url: '/analysis/%ED%A0%80/frames', headers: { authorization } }, 400],
      ['a path parameter over 100 characters', { url: `/analysis/${'x'.repeat(101)}`, headers: { authorization } }, 400]
    ]
    for (const [what, request, status] of cases) {
      const reply = await app.inject(request)
      t.equal(reply.statusCode, status, what)
      t.doesNotThrow(() => check(request, reply), what)
    }
    t.match((await app.inject(cases[0]![1])).json().message, /send application\/json/, 'the app\'s own error handler answered')
    // @fastify/cors answered a bare OPTIONS with a text/plain 400.
    t.equal((await app.inject({ method: 'OPTIONS', url: '/analyze' })).statusCode, 204, 'an OPTIONS without Origin')
  })

  // Requests no route matches (other methods, any path) reach the not-found handler.
  const unrouted = { method: '*', url: '*' }
  const started = Date.now()
  for (const route of [...routes, unrouted]) {
    const operation = spec.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method === 'HEAD' ? 'get' : route.method.toLowerCase()]
    const parameters = operation?.parameters ?? []
    const bodySchema = operation?.requestBody?.content['application/json']?.schema
    const method = route === unrouted ? fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') : fc.constant(route.method)
    const url = route === unrouted ? fc.oneof(...[route, ...routes].map((r) => urlFor(r.url, ids))) : urlFor(route.url, ids)
    const request = fc.tuple(method, url, queryFor(parameters.filter((p) => p.in === 'query'), hints), bodyFor(bodySchema, hints))
      .chain(([method, url, query, body]) => headersFor(authorizations, body).map((headers): InjectOptions => ({
        method: method as InjectOptions['method'],
        url: query ? `${url}?${query}` : url,
        headers,
        ...(body.payload !== undefined ? { payload: body.payload } : {})
      })))
    // Full runs on the API's own routes; fewer where any URL goes (unrouted, CORS preflight);
    // a few on HEAD twins (the GET's handler), health and docs, which read little but the path.
    const own = operation !== undefined && operation.security?.length !== 0 && route.method !== 'HEAD'
    const anyUrl = route.url === '*'
    const numRuns = own ? RUNS : anyUrl ? Math.ceil(RUNS / 4) : Math.max(5, Math.ceil(RUNS / 25))
    const statuses = new Map<number, number>()
    await t.test(`${route.method} ${route.url}`, async (t) => {
      await fc.assert(fc.asyncProperty(request, async (options) => {
        const reply = await app.inject(options)
        statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1)
        check(options, reply)
      }), { seed: SEED, numRuns, timeout: 30_000 })
      t.pass(`${numRuns} runs: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(' ')}`)
    })
  }
  t.comment(`fuzzing took ${((Date.now() - started) / 1000).toFixed(1)} s`)

  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'still alive')
  t.equal((await api({ url: '/analysis/recent' })).statusCode, 200, 'still serving')
})
