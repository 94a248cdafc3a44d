/** The fault run's summary, printed as plain text tables (the README quotes them). */
import type { Outcomes } from './checks.js'
import type { Disruption, DisruptionKind } from './observer.js'
import type { Input } from './inputs.js'
import type { UnexpectedExit } from './workers.js'
import type { LogFacts } from './logs.js'

/** How the API answered a round of requests sent at once: statuses at the first try, and retries. */
export interface Round { firstTry: Map<number, number>, retried: number, mostTries: number }

export interface Restart { service: 'redis' | 'mariadb', atMs: number, downMs: number, endedBefore: number }

export interface Report {
  settings: Record<string, string>
  inputs: Input[]
  total: number
  /** The requests sent at once, then replayed. */
  rounds: Round[]
  outcomes: Outcomes
  kills: number
  maxKills: number
  unexpectedExits: UnexpectedExit[]
  restarts: Restart[]
  disruptions: Disruption[]
  /** From the first POST /analyze to the last analysis ended. */
  submitMs: number
  wallMs: number
  drained: boolean
  foldersLeft: number
  logs: LogFacts
  /** Failed analysis id -> BullMQ's count of its job's workers lost (stalls). */
  stalls: Map<string, number>
  violations: string[]
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function spread (values: number[]): string {
  if (values.length === 0) return '-'
  const sorted = [...values].sort((a, b) => a - b)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!
  return `${s(sorted[0]!)} / ${s(median)} / ${s(sorted.at(-1)!)}`
}

export function printReport (report: Report): void {
  const { outcomes } = report
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`)
  console.log(`\nFault run: ${report.total} analyses, ${Object.entries(report.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`)
  console.log(`  inputs: ${report.inputs.map((i) => i.name).join(', ')}`)
  report.rounds.forEach((round, i) => {
    const statuses = [...round.firstTry].map(([status, n]) => `${n} x ${status}`).join(', ')
    const retries = round.retried > 0 ? `; ${round.retried} tried again after Retry-After, at most ${round.mostTries} tries` : ''
    line(i === 0 ? `POST /analyze, ${report.total} at once` : 'the same again (replays)', `${statuses}${retries}`)
  })
  line('analyses completed', String(outcomes.completed))
  const failures = [...outcomes.failures].map(([code, f]) => `${code} ${f.count} ("${f.message}")`).join('; ')
  line('analyses failed', `${outcomes.failed}${failures ? `: ${failures}` : ''}`)
  for (const failed of outcomes.failedAnalyses) {
    line(`  ${failed.id.slice(0, 8)}`, `${failed.code}: started ${failed.attempts} time(s) by a worker, its job's worker lost ${report.stalls.get(failed.id) ?? '?'} time(s)`)
  }
  if (outcomes.failedWithLeftovers > 0) line('failed with an attempt\'s results', String(outcomes.failedWithLeftovers))
  line('attempts (starts) per analysis', [...outcomes.attempts].sort(([a], [b]) => a - b).map(([n, count]) => `${n}: ${count}`).join(', '))
  line('same input, same result', outcomes.sameResults.map((r) => `${r.input} ${r.completed}x ${r.identical ? 'identical' : `DIFFERENT (${r.differs.join(', ')})`}`).join('; '))
  line('kill -9 of a worker group', `${report.kills} of ${report.maxKills}${report.kills < report.maxKills ? ' (the run ended first)' : ''}`)
  line('workers that exited by themselves', report.unexpectedExits.length === 0
    ? '0'
    : report.unexpectedExits.map((e) => `w${e.slot + 1} at ${s(e.atMs)} (code ${e.code}, signal ${e.signal})`).join('; '))
  for (const restart of report.restarts) {
    line(`${restart.service} restarted`, `at ${s(restart.atMs)} after ${restart.endedBefore} ended, down ${s(restart.downMs)}`)
  }
  line('total time', `${s(report.submitMs)} from submission to the last end (${s(report.wallMs)} with set-up and checks)`)
  console.log('  recovery, min / median / max: every analysis running when the fault struck back in the queue; started again')
  for (const kind of ['kill', 'redis', 'mariadb'] as DisruptionKind[]) {
    const of = report.disruptions.filter((d) => d.kind === kind)
    if (of.length === 0) continue
    const struck = of.filter((d) => d.running.size > 0)
    const idle = of.length - struck.length
    const open = struck.filter((d) => d.restartedMs === undefined).length
    const back = spread(struck.filter((d) => d.backMs !== undefined).map((d) => d.backMs!))
    const restarted = spread(struck.filter((d) => d.restartedMs !== undefined).map((d) => d.restartedMs!))
    line(`  ${kind} (${of.length})`, `${back}; ${restarted}${idle ? `; ${idle} with nothing running` : ''}${open ? `; ${open} never recovered` : ''}`)
  }
  const counts = (map: Map<string, number>) => (map.size === 0 ? 'none' : [...map].map(([k, n]) => `${n} ${k}`).join('; '))
  line('reconcilers queued again', counts(report.logs.requeued))
  line('marked failed by reconciler/worker', counts(report.logs.markedFailed))
  line('queue drained at the end', report.drained ? 'yes' : 'NO')
  line('killed jobs\' temp folders left', `${report.foldersLeft} (at most one per worker: the next job there sweeps it)`)
  console.log(`\n${report.violations.length === 0 ? 'PASS: no violation' : `FAIL: ${report.violations.length} violations`}`)
  for (const violation of report.violations.slice(0, 50)) console.log(`  - ${violation}`)
}
