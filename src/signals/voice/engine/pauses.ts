/**
 * Pauses: the silences between speech segments, i.e. only inside the speech (between its first
 * and last frame; the silence before the first word and after the last is not a pause). Every
 * one lasts at least the activity's minimum pause (300 ms): shorter silences are part of speech.
 */
import type { Segment } from './activity.js'

export interface Pause { startMs: number, endMs: number }

export function findPauses (segments: Segment[], frameMs: number): Pause[] {
  const pauses: Pause[] = []
  for (let k = 1; k < segments.length; k++) {
    pauses.push({ startMs: segments[k - 1]!.end * frameMs, endMs: segments[k]!.start * frameMs })
  }
  return pauses
}
