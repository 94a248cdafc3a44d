/**
 * Mutation fuzzing of media through the real worker path, shared by `npm run fuzz:media` and
 * test/jobs/media-fuzz.test.ts. On isolated services (test/helpers/environment.ts) it starts
 * the API app in this process and real `npm run worker` processes, uploads each mutated variant
 * (test/support/media-fuzz) to S3 and asks POST /analyze for it. A variant the API refuses
 * (422) is also queued directly (repository + enqueueAnalysis, as POST /analyze does after its
 * checks), so every variant reaches a worker. Then it checks what the issue asks: each
 * analysis ends completed or failed with a code and a message, no worker or job process dies,
 * none outlives the job time limit, and nothing is left in CANDOR_TMP_DIR or running.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildApp } from '../../src/app.js'
import { createLogger } from '../../src/logger.js'
import type { Pool } from '../../src/db/mariadb.js'
import { migrate } from '../../src/db/migrate.js'
import { enqueueAnalysis } from '../../src/queue/analysis-queue.js'
import { testEnvironment, waitFor, type TestContext } from './environment.js'
import { callerFor } from './app.js'
import { killGroup, startWorkerProcess } from './processes.js'
import { makeBaseVideos } from '../support/media-fuzz/base-videos.js'
import { makeVariants } from '../support/media-fuzz/mutations.js'

export interface FuzzOptions {
  variants: number
  seed: number
  /** `npm run worker` processes, one job at a time each. */
  workers: number
  /** JOB_TIME_LIMIT_SECONDS of the run; JOB_TIME_LIMIT_PER_VIDEO_SECOND is 1, MAX_VIDEO_SECONDS 30. */
  timeLimitS: number
  /** Variants, their manifest and the workers' logs go here. */
  dir: string
  /** Progress lines. */
  log: (line: string) => void
}

/** How the analysis reached a worker: through POST /analyze, or queued directly after the API refused it. */
export type Route = 'api' | 'direct'

export interface Outcome {
  name: string
  mutations: string[]
  bytes: number
  options: Record<string, unknown>
  route: Route
  /** POST /analyze's answer: 202, or the refusal (422) and its message, and how long it took. */
  api: { statusCode: number, ms: number, message?: string }
  analysisId: string | null
  status: 'completed' | 'failed' | 'unfinished'
  code: string | null
  message: string | null
  attempts: number
  /** From first seen processing to ended (polled every 500 ms); null if never seen processing. */
  processingMs: number | null
}

export interface FuzzReport {
  options: Omit<FuzzOptions, 'log' | 'dir'>
  limits: { baseSeconds: number, perVideoSecond: number, maxVideoSeconds: number, hangBoundS: number }
  outcomes: Outcome[]
  workerExits: string[]
  /** Sandboxed job processes seen under the workers over the run (one each expected). */
  jobProcesses: { expected: number, seen: number }
  leftoverTempFiles: string[]
  strayProcesses: string[]
  timings: { prepareS: number, submitS: number, drainS: number, totalS: number }
  violations: string[]
}

/** Codes that mean a process died or a job was lost, not that the file was judged. */
const CRASH_CODES = new Set(['worker_crashed', 'worker_lost', 'job_lost', 'result_lost'])
const MAX_VIDEO_SECONDS = 30
const PER_VIDEO_SECOND = 1
/** Beyond the time limit: stopping the engine (threads drained up to 5 s, or replaced), a busy machine. */
const HANG_SLACK_S = 45

export async function runMediaFuzz (t: TestContext, options: FuzzOptions): Promise<FuzzReport> {
  const { log } = options
  const started = performance.now()
  const hangBoundS = options.timeLimitS + PER_VIDEO_SECOND * MAX_VIDEO_SECONDS + HANG_SLACK_S
  const limits = { baseSeconds: options.timeLimitS, perVideoSecond: PER_VIDEO_SECOND, maxVideoSeconds: MAX_VIDEO_SECONDS, hangBoundS }

  const bases = await makeBaseVideos(options.dir)
  const variants = makeVariants(bases, options.seed, options.variants)
  for (const variant of variants) await fsp.writeFile(path.join(options.dir, `${variant.name}.${variant.ext}`), variant.data)
  log(`${variants.length} variants of ${bases.map((b) => `${b.name} (${b.data.length} B)`).join(', ')} in ${options.dir}`)

  const { config, env, storage } = await testEnvironment(t, {
    mongo: true,
    env: {
      WORKER_IN_PROCESS: 'false',
      WORKER_CONCURRENCY: '1',
      // One attempt: a failure is the file's verdict, and retries would only repeat it.
      JOB_ATTEMPTS: '1',
      JOB_TIME_LIMIT_SECONDS: String(options.timeLimitS),
      JOB_TIME_LIMIT_PER_VIDEO_SECOND: String(PER_VIDEO_SECOND),
      MAX_VIDEO_SECONDS: String(MAX_VIDEO_SECONDS),
      RATE_LIMIT_MAX: '1000000',
      TENANT_MAX_ACTIVE_ANALYSES: '1000000',
      // Rule-based feedback only: no network.
      OPENAI_API_KEY: ''
    }
  })
  t.teardown(() => fsp.rm(config.tmpDir, { recursive: true, force: true }))
  await migrate(config.mariadb.url)
  const app = await buildApp(config, createLogger(config))
  t.teardown(() => app.close())
  await app.ready()
  const bucket = config.s3.uploadsBucket
  const { api } = await callerFor(app, 'fuzz', { locations: [{ bucket, prefix: 'fuzz/' }] })

  const workers = startWorkers(t, { ...env, LOG_LEVEL: 'warn' }, options)
  const jobPids = new Set<number>()
  const watchJobs = setInterval(() => { for (const pid of jobProcessesOf(workers.pids())) jobPids.add(pid) }, 250)
  t.teardown(() => clearInterval(watchJobs))
  for (const variant of variants) await storage.put(bucket, `fuzz/${variant.name}.${variant.ext}`, variant.data)
  const prepareS = seconds(started)

  // A few at a time: each POST probes the object over HTTP with ffprobe, mostly waiting on S3.
  const submitStarted = performance.now()
  const outcomes = await mapLimit(variants, 4, async (variant): Promise<Outcome> => {
    const key = `fuzz/${variant.name}.${variant.ext}`
    // Every fourth at 5 fps: ffmpeg then resamples (its fps filter) instead of passing frames through.
    const analysisOptions = variant.index % 4 === 3 ? { fps: 5 } : {}
    const posted = performance.now()
    const reply = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: key, user_id: 'fuzz', session_id: variant.name, options: analysisOptions } })
    const ms = Math.round(performance.now() - posted)
    const body = reply.json() as { analysis_id?: string, message?: string }
    const outcome: Outcome = {
      name: variant.name, mutations: variant.mutations, bytes: variant.data.length, options: analysisOptions, route: 'api',
      api: { statusCode: reply.statusCode, ms, ...(body.message && reply.statusCode !== 202 ? { message: body.message } : {}) },
      analysisId: body.analysis_id ?? null, status: 'unfinished', code: null, message: null, attempts: 0, processingMs: null
    }
    if (reply.statusCode === 422) {
      // Refused with a reason; the worker must judge the same file as well.
      const { analysis } = await app.analyses.create({ tenantId: 'fuzz', userId: 'fuzz', sessionId: `${variant.name}-direct`, s3Bucket: bucket, s3Key: key, options: analysisOptions })
      await enqueueAnalysis(app.analysisQueue, analysis.id)
      outcome.route = 'direct'
      outcome.analysisId = analysis.id
    }
    return outcome
  })
  const submitS = seconds(submitStarted)
  log(`submitted in ${submitS.toFixed(1)} s: ${outcomes.filter((o) => o.route === 'api' && o.analysisId).length} accepted, ${outcomes.filter((o) => o.route === 'direct').length} refused at the API (422) and queued directly`)

  const drainStarted = performance.now()
  await followUntilEnded(app.mariadb, outcomes, hangBoundS * 1000, workers, log)
  // A job is active until its processor returns, after its temp folder is removed.
  await waitFor('the queue to be idle', async () => {
    const counts = await app.analysisQueue.getJobCounts('active', 'waiting', 'delayed', 'prioritized')
    return Object.values(counts).every((n) => n === 0) ? true : undefined
  }, 30_000, 250).catch(() => undefined)
  const drainS = seconds(drainStarted)
  clearInterval(watchJobs)

  const leftoverTempFiles = await listFiles(config.tmpDir)
  const strayProcesses = describe(processTable().filter((p) =>
    (p.comm === 'ffmpeg' || p.comm === 'ffprobe') && (workers.pids().includes(p.pgrp) || p.ppid === process.pid)))
  const apiViolations = await checkThroughApi(api, outcomes)
  const workerExits = await workers.stop()
  leftoverTempFiles.push(...(await listFiles(config.tmpDir)).filter((file) => !leftoverTempFiles.includes(file)))

  const report: FuzzReport = {
    options: { variants: options.variants, seed: options.seed, workers: options.workers, timeLimitS: options.timeLimitS },
    limits,
    outcomes,
    workerExits,
    jobProcesses: { expected: options.workers, seen: jobPids.size },
    leftoverTempFiles,
    strayProcesses,
    timings: { prepareS, submitS, drainS, totalS: seconds(started) },
    violations: []
  }
  report.violations = [...findViolations(report), ...apiViolations]
  await fsp.writeFile(path.join(options.dir, 'report.json'), JSON.stringify(report, null, 2))
  return report
}

function findViolations (report: FuzzReport): string[] {
  const found: string[] = []
  for (const o of report.outcomes) {
    const what = `${o.name} (${o.mutations.join('; ')})`
    if (o.api.statusCode !== 202 && o.api.statusCode !== 422) found.push(`${what}: POST /analyze answered ${o.api.statusCode} ${o.api.message ?? ''}`)
    if (o.status === 'unfinished') found.push(`${what}: not ended (a hang): still ${o.code ?? 'unfinished'} after ${report.limits.hangBoundS} s`)
    if (o.status === 'failed' && !(o.code && o.message)) found.push(`${what}: failed without a code and message`)
    if (o.code && CRASH_CODES.has(o.code)) found.push(`${what}: ${o.code}: ${o.message}`)
    // Bad input must be recognised as such: an internal error would be retried as if transient.
    if (o.code === 'internal_error') found.push(`${what}: unclassified failure: ${o.message}`)
    if (o.processingMs !== null && o.processingMs > report.limits.hangBoundS * 1000) found.push(`${what}: took ${(o.processingMs / 1000).toFixed(1)} s, beyond ${report.limits.hangBoundS} s`)
  }
  found.push(...report.workerExits.map((exit) => `worker process died: ${exit}`))
  if (report.jobProcesses.seen > report.jobProcesses.expected) {
    found.push(`job processes restarted: ${report.jobProcesses.seen} seen for ${report.jobProcesses.expected} workers`)
  }
  found.push(...report.leftoverTempFiles.map((file) => `temp file left: ${file}`))
  found.push(...report.strayProcesses.map((p) => `process left running: ${p}`))
  return found
}

/** Polls MariaDB until every analysis has ended, one is processing beyond the bound, or nothing ends for that long. */
async function followUntilEnded (pool: Pool, outcomes: Outcome[], boundMs: number, workers: Workers, log: (line: string) => void): Promise<void> {
  const byId = new Map(outcomes.filter((o) => o.analysisId).map((o) => [o.analysisId!, o]))
  const processingSince = new Map<string, number>()
  let lastEnd = performance.now()
  let reported = 0
  for (;;) {
    const rows = await pool.query('SELECT id, status, error_code, error_message, attempts FROM analyses WHERE tenant_id = ?', ['fuzz']) as Array<{ id: string, status: string, error_code: string | null, error_message: string | null, attempts: number }>
    const now = performance.now()
    for (const row of rows) {
      const outcome = byId.get(row.id)
      if (!outcome || outcome.status !== 'unfinished') continue
      outcome.attempts = row.attempts
      if (row.status === 'processing' && !processingSince.has(row.id)) processingSince.set(row.id, now)
      if (row.status === 'completed' || row.status === 'failed') {
        Object.assign(outcome, { status: row.status, code: row.error_code, message: row.error_message })
        const since = processingSince.get(row.id)
        outcome.processingMs = since === undefined ? null : Math.round(now - since)
        lastEnd = now
      }
    }
    const open = [...byId.values()].filter((o) => o.status === 'unfinished')
    const ended = byId.size - open.length
    if (ended >= reported + 25 || open.length === 0) {
      reported = ended
      log(`${ended}/${byId.size} ended`)
    }
    if (open.length === 0) return
    const hung = open.filter((o) => now - (processingSince.get(o.analysisId!) ?? now) > boundMs)
    if (hung.length > 0 || now - lastEnd > boundMs || workers.alive() === 0) {
      for (const o of open) o.code = o.code ?? (processingSince.has(o.analysisId!) ? 'processing' : 'queued')
      log(`stopped waiting: ${open.length} analyses not ended (${hung.length} processing beyond ${boundMs / 1000} s, ${workers.alive()} workers alive)`)
      return
    }
    await sleep(500)
  }
}

/** What a client reads: GET /analysis/:id agrees with the row, and a failure carries { code, message }. */
async function checkThroughApi (api: Awaited<ReturnType<typeof callerFor>>['api'], outcomes: Outcome[]): Promise<string[]> {
  const found: string[] = []
  for (const o of outcomes) {
    if (!o.analysisId || o.status === 'unfinished') continue
    const reply = await api({ url: `/analysis/${o.analysisId}` })
    const body = reply.json() as { status?: string, error?: { code?: string, message?: string } | null, analysed_frames?: number | null }
    if (reply.statusCode !== 200 || body.status !== o.status) {
      found.push(`${o.name}: GET /analysis answered ${reply.statusCode} ${body.status ?? ''}, the row says ${o.status}`)
    } else if (o.status === 'failed' && !(body.error?.code && body.error.message)) {
      found.push(`${o.name}: failed, but GET /analysis shows no error code and message`)
    } else if (o.status === 'completed' && !(body.analysed_frames! > 0)) {
      found.push(`${o.name}: completed with ${body.analysed_frames} frames analysed`)
    }
  }
  return found
}

interface Workers {
  pids: () => number[]
  alive: () => number
  /** SIGTERM, then SIGKILL to the group after 30 s; returns how workers died before it was asked. */
  stop: () => Promise<string[]>
}

/** `npm run worker` processes, each in its own process group, logging to the run's folder. */
function startWorkers (t: TestContext, env: NodeJS.ProcessEnv, options: FuzzOptions): Workers {
  const deaths: string[] = []
  let stopping = false
  const children: ChildProcess[] = []
  for (let i = 1; i <= options.workers; i++) {
    const logFile = fs.openSync(path.join(options.dir, `worker-${i}.log`), 'a')
    const child = startWorkerProcess(env, logFile)
    fs.closeSync(logFile)
    child.once('exit', (code, signal) => {
      if (!stopping) deaths.push(`worker ${i} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}; see worker-${i}.log`)
    })
    children.push(child)
  }
  t.teardown(() => children.forEach(killGroup))
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null
  return {
    pids: () => children.map((c) => c.pid!),
    alive: () => children.filter(running).length,
    stop: async () => {
      stopping = true
      await Promise.all(children.map(async (child) => {
        if (!running(child)) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        if (await Promise.race([exited.then(() => true), sleep(30_000, false)])) return
        killGroup(child)
        deaths.push(`worker pid ${child.pid} did not stop within 30 s of SIGTERM`)
        await exited
      }))
      // Whatever the group still holds a moment later (a job process, an ffmpeg) was left
      // behind. tsx's esbuild service is no product process: it ends when its parent's pipe
      // closes, and on a fresh machine (no transform cache) it may still be ending.
      const leftInGroups = () => processTable().filter((p) => children.some((c) => c.pid === p.pgrp) && p.comm !== 'esbuild')
      for (let waited = 0; waited < 3000 && leftInGroups().length > 0; waited += 100) await sleep(100)
      for (const p of leftInGroups()) {
        deaths.push(`left running after the worker stopped: ${describe([p])[0]}`)
        try { process.kill(p.pid, 'SIGKILL') } catch { /* gone */ }
      }
      return deaths
    }
  }
}

interface ProcessInfo { pid: number, ppid: number, pgrp: number, comm: string, args: string }

/** Every process on the machine, from /proc (empty elsewhere). */
function processTable (): ProcessInfo[] {
  let names: string[]
  try { names = fs.readdirSync('/proc') } catch { return [] }
  const table: ProcessInfo[] = []
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const args = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      table.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), args })
    } catch { /* exited meanwhile */ }
  }
  return table
}

/** The sandboxed job processes (BullMQ forks of src/jobs/processor) under the given workers. */
function jobProcessesOf (workerPids: number[]): number[] {
  return processTable().filter((p) => workerPids.includes(p.ppid) && /bullmq\/dist\/\w+\/classes\/main\.js/.test(p.args)).map((p) => p.pid)
}

function describe (processes: ProcessInfo[]): string[] {
  return processes.map((p) => `${p.comm} pid ${p.pid}: ${p.args.slice(0, 200)}`)
}

async function listFiles (dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true }).catch(() => [] as string[])
  return entries.map((entry) => path.join(dir, entry))
}

async function mapLimit<T, R> (items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }))
  return results
}

function seconds (since: number): number {
  return Math.round((performance.now() - since) / 100) / 10
}

/** The report as lines for a terminal or a test comment. */
export function formatReport (report: FuzzReport): string[] {
  const { outcomes, options, limits, timings } = report
  const count = (pick: (o: Outcome) => string, among = outcomes) => [...among.reduce((m, o) => m.set(pick(o), (m.get(pick(o)) ?? 0) + 1), new Map<string, number>())]
    .sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`).join(', ')
  const direct = outcomes.filter((o) => o.route === 'direct')
  const timed = outcomes.filter((o) => o.processingMs !== null).sort((a, b) => b.processingMs! - a.processingMs!)
  const slowest = timed[0]
  const median = timed[Math.floor(timed.length / 2)]
  const posts = outcomes.map((o) => o.api.ms).sort((a, b) => a - b)
  const slowestPost = outcomes.find((o) => o.api.ms === posts[posts.length - 1])
  return [
    `media fuzz: seed ${options.seed}, ${outcomes.length} variants, ${options.workers} worker processes; job time limit ${limits.baseSeconds} s + ${limits.perVideoSecond} s per video second (MAX_VIDEO_SECONDS ${limits.maxVideoSeconds}); a hang = not ended ${limits.hangBoundS} s after it started`,
    `through the worker: ${outcomes.filter((o) => o.analysisId).length} (${outcomes.length - direct.length} via POST /analyze, ${direct.length} queued directly after a 422)`,
    `refused at the API (422): ${direct.length}${direct.length ? ` (${count((o) => (o.api.message ?? '').split(':')[0]!, direct)}); then by the worker: ${count((o) => (o.status === 'failed' ? `failed ${o.code}` : o.status), direct)}` : ''}`,
    `outcomes: ${count((o) => (o.status === 'failed' ? `failed ${o.code}` : o.status))}`,
    `by category: ${[...new Set(outcomes.map((o) => o.name.split('-').slice(2).join('-')))].map((c) => `${c} ${outcomes.filter((o) => o.name.endsWith(`-${c}`) && o.status === 'completed').length}/${outcomes.filter((o) => o.name.endsWith(`-${c}`)).length} completed`).join(', ')}`,
    `POST /analyze: median ${((posts[Math.floor(posts.length / 2)] ?? 0) / 1000).toFixed(1)} s, slowest ${((posts[posts.length - 1] ?? 0) / 1000).toFixed(1)} s (${slowestPost?.name ?? '-'}, ${slowestPost?.api.statusCode ?? ''})`,
    `job time: median ${((median?.processingMs ?? 0) / 1000).toFixed(1)} s, slowest ${((slowest?.processingMs ?? 0) / 1000).toFixed(1)} s (${slowest ? `${slowest.name}, ${slowest.status} ${slowest.code ?? ''}` : '-'})`,
    `worker processes died: ${report.workerExits.length}; job processes: ${report.jobProcesses.seen} for ${report.jobProcesses.expected} workers (more = restarted); temp files left: ${report.leftoverTempFiles.length}; ffmpeg/ffprobe left running: ${report.strayProcesses.length}`,
    `time: ${timings.totalS.toFixed(0)} s (prepare ${timings.prepareS.toFixed(0)} s, submit ${timings.submitS.toFixed(0)} s, until all ended ${timings.drainS.toFixed(0)} s)`,
    report.violations.length === 0 ? 'violations: none' : `VIOLATIONS (${report.violations.length}):`,
    ...report.violations.map((v) => `  - ${v}`)
  ]
}

