/**
 * What the API's and the workers' JSON logs (pino, one object a line) say happened: runs that
 * completed an analysis (two for one analysis would mean it ran twice to the end) and what the
 * reconcilers did. Lines cut short by kill -9 are skipped.
 */
import fs from 'node:fs'

export interface LogFacts {
  /** Analysis id -> runs whose outcome was 'completed'. */
  completedRuns: Map<string, number>
  /** Reconciler passes that queued an analysis again, by why. */
  requeued: Map<string, number>
  /** Analyses failed by a reconciler or a worker's failure handler, by code. */
  markedFailed: Map<string, number>
}

interface Entry { msg?: string, analysisId?: string, outcome?: string, why?: string, code?: string, component?: string }

const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

export function readLogs (files: string[]): LogFacts {
  const facts: LogFacts = { completedRuns: new Map(), requeued: new Map(), markedFailed: new Map() }
  for (const file of files) {
    if (!fs.existsSync(file)) continue
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"job completed"') && !line.includes('"analysis queued again"') && !line.includes('"analysis marked failed"')) continue
      let entry: Entry
      try { entry = JSON.parse(line) as Entry } catch { continue }
      if (entry.msg === 'job completed' && entry.outcome === 'completed' && entry.analysisId) add(facts.completedRuns, entry.analysisId)
      if (entry.msg === 'analysis queued again') add(facts.requeued, entry.why ?? '?')
      if (entry.msg === 'analysis marked failed') add(facts.markedFailed, `${entry.code ?? '?'} (${entry.component ?? 'worker'})`)
    }
  }
  return facts
}
