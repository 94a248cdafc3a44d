/**
 * A small pool of engine worker threads shared by every live session of the process
 * (onnxruntime-node runs inference on the calling thread, so the models live in workers, as
 * the video engine's do). Each session is pinned to one worker, the one with the fewest
 * sessions when it opens, because its face and body tracks live there. A worker answers one
 * request at a time in arrival order; with at most one frame per session in flight, a worker's
 * queue never holds more frames than it has sessions.
 */
import { WorkerRpc, siblingFile } from '../engine/workers/rpc.js'
import type { StageTimings } from '../engine/timing.js'
import type { LiveWorkerSetup, AnalyseRequest, AnalyseReply } from './engine-worker.js'

const here = import.meta.url.startsWith('file:') ? new URL(import.meta.url).pathname : import.meta.url

interface PoolWorker { rpc: WorkerRpc, sessions: number }

/** How long close() waits for a thread's frames in flight (a few inferences at most). */
const DRAIN_MS = 10_000

/** Where a session's frames go. */
export interface PoolSlot { readonly worker: number }

export class LiveEnginePool {
  private constructor (private readonly workers: PoolWorker[], readonly emotionModelFile: string) {}

  /** Starts `size` threads and waits until each has loaded its models. */
  static async start (setup: LiveWorkerSetup, size: number): Promise<LiveEnginePool> {
    const rpcs = Array.from({ length: size }, () => new WorkerRpc(siblingFile(here, 'engine-worker'), setup))
    try {
      const ready = await Promise.all(rpcs.map((rpc) => rpc.call<{ emotionModelFile: string }>('ready', null)))
      return new LiveEnginePool(rpcs.map((rpc) => ({ rpc, sessions: 0 })), ready[0]!.emotionModelFile)
    } catch (error) {
      await Promise.all(rpcs.map((rpc) => rpc.close()))
      throw error
    }
  }

  get size (): number {
    return this.workers.length
  }

  /** Sessions per worker (for the benchmark and tests). */
  get load (): number[] {
    return this.workers.map((w) => w.sessions)
  }

  async open (session: string): Promise<PoolSlot> {
    let chosen = 0
    for (const [i, w] of this.workers.entries()) if (w.sessions < this.workers[chosen]!.sessions) chosen = i
    const worker = this.workers[chosen]!
    worker.sessions++
    try {
      await worker.rpc.call('open', { session })
    } catch (error) {
      worker.sessions--
      throw error
    }
    return { worker: chosen }
  }

  /** One frame of the session; its pixels are copied to the worker (the caller's stay valid). */
  analyse (slot: PoolSlot, request: AnalyseRequest): Promise<AnalyseReply> {
    return this.workers[slot.worker]!.rpc.call<AnalyseReply>('analyse', request)
  }

  async release (slot: PoolSlot, session: string): Promise<void> {
    const worker = this.workers[slot.worker]!
    worker.sessions = Math.max(0, worker.sessions - 1)
    await worker.rpc.call('close', { session }).catch(() => {})
  }

  /** Each worker's milliseconds per step since it started. */
  async timings (): Promise<StageTimings[]> {
    return await Promise.all(this.workers.map((w) => w.rpc.call<StageTimings>('timings', null)))
  }

  /**
   * Stops the threads once each has finished the frames it holds: terminating a thread in the
   * middle of an inference aborts the whole process (onnxruntime-node throws a Napi::Error
   * that nothing can catch). A worker answers in arrival order, so a last no-op call returns
   * when the ones before it are done; the sessions stop sending before close() is called.
   */
  async close (): Promise<void> {
    await Promise.all(this.workers.map(async (w) => {
      const drained = w.rpc.call('timings', null).catch(() => {})
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())])
      await w.rpc.close()
    }))
  }
}
