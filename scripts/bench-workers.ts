/**
 * npm run bench:workers [-- --jobs 8 --workers 1,2 --video FILE --loops 3 --concurrency 1
 *   --cpus-per-worker N --timeout 3600 --keep-logs]: analysis throughput of separate `npm run worker` processes on
 * this machine, with 1 worker, then 2 (or whatever --workers lists), on the real queue.
 *
 * Everything is real and isolated, as in the tests (test/helpers/environment.ts): Redis with a
 * queue prefix of its own, a MariaDB database of its own, an S3 bucket of its own on the local
 * Swift, MongoDB at MONGODB_URL (a database of its own) when it answers, else the wire-protocol
 * test double in this process; all removed at the end, also on failure or Ctrl-C, with the
 * worker processes (their whole process groups) and the temp folders. The API is the real
 * server (`node --import tsx src/server.ts`, WORKER_IN_PROCESS=false: it queues, never runs a
 * job) in a child process; jobs are submitted with POST /analyze and an API key, as a client
 * would. Each worker is `npm run worker` (scripts/fault-run/workers.ts: its own process group,
 * its own CANDOR_TMP_DIR, its own log file at LOG_LEVEL=info), WORKER_CONCURRENCY=1 by default.
 *
 * The batch: --jobs analyses alternating between --video (default sad_to_happy_pexels.mp4,
 * 19.7 s) and a longer recording made from it with ffmpeg (--loops copies back to back, stream
 * copy, default 3: 59 s). Each worker count gets fresh workers and a fresh batch.
 *
 * Warm-up, excluded from the figures: each fresh worker first runs one short job (a 3 s GRID
 * clip) per job process it will use (WORKER_CONCURRENCY); that starts its sandboxed job
 * process and loads the models there (both are kept for the following jobs). The worker logs
 * tell which job process completed which warm-up; warm-ups are posted until every job process
 * of every worker has done one. The measurement starts after that, with every worker idle.
 *
 * Measured per worker count: wall time from the first POST of the batch to the last job's end
 * (BullMQ's finishedOn); recordings per hour; recording-minutes per wall-minute; CPU time
 * (user + system) of the worker process trees over the same span, counted as explained in
 * scripts/bench-workers/process-tree.ts, and recording-minutes per CPU-minute; the machine's
 * busy CPU over the span (what everything else on it, the API, the databases and other people's
 * work, took); peak memory of each worker tree.
 *
 * Checked (the run fails otherwise): every analysis completed, started once (MariaDB's attempts
 * and BullMQ's attemptsStarted are 1, stalledCounter 0), and completed by exactly one worker
 * once (the "job completed" lines of the worker logs); every job folder that appeared in a
 * worker's temp folder belonged to a process of that worker's tree; both temp folders empty
 * after the batch; every worker stops on SIGTERM with exit 0 and leaves no process behind.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { MongoClient } from 'mongodb'
import type { Config } from '../src/config.js'
import { migrate } from '../src/db/migrate.js'
import { createPool } from '../src/db/mariadb.js'
import { TenantRepository } from '../src/repositories/tenants.js'
import { AnalysisRepository } from '../src/repositories/analyses.js'
import { SCOPES } from '../src/auth/api-key.js'
import { createAnalysisQueue, type AnalysisQueue } from '../src/queue/analysis-queue.js'
import { probeVideo } from '../src/media/ffprobe.js'
import { testEnvironment, waitFor, fixtures } from '../test/helpers/environment.js'
import { Cleanup } from '../test/helpers/cleanup.js'
import { WorkerSlots } from './fault-run/workers.js'
import { readLogs } from './fault-run/logs.js'
import { strayProcesses } from './fault-run/leftovers.js'
import { wholeNumber } from './cli-options.js'
import { startApiProcess } from './api-process.js'
import { sampleTree, treePids, reapedChildrenCpuS, machineCpu } from './bench-workers/process-tree.js'

const UNLIMITED = 1_000_000
const TENANT = 'bench-workers'
const WARM_UP_CLIP = path.join(fixtures, 'video', 'grid', 'bbaf2n.mpg')
/** Job folders: job-<host>-<pid>-<start>-<random> (src/jobs/temp-files.ts). */
const JOB_DIR = /^job-(.+)-(\d+)-(\d+)-[0-9a-f]{8}$/

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '8' },
    workers: { type: 'string', default: '1,2' },
    video: { type: 'string', default: path.join(fixtures, 'video', 'sad_to_happy_pexels.mp4') },
    loops: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '3600' },
    'keep-logs': { type: 'boolean', default: false },
    'cpus-per-worker': { type: 'string', default: '0' }
  }
})
const jobCount = wholeNumber('jobs', args.jobs, 1, 500)
const workerCounts = args.workers.split(',').map((n) => wholeNumber('workers', n.trim(), 1, 32))
const loops = wholeNumber('loops', args.loops, 1, 20)
const concurrency = wholeNumber('concurrency', args.concurrency, 1, 16)
const timeoutMs = wholeNumber('timeout', args.timeout, 10, 86_400) * 1000
const cpusPerWorker = wholeNumber('cpus-per-worker', args['cpus-per-worker'], 0, os.cpus().length)
const sourceVideo = path.resolve(args.video)
if (!fs.existsSync(sourceVideo)) {
  console.error(`--video ${sourceVideo}: no such file`)
  process.exit(2)
}

const cleanup = new Cleanup()
let slotsRunning: WorkerSlots | undefined
cleanup.onSignals(() => slotsRunning?.killEverything())
let keepLogs = args['keep-logs']
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-bench-workers-'))
cleanup.teardown(() => { if (!keepLogs) fs.rmSync(logDir, { recursive: true, force: true }) })

const fmt = (n: number, digits = 2) => n.toFixed(digits)
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ')

/** MONGODB_URL (or the default local server) if it answers a ping within 1.5 s. */
async function realMongoUrl (): Promise<string | undefined> {
  const candidate = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/candor'
  if (!/^mongodb(\+srv)?:\/\//.test(candidate)) return undefined
  const client = new MongoClient(candidate, { serverSelectionTimeoutMS: 1500 })
  try {
    await client.db().command({ ping: 1 })
    return candidate
  } catch {
    return undefined
  } finally {
    await client.close().catch(() => {})
  }
}

/** The source recording `loops` times back to back (stream copy), in `dir`. */
function loopedVideo (source: string, dir: string): string {
  const list = path.join(dir, 'loop.txt')
  fs.writeFileSync(list, Array.from({ length: loops }, () => `file '${source.replaceAll("'", "'\\''")}'\n`).join(''))
  for (const extension of [path.extname(source) || '.mkv', '.mkv']) {
    const out = path.join(dir, `looped-x${loops}${extension}`)
    const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    if (made.status === 0) return out
    console.error(`ffmpeg could not loop ${path.basename(source)} into ${extension}: ${made.stderr.trim().split('\n').pop()}`)
  }
  throw new Error('could not make the looped recording')
}


interface Recording { key: string, file: string, durationS: number }

interface Posted { id: string, recording: Recording }

interface Context {
  config: Config
  workerEnv: NodeJS.ProcessEnv
  apiUrl: string
  authorization: string
  analyses: AnalysisRepository
  queue: AnalysisQueue
  tmpRoot: string
}

let session = 0
/** POST /analyze; a 503 or 429 (a busy MariaDB pool, see README "Load") is retried after Retry-After. */
async function post (ctx: Context, recording: Recording): Promise<Posted> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${ctx.apiUrl}/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: ctx.authorization },
      body: JSON.stringify({ s3_bucket: ctx.config.s3.uploadsBucket, s3_key: recording.key, user_id: 'bench', session_id: `bench-${process.pid}-${++session}` })
    })
    if (response.status === 202) return { id: ((await response.json()) as { analysis_id: string }).analysis_id, recording }
    if ((response.status === 503 || response.status === 429) && attempt < 5) {
      await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000)
      continue
    }
    throw new Error(`POST /analyze answered ${response.status}: ${await response.text()}`)
  }
}

/**
 * Until each analysis has ended (its row completed or failed) and its job too (BullMQ's
 * finishedOn, set by the worker after the job process returned), and the workers' logs have
 * had a moment to say so.
 */
async function waitUntilEnded (ctx: Context, ids: string[], logFiles: string[]): Promise<void> {
  const pending = new Set(ids)
  await waitFor(`${ids.length} analyses to end`, async () => {
    for (const id of pending) {
      const row = await ctx.analyses.get(id)
      if ((row?.status === 'completed' || row?.status === 'failed') && (await ctx.queue.getJob(id))?.finishedOn) pending.delete(id)
    }
    return pending.size === 0 ? true : undefined
  }, timeoutMs, 200)
  // The worker logs its "job completed" line after finishing the job: give it up to 10 s.
  await waitFor('the workers to log the jobs', async () => {
    const logged = new Set(logFiles.flatMap((file) => [...readLogs([file]).completedRuns.keys()]))
    return ids.every((id) => logged.has(id)) ? true : undefined
  }, 10_000, 100).catch(() => { /* judged (and reported) by the checks */ })
}

/** Analysis id -> pid of the job process that analysed it, from a worker's log ("video analysed" lines of its job children). */
function jobProcesses (logFile: string): Map<string, number> {
  const found = new Map<string, number>()
  if (!fs.existsSync(logFile)) return found
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"video analysed"')) continue
    try {
      const entry = JSON.parse(line) as { analysisId?: string, pid?: number }
      if (entry.analysisId && entry.pid) found.set(entry.analysisId, entry.pid)
    } catch { /* a line cut short */ }
  }
  return found
}

interface PhaseResult {
  workers: number
  wallS: number
  videoS: number
  cpuS: number
  machineBusyS: number
  peakRss: number[]
  lifetimeCpuS: number
  reapedCpuS: number
  loadBefore: string
  loadAfter: string
  violations: string[]
}

/**
 * --cpus-per-worker N: worker i (and everything it starts later: its job processes, their
 * ffmpeg, which inherit the affinity) runs only on cores i*N .. i*N+N-1, as if each worker had
 * a machine of N cores to itself. That shows what adding machines does, on one machine.
 */
function pinToCpus (pid: number, index: number): void {
  const cores = os.cpus().length
  const list = Array.from({ length: cpusPerWorker }, (_, k) => (index * cpusPerWorker + k) % cores).join(',')
  const pinned = spawnSync('taskset', ['-a', '-c', '-p', list, String(pid)], { encoding: 'utf8' })
  if (pinned.status !== 0) throw new Error(`taskset could not pin worker ${index + 1} to cores ${list}: ${pinned.stderr || pinned.error?.message}`)
  console.log(`worker ${index + 1} pinned to core${cpusPerWorker > 1 ? 's' : ''} ${list}`)
}

async function runPhase (ctx: Context, workers: number, batch: Recording[], warmUp: Recording): Promise<PhaseResult> {
  console.log(`\n== ${workers} worker process${workers > 1 ? 'es' : ''} (WORKER_CONCURRENCY=${concurrency}) ==`)
  const violations: string[] = []
  const phaseTmp = path.join(ctx.tmpRoot, `workers-${workers}`)
  const phaseLogs = path.join(logDir, `workers-${workers}`)
  fs.mkdirSync(phaseLogs, { recursive: true })
  const slots = new WorkerSlots(ctx.workerEnv, workers, phaseTmp, phaseLogs)
  slotsRunning = slots
  cleanup.teardown(() => slots.killEverything())
  // Our reaped children's CPU before the workers start: the cross-check below.
  const reapedBefore = reapedChildrenCpuS()
  for (let i = 0; i < workers; i++) {
    slots.start(i)
    if (cpusPerWorker > 0) pinToCpus(slots.slots[i]!.child!.pid!, i)
  }
  await waitFor(`${workers} workers to connect`, async () => ((await ctx.queue.getWorkersCount()) >= workers ? true : undefined), 120_000, 200)

  // Warm-up: one short job per job process, until every worker's job processes have each done one.
  const warmStarted = Date.now()
  const warmIds: string[] = []
  const warmedProcesses = () => slots.slots.map((slot) => new Set(jobProcesses(slot.logFile).values()).size)
  for (let round = 1; warmedProcesses().some((n) => n < concurrency); round++) {
    if (round > 5) throw new Error(`warm-up: after 5 rounds the workers' job processes that ran a job: ${warmedProcesses().join(', ')} (want ${concurrency} each)`)
    const missing = warmedProcesses().reduce((sum, n) => sum + Math.max(0, concurrency - n), 0)
    const posted = await Promise.all(Array.from({ length: missing }, () => post(ctx, warmUp)))
    warmIds.push(...posted.map((p) => p.id))
    await waitUntilEnded(ctx, posted.map((p) => p.id), slots.slots.map((slot) => slot.logFile))
  }
  console.log(`warm-up: ${warmIds.length} jobs of ${path.basename(warmUp.file)} (${fmt(warmUp.durationS, 1)} s) in ${fmt((Date.now() - warmStarted) / 1000, 1)} s since the workers connected; job processes warmed per worker: ${warmedProcesses().join(', ')}`)
  if (slots.unexpectedExits.length > 0) throw new Error(`a worker exited during the warm-up: ${JSON.stringify(slots.unexpectedExits)}`)

  // Temp folders: every job folder seen must belong to a process of that worker's tree.
  const seenFolders = slots.slots.map(() => new Set<string>())
  const watchTemp = () => {
    for (const slot of slots.slots) {
      for (const name of fs.readdirSync(slot.tmpDir)) {
        if (seenFolders[slot.index]!.has(name)) continue
        seenFolders[slot.index]!.add(name)
        const pid = Number(JOB_DIR.exec(name)?.[2])
        if (!pid || !treePids(slot.child!.pid!).has(pid)) violations.push(`worker ${slot.index + 1}'s temp folder ${slot.tmpDir} held ${name}, not made by a process of that worker`)
      }
    }
  }
  const peakRss = slots.slots.map(() => 0)
  const watchMemory = () => slots.slots.forEach((slot) => { peakRss[slot.index] = Math.max(peakRss[slot.index]!, sampleTree(slot.child!.pid!).rssBytes) })
  const tempTimer = setInterval(watchTemp, 100)
  const memoryTimer = setInterval(watchMemory, 1000)

  // The measured batch. Workers idle: CPU sums now are exact (no process starts or ends).
  await sleep(1000)
  const loadBefore = loadAverage()
  const cpuBefore = slots.slots.map((slot) => sampleTree(slot.child!.pid!).cpuS)
  const machineBefore = machineCpu()
  const started = Date.now()
  const posted: Posted[] = []
  try {
    for (const recording of batch) posted.push(await post(ctx, recording))
    await waitUntilEnded(ctx, posted.map((p) => p.id), slots.slots.map((slot) => slot.logFile))
  } finally {
    clearInterval(tempTimer)
    clearInterval(memoryTimer)
  }
  const cpuAfter = slots.slots.map((slot) => sampleTree(slot.child!.pid!).cpuS)
  const machineAfter = machineCpu()
  const loadAfter = loadAverage()
  watchTemp()

  // Who ran what, and how often.
  const completedBy = slots.slots.map((slot) => readLogs([slot.logFile]).completedRuns)
  const processes = slots.slots.map((slot) => jobProcesses(slot.logFile))
  let lastEnd = 0
  const rows: string[][] = []
  for (const [i, { id, recording }] of posted.entries()) {
    const row = (await ctx.analyses.get(id))!
    const job = await ctx.queue.getJob(id)
    const runs = completedBy.map((runs) => runs.get(id) ?? 0)
    const by = runs.flatMap((n, w) => (n > 0 ? [w + 1] : []))
    if (row.status !== 'completed') violations.push(`${id}: ${row.status} ${row.errorCode ?? ''} ${row.errorMessage ?? ''}`)
    if (row.attempts !== 1) violations.push(`${id}: started ${row.attempts} times (MariaDB attempts)`)
    if (!job) violations.push(`${id}: no job record`)
    else if (job.attemptsStarted !== 1 || job.stalledCounter !== 0) violations.push(`${id}: BullMQ attemptsStarted ${job.attemptsStarted}, stalledCounter ${job.stalledCounter}`)
    if (runs.reduce((a, b) => a + b, 0) !== 1) violations.push(`${id}: completed ${runs.join(' + ')} times in the worker logs`)
    lastEnd = Math.max(lastEnd, job?.finishedOn ?? 0)
    const worker = by.length === 1 ? by[0]! : 0
    rows.push([
      String(i + 1), id, path.basename(recording.file), fmt(recording.durationS, 1),
      by.join('+') || '-', String(processes[worker - 1]?.get(id) ?? '-'),
      job?.processedOn && job.timestamp ? fmt((job.processedOn - job.timestamp) / 1000, 1) : '-',
      job?.processedOn && job.finishedOn ? fmt((job.finishedOn - job.processedOn) / 1000, 1) : '-',
      String(row.attempts), String(job?.attemptsStarted ?? '-')
    ])
  }
  // Warm-up jobs must also have run once each.
  for (const id of warmIds) {
    const runs = completedBy.reduce((sum, runs) => sum + (runs.get(id) ?? 0), 0)
    if (runs !== 1) violations.push(`warm-up ${id}: completed ${runs} times in the worker logs`)
  }
  printTable(['#', 'analysis', 'recording', 'length s', 'worker', 'job pid', 'waited s', 'ran s', 'attempts', 'started'], rows)

  for (const slot of slots.slots) {
    const left = fs.readdirSync(slot.tmpDir)
    if (left.length > 0) violations.push(`worker ${slot.index + 1}'s temp folder ${slot.tmpDir} is not empty: ${left.join(', ')}`)
  }
  console.log(`temp folders: ${slots.slots.map((slot) => `worker ${slot.index + 1} ${slot.tmpDir}: ${seenFolders[slot.index]!.size} job folders seen, all its own; ${fs.readdirSync(slot.tmpDir).length} left`).join('; ')}`)
  console.log(`jobs per worker: ${completedBy.map((runs, w) => `worker ${w + 1} ${posted.filter((p) => runs.has(p.id)).length}`).join(', ')}`)

  // Lifetime CPU of the trees just before they stop, against what the kernel gives us for them once reaped.
  const lifetimeCpuS = slots.slots.reduce((sum, slot) => sum + sampleTree(slot.child!.pid!).cpuS, 0)
  const codes = slots.slots.map((slot) => new Promise<number | null>((resolve) => {
    const child = slot.child!
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  }))
  const forced = await slots.stopAll(40_000)
  const exitCodes = await Promise.all(codes)
  if (forced.length > 0 || exitCodes.some((code) => code !== 0)) violations.push(`workers on SIGTERM: exit codes ${exitCodes.join(', ')}${forced.length ? `, SIGKILL needed for ${forced.map((i) => i + 1).join(', ')}` : ''}`)
  if (slots.unexpectedExits.length > 0) violations.push(`workers exited unexpectedly: ${JSON.stringify(slots.unexpectedExits)}`)
  await sleep(500)
  violations.push(...await strayProcesses(slots.groups, phaseTmp))
  const reapedCpuS = reapedChildrenCpuS() - reapedBefore
  slotsRunning = undefined

  return {
    workers,
    wallS: (lastEnd - started) / 1000,
    videoS: batch.reduce((sum, r) => sum + r.durationS, 0),
    cpuS: cpuAfter.reduce((sum, cpu, i) => sum + cpu - cpuBefore[i]!, 0),
    machineBusyS: machineAfter.busyS - machineBefore.busyS,
    peakRss,
    lifetimeCpuS,
    reapedCpuS,
    loadBefore,
    loadAfter,
    violations
  }
}

function printTable (header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)))
  for (const line of [header, ...rows]) console.log(line.map((cell, i) => (i === 1 || i === 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
}

let failed = false
try {
  console.log(`Candor worker throughput  (${os.cpus().length} cores: ${os.cpus()[0]?.model ?? '?'}; ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB; node ${process.version}; load average ${loadAverage()})`)
  const mongoUrl = await realMongoUrl()
  if (mongoUrl) process.env.MONGODB_URL = mongoUrl
  else delete process.env.MONGODB_URL // testEnvironment then starts the test double
  const { config, env, storage } = await testEnvironment(cleanup, {
    mongo: true,
    env: { NODE_ENV: 'production', WORKER_IN_PROCESS: 'false', RATE_LIMIT_MAX: String(UNLIMITED), TENANT_MAX_ACTIVE_ANALYSES: String(UNLIMITED) }
  })
  // Workers log at info: their "job completed" lines say which worker ran each job.
  const workerEnv: NodeJS.ProcessEnv = { ...env, LOG_LEVEL: 'info', WORKER_CONCURRENCY: String(concurrency) }
  await migrate(config.mariadb.url)

  // Recordings: the source, a longer one looped from it, and the warm-up clip.
  const videoDir = path.join(logDir, 'videos')
  fs.mkdirSync(videoDir)
  const files = { short: sourceVideo, long: loopedVideo(sourceVideo, videoDir), warmUp: WARM_UP_CLIP }
  const recordings: Record<keyof typeof files, Recording> = {} as Record<keyof typeof files, Recording>
  for (const [name, file] of Object.entries(files) as Array<[keyof typeof files, string]>) {
    const key = `${TENANT}/${name}${path.extname(file)}`
    await storage.put(config.s3.uploadsBucket, key, fs.readFileSync(file))
    recordings[name] = { key, file, durationS: (await probeVideo(file, config.ffmpeg)).durationS }
  }
  const batch = Array.from({ length: jobCount }, (_, i) => (i % 2 === 0 ? recordings.short : recordings.long))

  const pool = createPool(config.mariadb.url, 4)
  cleanup.teardown(() => pool.end())
  const tenants = new TenantRepository(pool)
  await tenants.upsertTenant(TENANT, { allowedLocations: [{ bucket: config.s3.uploadsBucket, prefix: `${TENANT}/` }], maxActiveAnalyses: UNLIMITED })
  const { key } = await tenants.createKey({ tenantId: TENANT, scopes: [...SCOPES], name: 'npm run bench:workers', rateLimitMax: UNLIMITED })
  const queue = createAnalysisQueue(config)
  queue.on('error', () => {})
  cleanup.teardown(() => queue.close())
  const server = await startApiProcess({ ...env, LOG_LEVEL: 'warn' }, path.join(logDir, 'api.log'), cleanup)

  const ctx: Context = { config, workerEnv, apiUrl: server.url, authorization: `Bearer ${key}`, analyses: new AnalysisRepository(pool), queue, tmpRoot: config.tmpDir }
  const videoS = batch.reduce((sum, r) => sum + r.durationS, 0)
  console.log(`batch: ${jobCount} analyses, alternately ${path.basename(recordings.short.file)} (${fmt(recordings.short.durationS, 1)} s) and ${path.basename(recordings.long.file)} (${loops} x, ${fmt(recordings.long.durationS, 1)} s): ${fmt(videoS / 60)} recording-minutes`)
  console.log(`services: Redis ${config.redis.url} prefix ${config.queue.prefix}; MariaDB database ${new URL(config.mariadb.url).pathname.slice(1)}; S3 bucket ${config.s3.uploadsBucket}; ${mongoUrl ? 'MongoDB at MONGODB_URL' : 'MongoDB: the wire-protocol test double in this process (no MongoDB server answers)'}; API ${server.url} (own process, WORKER_IN_PROCESS=false)`)
  console.log(`worker logs: ${logDir}${keepLogs ? '' : ' (removed at the end unless the run fails; --keep-logs keeps them)'}`)

  const results: PhaseResult[] = []
  for (const workers of workerCounts) results.push(await runPhase(ctx, workers, batch, recordings.warmUp))

  console.log(`\n== results (${jobCount} analyses, ${fmt(videoS / 60)} recording-minutes; WORKER_CONCURRENCY=${concurrency}; ${cpusPerWorker > 0 ? `each worker pinned to ${cpusPerWorker} core(s) of its own; ` : ""}CPU = user + system of the worker process trees incl. job processes and ffmpeg; 100 % = one core) ==`)
  const base = results[0]!
  printTable(
    ['workers', 'wall s', 'per hour', 'rec-min/wall-min', 'rec-min/CPU-min', 'worker CPU', 'machine busy', 'peak RSS MiB', 'speed-up', 'load avg before -> after'],
    results.map((r) => [
      String(r.workers), fmt(r.wallS, 1), fmt(jobCount / (r.wallS / 3600), 1), fmt(r.videoS / r.wallS), fmt(r.videoS / r.cpuS),
      `${fmt((r.cpuS / r.wallS) * 100, 0)} %`, `${fmt((r.machineBusyS / r.wallS) * 100, 0)} %`,
      r.peakRss.map((b) => fmt(b / 1024 ** 2, 0)).join(' + '), `${fmt(base.wallS / r.wallS)}x`, `${r.loadBefore} -> ${r.loadAfter}`
    ]))
  for (const r of results) {
    console.log(`${r.workers} worker(s): CPU cross-check, whole lifetime of the trees: ${fmt(r.lifetimeCpuS, 1)} s from /proc just before SIGTERM, ${fmt(r.reapedCpuS, 1)} s from the kernel's count for our reaped children after they exited (the difference is the shutdown)`)
  }
  const violations = results.flatMap((r) => r.violations.map((v) => `${r.workers} worker(s): ${v}`))
  if (violations.length > 0) {
    failed = true
    console.error(`\n${violations.length} violations:\n${violations.map((v) => `  ${v}`).join('\n')}`)
  } else {
    console.log('\nchecks: every analysis completed, started once (MariaDB attempts 1, BullMQ attemptsStarted 1, stalledCounter 0) and completed by exactly one worker once; each worker\'s temp folder held only its own job folders and is empty; every worker exited 0 on SIGTERM and left no process')
  }
} catch (error) {
  failed = true
  console.error(`bench:workers: ${(error as Error).stack ?? String(error)}`)
} finally {
  if (failed) {
    keepLogs = true
    process.exitCode = 1
    console.error(`logs kept in ${logDir}`)
  }
  slotsRunning?.killEverything()
  await cleanup.run()
}
