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
 *   head_movement  how much the head turned in the second, deg/s: the head pose (yaw, pitch,
 *                roll) is averaged over quarter seconds and the angular distances between
 *                consecutive quarters with the face in view are summed, scaled to a whole second
 *                when some quarters lack the face. Averaging first keeps the mesh's frame-to-frame
 *                jitter (about 10 deg/s summed frame by frame on a still head) out; a nod or a
 *                turn still counts in full. A still head reads 2-5 (jitter left), talking 5-15, a large
 *                movement (the metrics' 20 deg in a second) 20 or more. 0..HEAD_MOVEMENT_MAX_DEG
 *                (60, clamped); null without two quarters with the face.
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
export const HEAD_MOVEMENT_MAX_DEG = 60
const QUARTER_MS = 250

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
    { name: 'emotion', label: 'Expression (positive - negative)', unit: '', min: -1, max: 1, points: perSecond(balance, seconds) },
    { name: 'head_movement', label: 'Head movement', unit: 'deg/s', min: 0, max: HEAD_MOVEMENT_MAX_DEG, points: headMovement(frames, seconds) }
  ]
}

/** The head_movement curve: travel between quarter-second mean poses, per second. */
export function headMovement (frames: readonly FaceFrame[], seconds: number): TimelineCurve['points'] {
  const quarters = seconds * 1000 / QUARTER_MS
  const sums = Array.from({ length: quarters }, () => ({ yaw: 0, pitch: 0, roll: 0, n: 0 }))
  for (const f of frames) {
    const q = Math.floor(f.t / QUARTER_MS)
    if (!f.face || q < 0 || q >= quarters) continue
    const s = sums[q]!
    s.yaw += f.face.pose.yaw
    s.pitch += f.face.pose.pitch
    s.roll += f.face.pose.roll
    s.n++
  }
  const means = sums.map((s) => (s.n ? { yaw: s.yaw / s.n, pitch: s.pitch / s.n, roll: s.roll / s.n } : null))
  const perSecond = 1000 / QUARTER_MS
  return Array.from({ length: seconds }, (_, k) => {
    let travel = 0
    let steps = 0
    // The steps ending in this second's quarters (the first quarter's from the second before).
    for (let q = k * perSecond; q < (k + 1) * perSecond; q++) {
      const a = q > 0 ? means[q - 1] : null
      const b = means[q]
      if (!a || !b) continue
      travel += Math.hypot(b.yaw - a.yaw, b.pitch - a.pitch, b.roll - a.roll)
      steps++
    }
    const v = steps ? Math.min(HEAD_MOVEMENT_MAX_DEG, travel * perSecond / steps) : null
    return { t: k * 1000, v: v === null ? null : Math.round(v * 10) / 10 }
  })
}
