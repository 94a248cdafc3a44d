import type { FastifyBaseLogger } from 'fastify'

export interface BackgroundTask<T> {
  ready: Promise<T>
  readonly done: boolean
  readonly lastError: string | undefined
  stop: () => void
}

/**
 * Runs a start-up task (migrations, index creation) until it succeeds, waiting longer between
 * tries, so a dependency that is down at start-up is set up as soon as it returns.
 */
export function retryInBackground<T> (name: string, task: () => Promise<T>, log: FastifyBaseLogger, maxDelayMs = 5000): BackgroundTask<T> {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const state = { done: false, lastError: undefined as string | undefined }
  const ready = new Promise<T>((resolve, reject) => {
    const attempt = (n: number) => {
      if (stopped) return reject(new Error(`${name} stopped`))
      task().then((value) => {
        state.done = true
        state.lastError = undefined
        resolve(value)
      }, (error: unknown) => {
        state.lastError = error instanceof Error ? error.message : String(error)
        if (n === 0) log.warn({ task: name, reason: state.lastError }, 'start-up task failed; retrying in the background')
        timer = setTimeout(() => attempt(n + 1), Math.min(250 * 2 ** n, maxDelayMs))
      })
    }
    attempt(0)
  })
  return {
    ready,
    get done () { return state.done },
    get lastError () { return state.lastError },
    stop: () => {
      stopped = true
      clearTimeout(timer)
    }
  }
}
