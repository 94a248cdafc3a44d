/** Accumulates wall time per named stage, for the benchmark's per-stage split. */
export class StageTimer {
  private readonly totals = new Map<string, number>()

  add (stage: string, ms: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ms)
  }

  async time<T> (stage: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now()
    try {
      return await work()
    } finally {
      this.add(stage, performance.now() - start)
    }
  }

  timeSync<T> (stage: string, work: () => T): T {
    const start = performance.now()
    try {
      return work()
    } finally {
      this.add(stage, performance.now() - start)
    }
  }

  result (): Record<string, number> {
    return Object.fromEntries([...this.totals].map(([k, v]) => [k, Math.round(v)]))
  }
}
