/**
 * npm run bench:live [-- --sessions 1,2,4,6,8 --duration 15 --warm-up 3 --fps 20]: how many
 * live sessions (GET /live, the server path of live practice) one machine holds.
 *
 * The API is the real server (`node --import tsx src/server.ts`, NODE_ENV=production, no
 * in-process analysis worker) in a child process on isolated services (as npm run load), with
 * its live caps set out of the way. For each N, N simulated sessions each send real frames of
 * sad_to_happy_pexels.mp4 (640 px JPEG, about 40 KB, as a browser's canvas gives) at --fps,
 * whatever comes back (the server drops what it cannot keep up with). Measured over --duration
 * seconds after --warm-up: analysed frames per second per session, the share dropped, the
 * latency from sending a frame to its reply (p50, p95), the API process's CPU (all its
 * threads; 100 % = one core) and memory (RSS). The client runs on the same machine (its cost,
 * sending prepared JPEGs and parsing replies, is small but shares the cores).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { migrate } from '../src/db/migrate.js'
import { createPool } from '../src/db/mariadb.js'
import { TenantRepository } from '../src/repositories/tenants.js'
import { SCOPES } from '../src/auth/api-key.js'
import type { LiveFrameReply } from '../src/live/protocol.js'
import { testEnvironment, fixtures } from '../test/helpers/environment.js'
import { Cleanup } from '../test/helpers/cleanup.js'
import { LiveClient, videoJpegs } from '../test/live/client.js'
import { wholeNumber } from './cli-options.js'
import { startApiProcess } from './api-process.js'

const UNLIMITED = 1_000_000
const VIDEO = path.join(fixtures, 'video', 'sad_to_happy_pexels.mp4')

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1,2,4,6,8' },
    duration: { type: 'string', default: '15' },
    'warm-up': { type: 'string', default: '3' },
    fps: { type: 'string', default: '20' },
    workers: { type: 'string', default: '0' }
  }
})
const counts = args.sessions.split(',').map((n) => wholeNumber('sessions', n.trim(), 1, 100))
const durationS = wholeNumber('duration', args.duration, 1, 600)
const warmUpS = wholeNumber('warm-up', args['warm-up'], 0, 60)
const fps = wholeNumber('fps', args.fps, 1, 60)
const workers = wholeNumber('workers', args.workers, 0, 64)

const cleanup = new Cleanup()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void cleanup.run().finally(() => process.exit(130)) })
}

function cpuSeconds (pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function rssMiB (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : NaN
}

function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

interface Measure { sent: number, analysed: number, latencies: number[] }

/** One simulated session: frames at `fps` from `offset` in the clip, replies timed. */
class Sender {
  private readonly sentAt = new Map<number, number>()
  private timer: NodeJS.Timeout | null = null
  private next = 0
  private readonly startedAt = performance.now()
  measure: Measure | null = null

  constructor (private readonly client: LiveClient, private readonly frames: Buffer[], offset: number) {
    this.next = offset
    client.socket.on('message', (data) => {
      client.messages.length = 0 // this listener reads them; keep the client's list empty
      const message = JSON.parse(data.toString()) as { type: string }
      if (message.type !== 'frame') return
      const reply = message as LiveFrameReply
      const sent = this.sentAt.get(reply.t)
      for (const t of this.sentAt.keys()) if (t <= reply.t) this.sentAt.delete(t)
      if (this.measure && sent !== undefined) {
        this.measure.analysed++
        this.measure.latencies.push(performance.now() - sent)
      }
    })
  }

  start (): void {
    this.timer = setInterval(() => {
      const t = performance.now() - this.startedAt
      this.sentAt.set(t, performance.now())
      if (this.sentAt.size > 100) this.sentAt.delete(this.sentAt.keys().next().value!)
      this.client.sendFrame(t, this.frames[this.next++ % this.frames.length]!)
      if (this.measure) this.measure.sent++
    }, 1000 / fps)
  }

  async stop (): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.client.close()
  }
}

try {
  console.log(`Candor live sessions  (${os.cpus().length} cores: ${os.cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`)
  const frames = videoJpegs(VIDEO, { startS: 0, count: 200, fps: 20, width: 640 })
  const meanKb = frames.reduce((n, f) => n + f.length, 0) / frames.length / 1024
  const { config, env } = await testEnvironment(cleanup, { mongo: true, env: { RATE_LIMIT_MAX: String(UNLIMITED), WORKER_IN_PROCESS: 'false' } })
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 2)
  cleanup.teardown(() => pool.end())
  const tenants = new TenantRepository(pool)
  await tenants.upsertTenant('live-bench', {})
  const { key } = await tenants.createKey({ tenantId: 'live-bench', scopes: [...SCOPES], name: 'npm run bench:live', rateLimitMax: UNLIMITED })
  const apiLog = path.join(os.tmpdir(), `candor-live-bench-${process.pid}.log`)
  cleanup.teardown(() => fs.rmSync(apiLog, { force: true }))
  const server = await startApiProcess({
    ...env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    LIVE_MAX_SESSIONS: '1000',
    LIVE_MAX_SESSIONS_PER_TENANT: '1000',
    LIVE_WORKERS: String(workers),
    LIVE_MAX_FPS: String(fps)
  }, apiLog, cleanup)
  const pid = server.child.pid!
  console.log(`frames: ${frames.length} of ${path.basename(VIDEO)} at 640 px, JPEG q3 (mean ${meanKb.toFixed(0)} KB), sent at ${fps}/s per session; ${durationS} s measured after ${warmUpS} s; LIVE_WORKERS=${workers || 'one per core'}; emotion ${config.live.emotionFps}/s, pose ${config.live.poseFps}/s`)

  // The first session starts the engine pool (models load): not part of any measurement.
  const loadStarted = performance.now()
  const first = await LiveClient.start(server.url, key)
  if (!(first instanceof LiveClient)) throw new Error(`warm-up session refused: ${JSON.stringify(first)}`)
  console.log(`engine pool ready in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (first session's hello to ready); API RSS idle with models loaded: ${rssMiB(pid).toFixed(0)} MiB`)
  await first.close()

  const rows: Array<{ n: number, fps: number, minFps: number, dropped: number, p50: number, p95: number, cpu: number, cpuPerFrame: number, rss: number }> = []
  console.log('\n| sessions | analysed fps per session (mean, lowest) | dropped | latency p50 / p95 | API CPU (100 % = 1 core) | CPU ms per analysed frame | API RSS | load average |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const n of counts) {
    const senders: Sender[] = []
    for (let i = 0; i < n; i++) {
      const client = await LiveClient.start(server.url, key)
      if (!(client instanceof LiveClient)) throw new Error(`session ${i + 1} of ${n} refused: ${JSON.stringify(client)}`)
      senders.push(new Sender(client, frames, Math.floor(i * frames.length / n)))
    }
    for (const s of senders) s.start()
    await sleep(warmUpS * 1000)
    for (const s of senders) s.measure = { sent: 0, analysed: 0, latencies: [] }
    const cpu0 = cpuSeconds(pid)
    const t0 = performance.now()
    let rss = 0
    while (performance.now() - t0 < durationS * 1000) {
      await sleep(500)
      rss = Math.max(rss, rssMiB(pid))
    }
    const elapsedS = (performance.now() - t0) / 1000
    const cpu = (cpuSeconds(pid) - cpu0) / elapsedS * 100
    const measures = senders.map((s) => s.measure!)
    for (const s of senders) s.measure = null
    await Promise.all(senders.map((s) => s.stop()))
    const perSession = measures.map((m) => m.analysed / elapsedS)
    const sent = measures.reduce((a, m) => a + m.sent, 0)
    const analysed = measures.reduce((a, m) => a + m.analysed, 0)
    const latencies = measures.flatMap((m) => m.latencies)
    const row = {
      n,
      fps: perSession.reduce((a, b) => a + b, 0) / n,
      minFps: Math.min(...perSession),
      dropped: sent > 0 ? 100 * (1 - analysed / sent) : NaN,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      cpu,
      cpuPerFrame: analysed > 0 ? cpu * 10 * elapsedS / analysed : NaN,
      rss
    }
    rows.push(row)
    console.log(`| ${n} | ${row.fps.toFixed(1)} (${row.minFps.toFixed(1)}) | ${row.dropped.toFixed(0)} % | ${row.p50.toFixed(0)} / ${row.p95.toFixed(0)} ms | ${row.cpu.toFixed(0)} % | ${row.cpuPerFrame.toFixed(0)} | ${row.rss.toFixed(0)} MiB | ${os.loadavg()[0]!.toFixed(1)} |`)
    await sleep(1000) // sessions end, the pool drains
  }
  const holds = (minFps: number) => Math.max(0, ...rows.filter((r) => r.minFps >= minFps && r.p95 < 500).map((r) => r.n))
  const perFrame = percentile(rows.map((r) => r.cpuPerFrame), 0.5)
  console.log(`\nCPU per analysed frame (median over the rows): ${perFrame.toFixed(0)} ms: ${os.cpus().length} cores give at most ~${(os.cpus().length * 1000 / perFrame).toFixed(0)} analysed frames a second in all, if this process had them to itself.`)
  console.log(`\nHeld with every session at >= 10 analysed fps and p95 latency < 500 ms: ${holds(10)} sessions; at >= 5 fps: ${holds(5)} sessions (of those tried: ${counts.join(', ')}).`)
} finally {
  await cleanup.run()
}
