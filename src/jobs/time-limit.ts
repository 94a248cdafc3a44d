/**
 * The time one analysis job may take, so that no file, however built, holds a worker forever:
 * a base (download, model loading, feedback) plus so much per second of video, counted from
 * the job's start. When it runs out the signal aborts with a job_timeout InputError: whatever
 * listens to the signal (ffmpeg, the engine) stops, and the failure is not retried.
 */
import { formatDuration } from '../format.js'
import { InputError } from './failure.js'

export interface TimeLimitSettings { baseSeconds: number, perVideoSecond: number }

export class JobTimeLimit {
  private readonly controller = new AbortController()
  private readonly startedAt = performance.now()
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly settings: TimeLimitSettings) {
    this.arm(null)
  }

  /** Aborts when the time is up; its reason is the job_timeout InputError. */
  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** Once the probe knows the video's duration, the limit grows to cover it. */
  scaleTo (durationS: number): void {
    if (!this.controller.signal.aborted) this.arm(durationS)
  }

  stop (): void {
    clearTimeout(this.timer)
  }

  private arm (durationS: number | null): void {
    clearTimeout(this.timer)
    const { baseSeconds, perVideoSecond } = this.settings
    const limitS = baseSeconds + perVideoSecond * (durationS ?? 0)
    const explained = durationS === null
      ? ''
      : ` (${formatDuration(baseSeconds)} + ${perVideoSecond} s per second of a ${formatDuration(durationS)} video)`
    const remainingMs = limitS * 1000 - (performance.now() - this.startedAt)
    this.timer = setTimeout(() => {
      this.controller.abort(new InputError('job_timeout', `analysis stopped: it took longer than its time limit of ${formatDuration(limitS)}${explained}`))
    }, Math.max(0, remainingMs))
  }
}
