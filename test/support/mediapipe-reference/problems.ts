/**
 * Turns what goes wrong inside the page (console errors, uncaught exceptions, failed requests, a
 * crash) into a rejection of the call in flight, or of the next call when none is in flight.
 */
export class PageProblems {
  private pending: Error | undefined
  private readonly waiters = new Set<(error: Error) => void>()

  /** `label` starts every message (which page went wrong). */
  constructor (private readonly label = 'MediaPipe reference page') {}

  report (message: string): void {
    const error = new Error(`${this.label}: ${message}`)
    if (this.waiters.size === 0) {
      this.pending ??= error
      return
    }
    for (const reject of this.waiters) reject(error)
  }

  /** Waits for work, failing as soon as a problem is reported. */
  async guard<T> (work: Promise<T>): Promise<T> {
    work.catch(() => {}) // when a problem wins the race, work's own failure is expected noise
    this.throwPending()
    let reject!: (error: Error) => void
    const failed = new Promise<never>((_resolve, fail) => { reject = fail })
    this.waiters.add(reject)
    try {
      const value = await Promise.race([work, failed])
      this.throwPending()
      return value
    } finally {
      this.waiters.delete(reject)
    }
  }

  private throwPending (): void {
    const error = this.pending
    this.pending = undefined
    if (error) throw error
  }
}
