/**
 * The voice's curve for the timeline overview, from its per-second frames (as stored):
 *
 *   loudness  the mean intensity of the second's speech (dBFS, a recording level: 0 is the
 *             loudest a file can hold), shown between LOUDNESS_RANGE_DB's -60 and 0 dBFS
 *             (values outside are clamped); null for a second without speech, so silence and
 *             background noise draw no line.
 */
import type { TimelineCurve } from '../contract.js'
import type { VoiceFrame } from './engine/index.js'

export const LOUDNESS_RANGE_DB = { min: -60, max: 0 } as const

export function voiceCurves (frames: readonly VoiceFrame[]): TimelineCurve[] {
  const { min, max } = LOUDNESS_RANGE_DB
  const points = [...frames].sort((a, b) => a.t - b.t).map((f) => ({
    t: f.t,
    v: f.loudnessDb === null || !Number.isFinite(f.loudnessDb) ? null : Math.max(min, Math.min(max, f.loudnessDb))
  }))
  return [{ name: 'loudness', label: 'Loudness (speech)', unit: 'dBFS', min, max, points }]
}
