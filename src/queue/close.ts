/**
 * BullMQ's graceful close() waits for Redis (and, for a worker, for active jobs); with Redis
 * gone it can wait forever. Give it `ms`, then drop the connections: a job cut short is
 * picked up again by another worker once its lock expires.
 */
export async function closeWithin (ms: number, graceful: () => Promise<unknown>, force: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const closed = await Promise.race([
    graceful().then(() => true, () => false),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  ])
  clearTimeout(timer)
  if (!closed) await force().catch(() => {})
}
