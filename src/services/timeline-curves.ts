/**
 * Every kind's curves over time (TimelineCurve: about one point a second) from its frames as
 * stored in MongoDB and its metrics: the one path behind the timeline overview picture (the
 * job) and the charts of GET /analysis/:id/timeline (the API), so the two cannot differ.
 */
import type { FrameStore, StoredFrame } from '../repositories/frame-store.js'
import type { SignalModule, TimelineCurve } from '../signals/contract.js'

export interface CurveSource { kind: string, module: SignalModule, metrics: unknown }

/** The curves of each kind that has any, in the order given; a curve with nothing measured is left out. */
export async function readCurves (store: FrameStore, analysisId: string, signals: readonly CurveSource[]): Promise<TimelineCurve[]> {
  const curves: TimelineCurve[] = []
  for (const s of signals) {
    if (!s.module.curves) continue
    const frames = (await readAllFrames(store, analysisId, s.kind)).map((stored) => s.module.codec.decode(stored))
    // A curve with nothing measured (no face ever seen) would be an empty lane.
    curves.push(...s.module.curves(frames, s.metrics).filter((c) => c.points.some((p) => p.v !== null)))
  }
  return curves
}

export async function readAllFrames (store: FrameStore, analysisId: string, kind: string): Promise<StoredFrame[]> {
  const all: StoredFrame[] = []
  let fromMs: number | null = 0
  while (fromMs !== null) {
    const page = await store.readFrames(analysisId, kind, { fromMs, limit: 5000 })
    all.push(...page.frames)
    fromMs = page.nextFromMs
  }
  return all
}

/**
 * The curves of recently asked analyses, in memory: reading and decoding every frame costs
 * about 1 s of CPU for a 10-minute recording (most of it decoding the pose frames), the curves
 * themselves a few hundred kB at most. Keyed by analysis and completion time, so a re-run
 * analysis is computed again; concurrent requests share one computation; a failed one is
 * forgotten. Oldest out first past `max` entries.
 */
export class CurveCache {
  private readonly entries = new Map<string, Promise<TimelineCurve[]>>()

  constructor (private readonly max = 32) {}

  get (key: string, compute: () => Promise<TimelineCurve[]>): Promise<TimelineCurve[]> {
    const cached = this.entries.get(key)
    if (cached) {
      // Most recently used last.
      this.entries.delete(key)
      this.entries.set(key, cached)
      return cached
    }
    const pending = compute()
    this.entries.set(key, pending)
    pending.catch(() => { if (this.entries.get(key) === pending) this.entries.delete(key) })
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!)
    return pending
  }

  get size (): number {
    return this.entries.size
  }
}
