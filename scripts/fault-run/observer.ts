/**
 * Watches the analyses of a fault run in MariaDB while faults happen: the latest state of each
 * row, whether an ended row ever changes again (an analysis must end once: completed or
 * failed, with one completion time), and how long each fault took to recover from. A poll that
 * cannot reach MariaDB (it is being restarted) just misses a beat.
 */
import type { Pool } from '../../src/db/mariadb.js'

export interface RowState {
  id: string
  status: string
  attempts: number
  errorCode: string | null
  completedAtMs: number | null
}

export type DisruptionKind = 'kill' | 'redis' | 'mariadb'

/**
 * One fault: the analyses that were running when it struck, and when every one of them was
 * back in the queue (its row queued again, or its job waiting or delayed in BullMQ) and when
 * it had started again (a new attempt), either counting as done once it ended. Measured from
 * `fromMs` (the kill, or the service back up). The second includes the wait behind the
 * analyses queued before it.
 */
export interface Disruption {
  kind: DisruptionKind
  label: string
  atMs: number
  fromMs: number
  /** Analysis id -> attempts when the fault struck. */
  running: Map<string, number>
  backMs?: number
  restartedMs?: number
}

/** BullMQ's state of an analysis's job; null when Redis has none or cannot answer. */
export type JobStateProbe = (id: string) => Promise<string | null>

const BACK_IN_QUEUE = new Set(['waiting', 'delayed', 'prioritized'])

const ENDED = new Set(['completed', 'failed'])

export class Observer {
  readonly latest = new Map<string, RowState>()
  /** The first ended state seen of each analysis. */
  readonly firstEnd = new Map<string, RowState>()
  readonly violations: string[] = []
  readonly disruptions: Disruption[] = []
  failedPolls = 0
  private readonly started = Date.now()
  private timer?: NodeJS.Timeout
  private polling?: Promise<boolean>

  constructor (private readonly pool: Pool, private readonly tenantId: string, private readonly jobState: JobStateProbe) {}

  /** Milliseconds since the observer was made (the run's clock). */
  now (): number { return Date.now() - this.started }

  start (intervalMs: number): void {
    this.timer = setInterval(() => { void this.poll() }, intervalMs)
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.polling
  }

  /** One look at every row (shared if one is in flight); false when MariaDB did not answer. */
  poll (): Promise<boolean> {
    this.polling ??= this.pollOnce().finally(() => { this.polling = undefined })
    return this.polling
  }

  get endedCount (): number {
    return [...this.latest.values()].filter((row) => ENDED.has(row.status)).length
  }

  /** Analyses processing in the latest poll, with their attempts. */
  running (): Map<string, number> {
    return new Map([...this.latest.values()].filter((row) => row.status === 'processing').map((row) => [row.id, row.attempts]))
  }

  /** Records a fault; `running` should be taken just before it struck. */
  disrupted (kind: DisruptionKind, label: string, atMs: number, running: Map<string, number>, fromMs = atMs): Disruption {
    const disruption: Disruption = { kind, label, atMs, fromMs, running }
    if (running.size === 0) disruption.backMs = disruption.restartedMs = 0
    this.disruptions.push(disruption)
    return disruption
  }

  private async pollOnce (): Promise<boolean> {
    let rows: Array<Record<string, unknown>>
    try {
      rows = await this.pool.query(
        'SELECT id, status, attempts, error_code, completed_at FROM analyses WHERE tenant_id = ?', [this.tenantId])
    } catch {
      this.failedPolls++
      return false
    }
    const at = this.now()
    for (const raw of rows) {
      const row: RowState = {
        id: String(raw.id),
        status: String(raw.status),
        attempts: Number(raw.attempts),
        errorCode: (raw.error_code as string | null) ?? null,
        completedAtMs: raw.completed_at ? (raw.completed_at as Date).getTime() : null
      }
      this.latest.set(row.id, row)
      this.checkEndedOnce(row)
    }
    for (const disruption of this.disruptions) {
      if (disruption.restartedMs !== undefined) continue
      const restarted = (id: string, attempts: number) => {
        const row = this.latest.get(id)
        return !row || row.attempts > attempts || ENDED.has(row.status)
      }
      if ([...disruption.running].every(([id, attempts]) => restarted(id, attempts))) {
        disruption.restartedMs = Math.max(0, at - disruption.fromMs)
        disruption.backMs ??= disruption.restartedMs
        continue
      }
      if (disruption.backMs !== undefined) continue
      let back = true
      for (const [id, attempts] of disruption.running) {
        if (restarted(id, attempts) || this.latest.get(id)?.status === 'queued') continue
        if (!BACK_IN_QUEUE.has(await this.jobState(id).catch(() => null) ?? '')) { back = false; break }
      }
      if (back) disruption.backMs = Math.max(0, at - disruption.fromMs)
    }
    return true
  }

  private checkEndedOnce (row: RowState): void {
    const first = this.firstEnd.get(row.id)
    if (!first) {
      if (ENDED.has(row.status)) this.firstEnd.set(row.id, row)
      return
    }
    if (row.status !== first.status || row.completedAtMs !== first.completedAtMs) {
      const key = `${row.id} ended ${first.status}`
      if (!this.violations.some((v) => v.startsWith(key))) {
        this.violations.push(`${key} (completed_at ${iso(first.completedAtMs)}), later ${row.status} (completed_at ${iso(row.completedAtMs)}, attempts ${row.attempts})`)
      }
    }
  }
}

function iso (ms: number | null): string {
  return ms === null ? 'null' : new Date(ms).toISOString()
}
