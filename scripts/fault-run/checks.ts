/**
 * What must hold once every analysis of a fault run has ended, checked by counting in MariaDB
 * and MongoDB: each analysis ended once (completed, or failed with a code and a message); a
 * completed one has exactly one scores row, one feedback row, the timeline events its metrics
 * call for, and each frame once in MongoDB (frame count = analysed_frames, no bucket twice);
 * every completed analysis of the same input has the same result, frames included.
 */
import crypto from 'node:crypto'
import type { Db } from 'mongodb'
import type { Pool } from '../../src/db/mariadb.js'
import { BUCKET_SIZE, type FrameBucket } from '../../src/repositories/frame-store.js'
import { FACE_KIND } from '../../src/signals/face/codec.js'
import { VOICE_KIND } from '../../src/signals/voice/codec.js'
import { analysisOutcome } from '../../src/signals/outcome.js'
import type { VoiceSummary } from '../../src/signals/voice/summary.js'
import type { Observer } from './observer.js'
import type { LogFacts } from './logs.js'

export interface Submitted { id: string, input: string }

export interface Outcomes {
  completed: number
  failed: number
  /** error_code -> how many, with one message as an example. */
  failures: Map<string, { count: number, message: string }>
  /** Each failed analysis: its code and how many times a worker started it. */
  failedAnalyses: Array<{ id: string, code: string, attempts: number }>
  /** attempts (starts) -> how many analyses. */
  attempts: Map<number, number>
  /** Failed analyses that kept results or frames of an earlier attempt (allowed; reported). */
  failedWithLeftovers: number
  /** Per input: completed analyses and whether all their results are identical. */
  sameResults: Array<{ input: string, completed: number, identical: boolean, differs: string[] }>
}

export interface Verdict { violations: string[], outcomes: Outcomes }

type Row = Record<string, unknown>

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value)

/** JSON with keys sorted: the same value always gives the same text. */
function canonical (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
    : v))
}

const digest = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 16)

function groupBy<T> (rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const k = key(row)
    groups.set(k, [...(groups.get(k) ?? []), row])
  }
  return groups
}

export async function checkOutcome (pool: Pool, db: Db, tenantId: string, submitted: Submitted[], observer: Observer, logs: LogFacts): Promise<Verdict> {
  const violations: string[] = []
  const fail = (message: string) => violations.push(message)
  const ids = submitted.map((s) => s.id)

  const analyses: Row[] = await pool.query('SELECT * FROM analyses WHERE tenant_id = ?', [tenantId])
  if (analyses.length !== submitted.length) fail(`${analyses.length} analyses rows for ${submitted.length} requests`)
  const byId = new Map(analyses.map((row) => [String(row.id), row]))
  for (const id of ids) if (!byId.has(id)) fail(`analysis ${id} has no row`)

  const countBy = async (table: string) => {
    const rows: Row[] = await pool.query(`SELECT analysis_id, COUNT(*) AS n FROM ${table} WHERE analysis_id IN (?) GROUP BY analysis_id`, [ids])
    return new Map(rows.map((r) => [String(r.analysis_id), Number(r.n)]))
  }
  const scoresCount = await countBy('analysis_scores')
  const feedbackCount = await countBy('analysis_feedback')
  // Each analysis's metrics by kind, as the job stored them.
  const scores = new Map<string, Record<string, { metrics: unknown }>>()
  for (const r of await pool.query('SELECT analysis_id, kind, metrics FROM analysis_signals WHERE analysis_id IN (?) ORDER BY analysis_id, kind', [ids]) as Row[]) {
    const id = String(r.analysis_id)
    scores.set(id, { ...scores.get(id), [String(r.kind)]: { metrics: json(r.metrics) } })
  }
  const feedback = new Map((await pool.query('SELECT analysis_id, language, source, yaml_text, parsed FROM analysis_feedback WHERE analysis_id IN (?)', [ids]) as Row[])
    .map((r) => [String(r.analysis_id), canonical({ language: r.language, source: r.source, yaml: r.yaml_text, parsed: json(r.parsed) })]))
  const events = groupBy(await pool.query('SELECT analysis_id, seq, kind, start_ms, end_ms, value, data FROM analysis_events WHERE analysis_id IN (?) ORDER BY analysis_id, seq', [ids]) as Row[],
    (r) => String(r.analysis_id))

  // Every bucket of every analysis: few enough to check in memory.
  const buckets = await db.collection<FrameBucket>('frames').find({ a: { $in: ids } }).toArray()
  const bucketsOf = groupBy(buckets, (b) => `${b.a}|${b.k}`)
  for (const [key, list] of groupBy(buckets, (b) => `${b.a}|${b.k}|${b.t0}`)) {
    if (list.length > 1) fail(`${list.length} frame buckets for (analysis, kind, t0) = ${key.replaceAll('|', ', ')}`)
  }

  /** Frames of one analysis and kind: count and a digest of their content, checked for holes. */
  const framesOf = (id: string, kind: string) => {
    const list = (bucketsOf.get(`${id}|${kind}`) ?? []).sort((a, b) => a.s - b.s)
    const frames = list.reduce((sum, b) => sum + b.n, 0)
    if (list.some((b, i) => b.s !== i || b.n !== b.f.length)) fail(`${id} ${kind}: buckets ${list.map((b) => `${b.s}(${b.n})`).join(' ')} are not 0..n-1 or miscounted`)
    if (list.length !== Math.ceil(frames / BUCKET_SIZE)) fail(`${id} ${kind}: ${list.length} buckets for ${frames} frames`)
    return { frames, digest: digest(canonical(list.map((b) => b.f))) }
  }

  const outcomes: Outcomes = { completed: 0, failed: 0, failures: new Map(), failedAnalyses: [], attempts: new Map(), failedWithLeftovers: 0, sameResults: [] }
  /** Per completed analysis, what must be the same for the same input. */
  const results = new Map<string, Record<string, string>>()
  for (const { id } of submitted) {
    const row = byId.get(id)
    if (!row) continue
    const status = String(row.status)
    const attempts = Number(row.attempts)
    outcomes.attempts.set(attempts, (outcomes.attempts.get(attempts) ?? 0) + 1)
    const completedAt = row.completed_at ? (row.completed_at as Date).getTime() : null
    const first = observer.firstEnd.get(id)
    if (first && (first.status !== status || first.completedAtMs !== completedAt)) {
      fail(`${id} was seen ${first.status} at ${first.completedAtMs}, is ${status} at ${completedAt}`)
    }
    if (status === 'failed') {
      outcomes.failed++
      const code = String(row.error_code ?? '')
      const message = String(row.error_message ?? '')
      if (!code || !message) fail(`${id} failed without a code and a message (${code}: ${message})`)
      if (completedAt === null) fail(`${id} failed without completed_at`)
      const seen = outcomes.failures.get(code) ?? { count: 0, message }
      outcomes.failures.set(code, { count: seen.count + 1, message: seen.message })
      outcomes.failedAnalyses.push({ id, code, attempts })
      if ((scoresCount.get(id) ?? 0) > 0 || bucketsOf.has(`${id}|${FACE_KIND}`)) outcomes.failedWithLeftovers++
      if ((scoresCount.get(id) ?? 0) > 1) fail(`${id}: ${scoresCount.get(id)} scores rows`)
      continue
    }
    if (status !== 'completed') {
      fail(`${id} did not end: ${status} (attempts ${attempts}, stage ${String(row.stage)})`)
      continue
    }
    outcomes.completed++
    if (completedAt === null) fail(`${id} completed without completed_at`)
    if (row.error_code !== null) fail(`${id} completed with error ${String(row.error_code)}`)
    if (Number(row.progress) !== 100) fail(`${id} completed at progress ${String(row.progress)}`)
    if (scoresCount.get(id) !== 1) fail(`${id}: ${scoresCount.get(id) ?? 0} scores rows (want 1)`)
    if (feedbackCount.get(id) !== 1) fail(`${id}: ${feedbackCount.get(id) ?? 0} feedback rows (want 1)`)
    const stored = scores.get(id)
    if (!stored) continue
    const expected = analysisOutcome(stored).events
    const got = events.get(id) ?? []
    const asStored = got.map((e) => canonical({ kind: e.kind, startMs: Number(e.start_ms), endMs: Number(e.end_ms) }))
    const wanted = expected.map((e) => canonical({ kind: e.kind, startMs: e.startMs, endMs: e.endMs }))
    if (got.length !== expected.length || got.some((e, i) => Number(e.seq) !== i) || canonical(asStored) !== canonical(wanted)) {
      fail(`${id}: ${got.length} timeline events, its metrics call for ${expected.length}`)
    }
    const face = framesOf(id, FACE_KIND)
    const voice = framesOf(id, VOICE_KIND)
    if (face.frames !== Number(row.analysed_frames)) fail(`${id}: ${face.frames} face frames in MongoDB, analysed_frames ${String(row.analysed_frames)}`)
    if ((stored[VOICE_KIND]?.metrics as VoiceSummary | undefined)?.hasAudio && voice.frames === 0) fail(`${id}: has audio but no voice frames`)
    results.set(id, {
      metrics: digest(canonical(stored)),
      events: digest(canonical(got.map((e) => ({ ...e, analysis_id: undefined, data: json(e.data) })))),
      feedback: digest(feedback.get(id) ?? ''),
      analysed_frames: String(row.analysed_frames),
      face_frames: `${face.frames} ${face.digest}`,
      voice_frames: `${voice.frames} ${voice.digest}`
    })
  }

  for (const [input, group] of groupBy(submitted.filter((s) => results.has(s.id)), (s) => s.input)) {
    const differs = Object.keys(results.get(group[0]!.id)!).filter((field) => new Set(group.map((s) => results.get(s.id)![field])).size > 1)
    for (const field of differs) fail(`${input}: ${field} differ between its ${group.length} completed analyses`)
    outcomes.sameResults.push({ input, completed: group.length, identical: differs.length === 0, differs })
  }

  // A run that finishes writes its results and marks the analysis completed; two such runs of
  // one analysis (a double start) would each log it.
  for (const [id, runs] of logs.completedRuns) if (runs > 1) fail(`${id} was completed by ${runs} runs`)

  return { violations, outcomes }
}
