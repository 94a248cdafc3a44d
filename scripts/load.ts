/**
 * npm run load [-- --duration 10 --connections 10 --warm-up 2 --log-level info]: requests per
 * second and latency of the HTTP API with authentication on, measured with autocannon.
 *
 * Like the tests, it runs on isolated resources (test/helpers/environment.ts: its own MariaDB
 * database, Redis queue prefix, S3 bucket, and the MongoDB test double unless MONGODB_URL is
 * set), all removed at the end, also on failure or Ctrl-C. The API is the real server
 * (`node --import tsx src/server.ts`) in a child process on a free 127.0.0.1 port, with
 * WORKER_IN_PROCESS=false, so analyses are queued but never run. A tenant and an API key are
 * made through TenantRepository, as `npm run keys` does; the key's rate limit and the tenant's
 * cap on active analyses are set far above what a run reaches, so neither shapes the figures.
 * Client (autocannon), server, MariaDB, Redis and Swift share this machine's cores.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { migrate } from '../src/db/migrate.js'
import { createPool } from '../src/db/mariadb.js'
import { TenantRepository } from '../src/repositories/tenants.js'
import { SCOPES } from '../src/auth/api-key.js'
import { testEnvironment, fixtures } from '../test/helpers/environment.js'
import { Cleanup } from '../test/helpers/cleanup.js'
import { wholeNumber } from './cli-options.js'
import { startApiProcess } from './api-process.js'

/** Far above what a run reaches: limits must not shape the figures. */
const UNLIMITED = 1_000_000
const VIDEO = path.join(fixtures, 'video', 'single_face.mp4')
const TENANT = 'load'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    'warm-up': { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'info' }
  }
})
const durationS = wholeNumber('duration', args.duration, 1, 300)
const connections = wholeNumber('connections', args.connections, 1, 500)
const warmUpS = wholeNumber('warm-up', args['warm-up'], 0, 60)


const cleanup = new Cleanup()
/** Set by Ctrl-C: no further scenario starts. */
let stopping = false
/** The API's log is removed at the end unless the run failed or a response was unexpected. */
let keepLog = false
/** The autocannon run in progress, stopped on Ctrl-C. */
let running: autocannon.Instance | null = null

/** CPU seconds of a process plus the children it has reaped (ffprobe), from /proc; null elsewhere. */
function cpuSeconds (pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after "(comm)": state is field 3; utime, stime, cutime, cstime are fields 14-17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0) / 100
  } catch {
    return null
  }
}

/** Processes the API has started and not yet reaped (ffprobe); 0 where /proc cannot tell. */
function childCount (pid: number): number {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter((id) => id.trim() !== '').length
  } catch {
    return 0
  }
}

/**
 * Waits until the API is idle: requests cut off at the end of a run still finish on the server
 * (a POST /analyze waits seconds for its ffprobe) and would slow the next scenario down.
 */
async function settle (pid: number): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const before = cpuSeconds(pid)
    await sleep(500)
    const after = cpuSeconds(pid)
    const quiet = before === null || after === null || after - before < 0.05
    if (quiet && childCount(pid) === 0) return
  }
}

/**
 * Wall and CPU time of starting ffprobe and nothing else (median of three; CPU from the reaped
 * child's /proc counters): POST /analyze starts one per request.
 */
function ffprobeStart (ffprobePath: string): { wallMs: number, cpuMs: number | null } {
  const runs = [0, 1, 2].map(() => {
    const cpuBefore = cpuSeconds(process.pid)
    const started = performance.now()
    spawnSync(ffprobePath, ['-version'], { stdio: 'ignore' })
    const wallMs = performance.now() - started
    const cpuAfter = cpuSeconds(process.pid)
    return { wallMs, cpuMs: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) * 1000 }
  })
  return runs.sort((a, b) => a.wallMs - b.wallMs)[1]!
}


interface Scenario {
  name: string
  /** The status every response should have. */
  expect: number
  request: autocannon.Request
}

interface Row {
  scenario: Scenario
  result: autocannon.Result
  serverCpu: number | null
  clientCpu: number
  load: number
}

async function measure (url: string, scenario: Scenario, seconds: number, serverPid: number): Promise<Row> {
  const serverBefore = cpuSeconds(serverPid)
  const clientBefore = process.cpuUsage()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    running = autocannon({ url, connections, duration: seconds, timeout: 30, requests: [scenario.request] },
      (error: unknown, result) => (error ? reject(error as Error) : resolve(result)))
  })
  running = null
  const serverAfter = cpuSeconds(serverPid)
  const client = process.cpuUsage(clientBefore)
  return {
    scenario,
    result,
    serverCpu: serverBefore === null || serverAfter === null ? null : (serverAfter - serverBefore) / result.duration,
    clientCpu: (client.user + client.system) / 1e6 / result.duration,
    load: os.loadavg()[0]!
  }
}

function printTable (rows: Row[]): void {
  const header = ['scenario', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'statuses', 'non-2xx', 'errors', 'server CPU', 'client CPU', 'load 1m']
  const lines = rows.map(({ scenario, result, serverCpu, clientCpu, load }) => {
    const statuses = Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => `${code}x${stat.count ?? 0}`).join(' ')
    const percent = (share: number | null) => (share === null ? '-' : `${Math.round(share * 100)} %`)
    return [
      scenario.name,
      (result.requests.total / result.duration).toFixed(0),
      String(result.latency.p50), String(result.latency.p90), String(result.latency.p99), String(result.latency.max),
      statuses || '-', String(result.non2xx), String(result.errors + result.timeouts),
      percent(serverCpu), percent(clientCpu), load.toFixed(2)
    ]
  })
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)))
  for (const line of [header, ...lines]) console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true
    console.error(`\n${signal}: stopping and cleaning up`)
    running?.stop()
    void cleanup.run().finally(() => process.exit(130))
  })
}

let logFile: string | undefined
try {
  console.log(`Candor API load  (${os.cpus().length} cores: ${os.cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`)
  const { config, env, storage } = await testEnvironment(cleanup, {
    mongo: true,
    env: { RATE_LIMIT_MAX: String(UNLIMITED), TENANT_MAX_ACTIVE_ANALYSES: String(UNLIMITED), WORKER_IN_PROCESS: 'false' }
  })
  await migrate(config.mariadb.url)
  const bucket = config.s3.uploadsBucket
  const videoKey = `${TENANT}/${path.basename(VIDEO)}`
  await storage.put(bucket, videoKey, fs.readFileSync(VIDEO), 'video/mp4')

  const pool = createPool(config.mariadb.url, 2)
  cleanup.teardown(() => pool.end())
  const tenants = new TenantRepository(pool)
  await tenants.upsertTenant(TENANT, { allowedLocations: [{ bucket, prefix: `${TENANT}/` }], maxActiveAnalyses: UNLIMITED })
  const { key, info } = await tenants.createKey({ tenantId: TENANT, scopes: [...SCOPES], name: 'npm run load', rateLimitMax: UNLIMITED })

  const apiLog = path.join(os.tmpdir(), `candor-load-${process.pid}.log`)
  cleanup.teardown(() => { if (!keepLog) fs.rmSync(apiLog, { force: true }) })
  logFile = apiLog
  const server = await startApiProcess({ ...env, NODE_ENV: 'production', LOG_LEVEL: args['log-level'] }, apiLog, cleanup)
  const authorization = `Bearer ${key}`
  const json = { 'content-type': 'application/json', authorization }
  const body = (sessionId: string) => JSON.stringify({ s3_bucket: bucket, s3_key: videoKey, user_id: 'load-user', session_id: sessionId })

  // One analysis to read and to replay.
  const seeded = await fetch(`${server.url}/analyze`, { method: 'POST', headers: { ...json, 'idempotency-key': 'load-replay' }, body: body('load-replay') })
  if (seeded.status !== 202) throw new Error(`POST /analyze answered ${seeded.status}: ${await seeded.text()}`)
  const analysisId = (await seeded.json() as { analysis_id: string }).analysis_id

  let session = 0
  const scenarios: Scenario[] = [
    {
      name: 'POST /analyze (new analysis)',
      expect: 202,
      // A new session per request: auth, location check, S3 HEAD, presign + ffprobe over HTTP, insert, enqueue.
      request: { method: 'POST', path: '/analyze', headers: json, setupRequest: (request) => ({ ...request, body: body(`load-${process.pid}-${++session}`) }) }
    },
    {
      name: 'POST /analyze (replay, same Idempotency-Key)',
      expect: 200,
      request: { method: 'POST', path: '/analyze', headers: { ...json, 'idempotency-key': 'load-replay' }, body: body('load-replay') }
    },
    { name: 'GET /analysis/:id', expect: 200, request: { method: 'GET', path: `/analysis/${analysisId}`, headers: { authorization } } },
    { name: 'GET /analysis/recent', expect: 200, request: { method: 'GET', path: '/analysis/recent', headers: { authorization } } },
    { name: 'GET /analysis/:id, no key (401)', expect: 401, request: { method: 'GET', path: `/analysis/${analysisId}` } },
    {
      name: 'GET /analysis/:id, wrong secret (401)',
      expect: 401,
      request: { method: 'GET', path: `/analysis/${analysisId}`, headers: { authorization: `Bearer cnd_${info.id}_${'A'.repeat(43)}` } }
    }
  ]

  console.log(`settings: ${durationS} s per scenario after a ${warmUpS} s warm-up, ${connections} connections, no pipelining; API in its own process (node --import tsx src/server.ts) on ${server.url}, LOG_LEVEL=${args['log-level']} to a file, NODE_ENV=production, no in-process worker`)
  console.log(`limits out of the way: key rate_limit_max ${UNLIMITED}/window and RATE_LIMIT_MAX ${UNLIMITED}; tenant max active analyses ${UNLIMITED}`)
  console.log(`video: ${path.basename(VIDEO)} (${fs.statSync(VIDEO).size} bytes) in ${bucket}; MongoDB: ${process.env.MONGODB_URL ? 'MONGODB_URL' : 'the wire-protocol test double'}`)
  const probe = ffprobeStart(config.ffmpeg.ffprobePath)
  console.log(`ffprobe start-up alone (ffprobe -version): ${probe.wallMs.toFixed(0)} ms wall, ${probe.cpuMs?.toFixed(0) ?? '?'} ms CPU`)
  console.log('server CPU: the API process and its ffprobe children, 100 % = one core; client CPU: autocannon (this process)\n')

  const rows: Row[] = []
  for (const scenario of scenarios) {
    if (stopping) break
    if (warmUpS > 0) await measure(server.url, scenario, warmUpS, server.child.pid!)
    await settle(server.child.pid!)
    const row = await measure(server.url, scenario, durationS, server.child.pid!)
    const wrong = row.result.requests.total - (row.result.statusCodeStats?.[`${scenario.expect}`]?.count ?? 0)
    if (wrong > 0) {
      keepLog = true // the API's log says why
      console.error(`${scenario.name}: ${wrong} responses were not ${scenario.expect} (API log kept: ${server.logFile})`)
    }
    rows.push(row)
    await settle(server.child.pid!)
  }
  printTable(rows)
  const [created] = await pool.query('SELECT COUNT(*) AS n FROM analyses')
  console.log(`\nanalyses created: ${Number(created.n)}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
} catch (error) {
  keepLog = true
  console.error(`load: ${(error as Error).message}${logFile ? ` (API log kept: ${logFile})` : ''}`)
  process.exitCode = 1
} finally {
  await cleanup.run()
}
