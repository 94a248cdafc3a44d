/**
 * Readiness: every outside system registers one check; /health/ready runs them all in
 * parallel, each with its own timeout, and reports each one's state and latency.
 */
export interface DependencyCheck {
  name: string
  /** Resolves (optionally with a short detail, e.g. a version) when the dependency works. */
  check: () => Promise<string | void>
}

export interface DependencyStatus {
  name: string
  status: 'up' | 'down'
  latencyMs: number
  detail?: string
  error?: string
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready'
  dependencies: DependencyStatus[]
}

export class Readiness {
  private readonly checks: DependencyCheck[] = []

  /** Longer than the MariaDB pool's acquire timeout, so its error (with the reason) wins the race. */
  constructor (private readonly timeoutMs = 4000) {}

  register (name: string, check: DependencyCheck['check']): void {
    this.checks.push({ name, check })
  }

  async report (): Promise<ReadinessReport> {
    const dependencies = await Promise.all(this.checks.map((c) => this.run(c)))
    return { status: dependencies.every((d) => d.status === 'up') ? 'ready' : 'not_ready', dependencies }
  }

  private async run ({ name, check }: DependencyCheck): Promise<DependencyStatus> {
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs)
    })
    try {
      const detail = await Promise.race([check(), timeout])
      return { name, status: 'up', latencyMs: elapsed(started), ...(detail ? { detail } : {}) }
    } catch (error) {
      return { name, status: 'down', latencyMs: elapsed(started), error: describe(error) }
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Drivers often wrap the real reason (ECONNREFUSED...) in a generic error's cause. */
function describe (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  const first = error.message.split('\n')[0]!
  return cause && !first.includes(cause) ? `${first}: ${cause}` : first
}

function elapsed (started: number): number {
  return Math.round((performance.now() - started) * 10) / 10
}
