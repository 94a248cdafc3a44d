/**
 * Which annotated key frames a vision model sees, and how each is captioned: a handful at
 * most (each image costs tokens and time), as many different kinds of moment as there are,
 * the longest of each kind first (a long look-away says more than a glance).
 */
import type { TimelineEvent } from '../signals/contract.js'

export const MAX_KEY_FRAMES = 4

/** A key frame with what was measured drawn on it, for the vision model's notes. */
export interface KeyFrame { jpeg: Buffer, atMs: number, caption: string }

export function pickKeyFrames (made: ReadonlyArray<{ event: TimelineEvent, keyFrame: KeyFrame }>, max = MAX_KEY_FRAMES): KeyFrame[] {
  const longestFirst = [...made].sort((a, b) => (b.event.endMs - b.event.startMs) - (a.event.endMs - a.event.startMs))
  const picked: typeof longestFirst = []
  const kinds = new Set<string>()
  // First one per kind, then the next longest of any kind.
  for (const m of longestFirst) if (picked.length < max && !kinds.has(m.event.kind)) { picked.push(m); kinds.add(m.event.kind) }
  for (const m of longestFirst) if (picked.length < max && !picked.includes(m)) picked.push(m)
  return picked.sort((a, b) => a.event.startMs - b.event.startMs).map((m) => m.keyFrame)
}

/** "look_away from 0:12.4 to 0:15.0 (value 25.3)": the facts the picture stands for. */
export function describeMoment (event: TimelineEvent): string {
  const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}`
  const value = event.value === null ? '' : ` (value ${event.value})`
  return `${event.kind} from ${clock(event.startMs)} to ${clock(event.endMs)}${value}, picture at ${clock(event.keyMs ?? event.startMs)}`
}
