import { setTimeout as delay } from 'node:timers/promises'

/** How long calls still running when an analysis is stopped get before a stage replaces its threads. */
export const DRAIN_MS = 5000

/**
 * After a stopped analysis: true once the calls already handed to a stage's worker threads
 * have finished (a few milliseconds each), false when some still run after `ms` (a frame that
 * takes forever), in which case the caller replaces its threads.
 */
export async function drained (inFlight: Array<Promise<unknown>>, ms = DRAIN_MS): Promise<boolean> {
  return await Promise.race([
    Promise.allSettled(inFlight).then(() => true),
    delay(ms, false, { ref: false })
  ])
}
