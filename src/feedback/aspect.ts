/**
 * One judged aspect of a recording for the rule-based writer (rules.ts for the face,
 * voice-rules.ts for the voice): its verdict and both ways of writing it up, plus the small
 * helpers the two share.
 */
import type { TimeRange } from './timestamps.js'
import { MAX_TIMESTAMPS, type Improvement, type Strength } from './schema.js'

export type FaceAspectKey = 'eyeContact' | 'lookAways' | 'gaze' | 'blinks' | 'head' | 'expression' | 'presence'
export type VoiceAspectKey = 'pace' | 'pauses' | 'intonation' | 'fillers'
export type AspectKey = FaceAspectKey | VoiceAspectKey
export type Verdict = 'strength' | 'improvement' | 'neutral'

export interface Aspect {
  key: AspectKey
  verdict: Verdict
  /** 0 (poor) to 1 (good): picks the filler when a list would be empty. */
  goodness: number
  /** False when the measurement is too uncertain to build advice on (a blink rate over seconds). */
  reliable?: boolean
  strength: Strength
  improvement: Improvement
}

export function verdict (good: boolean, poor: boolean): Verdict {
  return poor ? 'improvement' : good ? 'strength' : 'neutral'
}

export const clamp01 = (value: number) => Math.max(0, Math.min(1, value))
export const labels = (ranges: TimeRange[]) => ranges.slice(0, MAX_TIMESTAMPS).map((r) => r.label)

/** The longest ranges (at most MAX_TIMESTAMPS), back in time order. */
export function longest<T extends TimeRange> (ranges: T[]): T[] {
  return [...ranges].sort((a, b) => b.seconds - a.seconds).slice(0, MAX_TIMESTAMPS).sort((a, b) => a.startMs - b.startMs)
}
