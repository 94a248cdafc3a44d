/**
 * npm run faults [-- --analyses 50 --workers 2 --kills 20 --seed 1 --timeout 2400 --keep-logs]:
 * a fault run. Submits the analyses at once through the real API, then, while they run in
 * `npm run worker` processes, kills a worker's whole process group with kill -9 every 8-20 s
 * (started again 0.5-3 s later), restarts Redis once (empty: it keeps nothing on disk) and
 * MariaDB once (a clean shutdown, a few seconds down, the same data). When every analysis has
 * ended it checks by counting that each ended once, completed with every row and frame exactly
 * once or failed with a reason, that identical inputs gave identical results, and that no
 * temp file or process was left behind; prints a summary and exits 1 on any violation.
 *
 * Everything is private and removed at the end (also on failure or Ctrl-C): a redis-server
 * and a mariadbd of its own on free ports (data in a temp folder), the MongoDB test double
 * (or MONGODB_URL's server), an S3 bucket on the local Swift (scripts/services up). The
 * schedule is drawn from --seed; the timing of the machine decides the rest. The API's and
 * the workers' logs are kept (the path is printed) when the run fails or with --keep-logs.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildApp } from '../src/app.js'
import { migrate } from '../src/db/migrate.js'
import { createPool } from '../src/db/mariadb.js'
import { createMongo } from '../src/db/mongo.js'
import { createAnalysisQueue } from '../src/queue/analysis-queue.js'
import { testEnvironment } from '../test/helpers/environment.js'
import { callerFor, type Caller } from '../test/helpers/app.js'
import { freePort, PrivateRedis } from '../test/helpers/processes.js'
import { PrivateMariaDb } from '../test/helpers/private-mariadb.js'
import { Cleanup } from '../test/helpers/cleanup.js'
import { wholeNumber } from './cli-options.js'
import { seededRandom } from './fault-run/random.js'
import { prepareInputs, type Input } from './fault-run/inputs.js'
import { WorkerSlots } from './fault-run/workers.js'
import { Observer } from './fault-run/observer.js'
import { checkOutcome, type Submitted } from './fault-run/checks.js'
import { leftovers } from './fault-run/leftovers.js'
import { readLogs } from './fault-run/logs.js'
import { printReport, type Restart, type Round } from './fault-run/report.js'

const { values: args } = parseArgs({
  options: {
    analyses: { type: 'string', default: '50' },
    workers: { type: 'string', default: '2' },
    kills: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '2400' },
    'keep-logs': { type: 'boolean', default: false }
  }
})
const total = wholeNumber('analyses', args.analyses, 2, 500)
const workerCount = wholeNumber('workers', args.workers, 1, 8)
const maxKills = wholeNumber('kills', args.kills, 0, 1000)
const seed = wholeNumber('seed', args.seed, 0, 2 ** 31)
const timeoutMs = wholeNumber('timeout', args.timeout, 60, 24 * 3600) * 1000

/**
 * Short enough for the run to recover within minutes: a dead worker's job is taken back 2-6 s
 * after the kill; the reconciler looks every 3 s at rows unchanged for 3 s, and takes over a
 * `processing` row whose job Redis lost once it has been unchanged for 30 s (well above a live
 * job's longest quiet spell here: a fresh job process loading the models).
 */
const SETTINGS = {
  JOB_LOCK_MS: '4000',
  JOB_ATTEMPTS: '4',
  RECONCILE_INTERVAL_MS: '3000',
  RECONCILE_STALE_MS: '30000'
}
const TENANT = 'faults'
const KILL_EVERY_S: [number, number] = [8, 20]
const RESTART_AFTER_KILL_S: [number, number] = [0.5, 3]
const MARIADB_DOWN_S: [number, number] = [3, 6]
/** A request answered 503 or 429 is sent at most this many times. */
const MAX_TRIES = 10

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-faults-'))
const logDir = path.join(runDir, 'logs')
const tmpRoot = path.join(runDir, 'tmp')
fs.mkdirSync(logDir)
let keepLogs = true

const cleanup = new Cleanup()
let stopped = false
let workers: WorkerSlots | undefined
cleanup.onSignals(() => {
  stopped = true
  workers?.killEverything()
  console.error(`logs kept in ${logDir}`)
})
cleanup.teardown(() => fs.rmSync(keepLogs ? path.join(runDir, 'mariadb') : runDir, { recursive: true, force: true }))
cleanup.teardown(() => fs.rmSync(tmpRoot, { recursive: true, force: true }))

const violations: string[] = []
try {
  violations.push(...await faultRun())
  keepLogs = violations.length > 0 || args['keep-logs']
} catch (error) {
  console.error(`fault run stopped: ${(error as Error).stack ?? String(error)}`)
  violations.push(`the run itself failed: ${(error as Error).message}`)
} finally {
  stopped = true
  await cleanup.run()
}
if (keepLogs) console.error(`logs kept in ${logDir}`)
process.exit(violations.length > 0 ? 1 : 0)

async function faultRun (): Promise<string[]> {
  const wallStarted = Date.now()
  const redis = new PrivateRedis(await freePort())
  await redis.start()
  cleanup.teardown(() => redis.stop())
  const mariadb = new PrivateMariaDb(path.join(runDir, 'mariadb'), await freePort())
  await mariadb.start()
  cleanup.teardown(() => mariadb.stop())

  const apiLog = fs.createWriteStream(path.join(logDir, 'api.log'))
  cleanup.teardown(() => new Promise((resolve) => apiLog.end(resolve)))
  const environment = await testEnvironment(cleanup, {
    mongo: true,
    logTo: apiLog,
    env: {
      ...SETTINGS,
      MARIADB_URL: mariadb.url('candor_faults'),
      REDIS_URL: redis.url,
      WORKER_IN_PROCESS: 'false',
      TENANT_MAX_ACTIVE_ANALYSES: '100000',
      RATE_LIMIT_MAX: '100000',
      LOG_LEVEL: 'info',
      // Rule-based feedback: the same for the same metrics, and no outside calls.
      OPENAI_API_KEY: ''
    }
  })
  const { config, env, storage, logger } = environment
  await migrate(config.mariadb.url)
  const app = await buildApp(config, logger)
  cleanup.teardown(() => app.close())
  await app.ready()
  const pool = createPool(config.mariadb.url, 2)
  cleanup.teardown(() => pool.end())
  const mongo = createMongo(config.mongodb.url)
  cleanup.teardown(() => mongo.client.close())
  const queue = createAnalysisQueue(config)
  queue.on('error', () => {}) // Redis restarts on purpose
  cleanup.teardown(() => queue.close())

  const bucket = config.s3.uploadsBucket
  const caller = await callerFor(app, TENANT, { locations: [{ bucket, prefix: 'faults/' }], maxActive: 100_000 })
  const inputs = await prepareInputs(storage, bucket, 'faults/', path.join(runDir, 'inputs'), config.ffmpeg.ffmpegPath)

  workers = new WorkerSlots(env, workerCount, tmpRoot, logDir)
  const slots = workers
  cleanup.teardown(() => slots.killEverything())
  for (let i = 0; i < workerCount; i++) slots.start(i)
  await waitUntil(async () => (await queue.getWorkersCount()) >= workerCount, 120_000, 'the workers to connect to Redis')

  const observer = new Observer(pool, TENANT, async (id) => (await queue.getJob(id)) ? await queue.getJobState(id) : null)
  const found: string[] = []
  const submittedAt = observer.now()
  const { submitted, rounds } = await submit(caller, bucket, inputs, found)
  if (submitted.length === 0) return found
  const expected = submitted.length
  observer.start(500)

  const deadline = Date.now() + timeoutMs
  const done = () => stopped || observer.endedCount >= expected || Date.now() > deadline
  const kills = killRepeatedly(slots, observer, done)
  const restarts = restartServices(redis, mariadb, observer, expected, done)
  while (!done()) await sleep(250)
  const endedAtMs = observer.now()
  const [killsDone, servicesRestarted] = await Promise.all([kills, restarts])
  await observer.poll()
  if (observer.endedCount < expected) found.push(`${expected - observer.endedCount} analyses had not ended after ${timeoutMs / 1000} s`)

  // Give BullMQ a moment to finish the records of jobs whose analysis has ended.
  const drained = await waitUntil(async () => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
    return Object.values(counts).every((n) => n === 0)
  }, 60_000, 'the queue to drain').then(() => true, () => false)
  const forced = await slots.stopAll(30_000)
  if (forced.length > 0) found.push(`worker ${forced.map((i) => i + 1).join(', ')} did not stop on SIGTERM within 30 s`)
  await observer.stop()
  found.push(...observer.violations)
  const left = await leftovers(slots, tmpRoot)
  found.push(...left.found)

  const logs = readLogs([...slots.slots.map((slot) => slot.logFile), path.join(logDir, 'api.log')])
  const verdict = await checkOutcome(pool, mongo.db, TENANT, submitted, observer, logs)
  found.push(...verdict.violations)
  found.push(...await checkThroughApi(caller, submitted))
  const stalls = new Map<string, number>()
  for (const { id } of verdict.outcomes.failedAnalyses) stalls.set(id, (await queue.getJob(id))?.stalledCounter ?? 0)

  printReport({
    settings: { ...SETTINGS, workers: String(workerCount), seed: String(seed) },
    inputs,
    total,
    rounds,
    outcomes: verdict.outcomes,
    kills: killsDone,
    maxKills,
    unexpectedExits: slots.unexpectedExits,
    restarts: servicesRestarted,
    disruptions: observer.disruptions,
    submitMs: endedAtMs - submittedAt,
    wallMs: Date.now() - wallStarted,
    drained,
    foldersLeft: left.foldersLeft,
    logs,
    stalls,
    violations: found
  })
  return found
}

/**
 * All requests at once, then the same again (an idempotent replay must find the same
 * analyses). Like a client, a 503 or 429 is tried again after its Retry-After.
 */
async function submit (caller: Caller, bucket: string, inputs: Input[], found: string[]): Promise<{ submitted: Submitted[], rounds: Round[] }> {
  const rounds: Round[] = []
  const send = async (round: Round, i: number) => {
    const input = inputs[i % inputs.length]!
    for (let attempt = 1; ; attempt++) {
      const response = await caller.api({
        method: 'POST',
        url: '/analyze',
        headers: { 'idempotency-key': `faults-${seed}-${i}` },
        payload: { s3_bucket: bucket, s3_key: input.s3Key, user_id: `user-${i % 7}`, session_id: `session-${i}` }
      })
      if (attempt === 1) round.firstTry.set(response.statusCode, (round.firstTry.get(response.statusCode) ?? 0) + 1)
      if ((response.statusCode !== 503 && response.statusCode !== 429) || attempt === MAX_TRIES) {
        round.mostTries = Math.max(round.mostTries, attempt)
        return response
      }
      if (attempt === 1) round.retried++
      await sleep(Number(response.headers['retry-after'] ?? 5) * 1000)
    }
  }
  const sendAll = async () => {
    const round: Round = { firstTry: new Map(), retried: 0, mostTries: 0 }
    rounds.push(round)
    return Promise.all(Array.from({ length: total }, (_, i) => send(round, i)))
  }
  const first = await sendAll()
  const submitted: Submitted[] = []
  first.forEach((response, i) => {
    if (response.statusCode !== 202) found.push(`POST /analyze ${i}: ${response.statusCode} ${response.body}`)
    else submitted.push({ id: response.json().analysis_id, input: inputs[i % inputs.length]!.name })
  })
  const again = await sendAll()
  again.forEach((response, i) => {
    const body = response.json()
    if (response.statusCode !== 200 || body.created !== false || body.analysis_id !== first[i]!.json().analysis_id) {
      found.push(`replayed POST /analyze ${i}: ${response.statusCode} ${response.body}`)
    }
  })
  return { submitted, rounds }
}

/** kill -9 of a worker's process group every 8-20 s (seeded), started again 0.5-3 s later. */
async function killRepeatedly (slots: WorkerSlots, observer: Observer, done: () => boolean): Promise<number> {
  const random = seededRandom(seed)
  let kills = 0
  while (kills < maxKills) {
    await pauseUnless(done, random.between(...KILL_EVERY_S) * 1000)
    if (done()) break
    const slot = Math.floor(random.next() * slots.slots.length)
    await observer.poll() // who is running right now
    const running = observer.running()
    const at = observer.now()
    if (!slots.kill(slot)) continue // being restarted after exiting by itself
    kills++
    observer.disrupted('kill', `w${slot + 1}`, at, running)
    await sleep(random.between(...RESTART_AFTER_KILL_S) * 1000)
    slots.start(slot)
  }
  return kills
}

/**
 * Redis once a seeded 15-35 % of the analyses have ended, MariaDB once 50-70 % have, each
 * while an analysis is processing (never both at once).
 */
async function restartServices (redis: PrivateRedis, mariadb: PrivateMariaDb, observer: Observer, total: number, done: () => boolean): Promise<Restart[]> {
  const random = seededRandom(seed + 1)
  const redisAfter = Math.max(1, Math.ceil(total * random.between(0.15, 0.35)))
  const mariadbAfter = Math.min(total - 1, Math.max(redisAfter + 1, Math.ceil(total * random.between(0.5, 0.7))))
  const mariadbDownMs = random.between(...MARIADB_DOWN_S) * 1000
  const restarts: Restart[] = []

  const restart = async (service: 'redis' | 'mariadb', after: number, bounce: () => Promise<void>) => {
    // Once enough have ended, and while an analysis is running (a fault with nothing running
    // would test little).
    while (!done() && (observer.endedCount < after || observer.running().size === 0)) await sleep(200)
    if (done()) return
    await observer.poll()
    const running = observer.running()
    const downAt = observer.now()
    await bounce()
    const upAt = observer.now()
    restarts.push({ service, atMs: downAt, downMs: upAt - downAt, endedBefore: observer.endedCount })
    observer.disrupted(service, service, downAt, running, upAt)
  }
  await restart('redis', redisAfter, async () => {
    await redis.stop()
    await redis.start()
  })
  await restart('mariadb', mariadbAfter, async () => {
    await mariadb.stop()
    await sleep(mariadbDownMs)
    await mariadb.start()
  })
  return restarts
}

/** What a client sees at the end: GET /analysis/:id agrees with MariaDB, a failure has its reason. */
async function checkThroughApi (caller: Caller, submitted: Submitted[]): Promise<string[]> {
  const found: string[] = []
  for (const { id } of submitted) {
    const response = await caller.api({ url: `/analysis/${id}` })
    const body = response.json()
    if (response.statusCode !== 200) found.push(`GET /analysis/${id}: ${response.statusCode} ${response.body}`)
    else if (body.status === 'failed' && !(body.error?.code && body.error?.message)) found.push(`GET /analysis/${id}: failed without error { code, message }`)
    else if (body.status !== 'completed' && body.status !== 'failed') found.push(`GET /analysis/${id}: still ${body.status}`)
  }
  return found
}

async function pauseUnless (done: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (!done() && Date.now() < until) await sleep(Math.min(250, until - Date.now()))
}

async function waitUntil (probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    if (await probe().catch(() => false)) return
    if (Date.now() > until) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`)
    await sleep(250)
  }
}
