/**
 * Waiting on work that cannot itself be cancelled (an S3 download, an HTTP call with its own
 * timeout) while still answering an abort at once.
 */

/**
 * Settles as `work` does, or rejects with the signal's reason as soon as it aborts; the work
 * goes on in the background and its outcome is then ignored.
 */
export function untilAborted<T> (work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work
  if (signal.aborted) {
    work.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
