/**
 * The face's curves for the timeline overview, one point per second of video (`t` the start
 * of the second), null where the second has nothing to measure:
 *
 *   eye_contact  percentage of the second's frames looking at the camera, by the attention
 *                metric's own criterion (onCamera: face in view, eyes open, gaze in the cone);
 *                frames with closed eyes or no face count neither way. 0..100 %.
 *   emotion      expression balance: the smoothed (smoothEmotions) probability of happiness
 *                minus the summed probabilities of anger, contempt, disgust, fear and sadness,
 *                averaged over the second's emotion samples. -1 (all negative) .. 1 (all
 *                happy); neutral and surprise count as 0, so a calm neutral face sits at 0.
 *
 * Pure and computed from the frames as stored (codec.ts keeps gaze, closure and emotion), so
 * the curves from MongoDB's frames equal those from the engine's.
 */
import type { TimelineCurve } from '../../contract.js'
import type { FaceFrame } from './types.js'
import { EMOTIONS } from './types.js'
import { onCamera } from './attention.js'
import { smoothEmotions } from './emotion.js'

const NEGATIVE = ['anger', 'contempt', 'disgust', 'fear', 'sadness'].map((e) => EMOTIONS.indexOf(e as typeof EMOTIONS[number]))
const HAPPINESS = EMOTIONS.indexOf('happiness')

/** Per second 0..seconds-1, the mean of the values falling in it (null for none). */
export function perSecond (samples: ReadonlyArray<{ t: number, v: number }>, seconds: number, digits = 3): TimelineCurve['points'] {
  const sums = new Float64Array(seconds)
  const counts = new Uint32Array(seconds)
  for (const s of samples) {
    const k = Math.floor(s.t / 1000)
    if (k < 0 || k >= seconds) continue
    sums[k]! += s.v
    counts[k]!++
  }
  const factor = 10 ** digits
  return Array.from({ length: seconds }, (_, k) => ({ t: k * 1000, v: counts[k] ? Math.round(sums[k]! / counts[k]! * factor) / factor : null }))
}

/** Seconds the curves cover: the metrics' duration, else up to the last frame. */
function secondsOf (frames: readonly FaceFrame[], durationS: number): number {
  const last = frames.length ? frames[frames.length - 1]!.t / 1000 : 0
  return Math.max(0, Math.ceil(Number.isFinite(durationS) && durationS > 0 ? durationS : last))
}

export function faceCurves (frames: readonly FaceFrame[], metrics: { durationS: number }): TimelineCurve[] {
  const seconds = secondsOf(frames, metrics.durationS)
  const contact = frames.flatMap((f) => {
    const state = onCamera(f)
    return state === null ? [] : [{ t: f.t, v: state ? 100 : 0 }]
  })
  const balance = smoothEmotions(frames).map((s) => ({
    t: s.t,
    v: Math.max(-1, Math.min(1, s.probabilities[HAPPINESS]! - NEGATIVE.reduce((sum, k) => sum + s.probabilities[k]!, 0)))
  }))
  return [
    { name: 'eye_contact', label: 'Eye contact', unit: '%', min: 0, max: 100, points: perSecond(contact, seconds, 1) },
    { name: 'emotion', label: 'Expression (positive - negative)', unit: '', min: -1, max: 1, points: perSecond(balance, seconds) }
  ]
}
