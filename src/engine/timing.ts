/** Wall time and number of calls per stage; stages in parallel threads overlap, so the times add up to more than the total. */
export type StageTimings = Record<string, { ms: number, calls: number }>

/** Accumulates wall time and calls per named stage, for the benchmark's per-stage split. */
export class StageTimer {
  private readonly totals = new Map<string, { ms: number, calls: number }>()

  add (stage: string, ms: number): void {
    const total = this.totals.get(stage)
    if (total) {
      total.ms += ms
      total.calls++
    } else {
      this.totals.set(stage, { ms, calls: 1 })
    }
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

  result (): StageTimings {
    return Object.fromEntries([...this.totals].map(([stage, { ms, calls }]) => [stage, { ms: Math.round(ms), calls }]))
  }
}
