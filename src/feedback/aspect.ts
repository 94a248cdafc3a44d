/**
 * One judged aspect of a recording for the rule-based writer (each signal module's
 * feedback/aspects.ts judges its own): its verdict and both ways of writing it up, plus the
 * small helpers the modules share.
 */
import { clamp } from '../numbers.js'
import type { TimeRange } from './timestamps.js'
import { MAX_TIMESTAMPS, type Improvement, type Strength } from './schema.js'

export type Verdict = 'strength' | 'improvement' | 'neutral'

/** Where an aspect goes in each list, on the scale shared by all modules (contribution.ts). */
export interface AspectRank { improvement: number, strength: number }

export interface Aspect {
  /** Owned by the module that judges it and unique across modules: eyeContact, pace, posture... */
  key: string
  verdict: Verdict
  /** 0 (poor) to 1 (good): picks the filler when a list would be empty. */
  goodness: number
  /** False when the measurement is too uncertain to build advice on (a blink rate over seconds). */
  reliable?: boolean
  rank: AspectRank
  /** The score category (key in Scores.categories) it belongs to, if any: breaks ties among the weakest. */
  category?: string
  strength: Strength
  improvement: Improvement
}

export function verdict (good: boolean, poor: boolean): Verdict {
  return poor ? 'improvement' : good ? 'strength' : 'neutral'
}

export const clamp01 = (value: number) => clamp(value, 0, 1)
export const labels = (ranges: TimeRange[]) => ranges.slice(0, MAX_TIMESTAMPS).map((r) => r.label)

/** The longest ranges (at most MAX_TIMESTAMPS), back in time order. */
export function longest<T extends TimeRange> (ranges: T[]): T[] {
  return [...ranges].sort((a, b) => b.seconds - a.seconds).slice(0, MAX_TIMESTAMPS).sort((a, b) => a.startMs - b.startMs)
}
