import { EMOTIONS, type Emotion, type FaceFrame } from './types.js'
import { EMOTION_BUCKET_MS, EMOTION_SHIFT, EMOTION_SMOOTHING_MS } from '../thresholds.js'

/**
 * Emotion over time. Raw per-frame probabilities (computed every few frames) are smoothed
 * with an exponential moving average whose time constant is `smoothingMs`, since a single
 * frame's expression is noisy. The distribution is the mean smoothed probability over the
 * frames where emotion was computed; the timeline averages them per `bucketMs`.
 *
 * A shift is a clear change of expression, not a flicker: the smoothed probability of one
 * emotion stays at or above EMOTION_SHIFT.minProbability (0.5, so it is the dominant one) for
 * minHeldMs (2 s), and later another emotion's does for minNewMs (1 s). The shift runs from
 * the new emotion crossing 0.5 to it falling below (or the face leaving view: samples more than
 * maxSampleGapMs apart). Its key moment (peakMs) is the first sample within peakTolerance (0.05)
 * of the new emotion's highest smoothed probability: the expression at (nearly) its fullest,
 * not the end of a long smile over which the smoothed value creeps towards 1. A stretch
 * of the new emotion that does not last minHeldMs leaves the held one unchanged, so smiling
 * for a second now and then in a neutral talk is a shift each time, but a flicker back is not.
 */
export interface EmotionShift {
  startMs: number
  endMs: number
  from: Emotion
  to: Emotion
  /** The new emotion's highest smoothed probability in the shift. */
  probability: number
  /** When it first came within peakTolerance of that (the key frame). */
  peakMs: number
}

export interface EmotionSummary {
  /** Frames with an emotion estimate. */
  samples: number
  distribution: Record<Emotion, number>
  dominant: Emotion | null
  timeline: Array<{ startMs: number, endMs: number, probabilities: Record<Emotion, number>, dominant: Emotion }>
  shifts: EmotionShift[]
}

export function smoothEmotions (frames: readonly FaceFrame[], smoothingMs = EMOTION_SMOOTHING_MS): Array<{ t: number, probabilities: number[] }> {
  const out: Array<{ t: number, probabilities: number[] }> = []
  let state: number[] | null = null
  let lastT = 0
  for (const frame of frames) {
    if (!frame.emotion) continue
    if (!state) state = [...frame.emotion]
    else {
      const alpha = 1 - Math.exp(-(frame.t - lastT) / smoothingMs)
      state = state.map((v, k) => v + alpha * (frame.emotion![k]! - v))
    }
    lastT = frame.t
    out.push({ t: frame.t, probabilities: state })
  }
  return out
}

function toRecord (probabilities: readonly number[]): Record<Emotion, number> {
  return Object.fromEntries(EMOTIONS.map((e, k) => [e, probabilities[k] ?? 0])) as Record<Emotion, number>
}

function argmax (values: readonly number[]): number {
  let best = 0
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k
  return best
}

function average (rows: ReadonlyArray<readonly number[]>): number[] {
  const sum = new Array<number>(EMOTIONS.length).fill(0)
  for (const row of rows) row.forEach((v, k) => { sum[k]! += v })
  return sum.map((v) => v / (rows.length || 1))
}

interface Stretch { emotion: number, startMs: number, endMs: number, peak: number, samples: Array<{ t: number, p: number }> }

/** Runs of smoothed samples with one emotion at or above the shift probability. */
function strongStretches (smoothed: ReadonlyArray<{ t: number, probabilities: readonly number[] }>, options: typeof EMOTION_SHIFT): Stretch[] {
  const out: Stretch[] = []
  const spacing = sampleSpacing(smoothed)
  let run: Stretch | null = null
  let lastT = -Infinity
  for (const s of smoothed) {
    const k = argmax(s.probabilities)
    const p = s.probabilities[k]!
    const gap = s.t - lastT > options.maxSampleGapMs
    if (run && (gap || run.emotion !== k || p < options.minProbability)) {
      out.push({ ...run, endMs: gap ? lastT + spacing : s.t })
      run = null
    }
    lastT = s.t
    if (p < options.minProbability) continue
    run ??= { emotion: k, startMs: s.t, endMs: s.t, peak: p, samples: [] }
    run.peak = Math.max(run.peak, p)
    run.samples.push({ t: s.t, p })
  }
  if (run) out.push({ ...run, endMs: lastT + spacing })
  return out
}

/** Median spacing of the emotion samples (ms), for the end of the last one; 200 ms for fewer than two. */
function sampleSpacing (samples: ReadonlyArray<{ t: number }>): number {
  const gaps = samples.slice(1).map((s, i) => s.t - samples[i]!.t).sort((a, b) => a - b)
  return gaps.length ? gaps[gaps.length >> 1]! : 200
}

export function emotionShifts (smoothed: ReadonlyArray<{ t: number, probabilities: readonly number[] }>, options: typeof EMOTION_SHIFT = EMOTION_SHIFT): EmotionShift[] {
  const shifts: EmotionShift[] = []
  let held: number | null = null
  for (const s of strongStretches(smoothed, options)) {
    const ms = s.endMs - s.startMs
    if (held !== null && s.emotion !== held && ms >= options.minNewMs) {
      const peakMs = s.samples.find((x) => x.p >= s.peak - options.peakTolerance)!.t
      shifts.push({ startMs: s.startMs, endMs: s.endMs, from: EMOTIONS[held]!, to: EMOTIONS[s.emotion]!, probability: s.peak, peakMs })
    }
    if (ms >= options.minHeldMs) held = s.emotion
  }
  return shifts
}

export function summarizeEmotion (frames: readonly FaceFrame[], bucketMs = EMOTION_BUCKET_MS, smoothingMs = EMOTION_SMOOTHING_MS): EmotionSummary {
  const smoothed = smoothEmotions(frames, smoothingMs)
  if (smoothed.length === 0) {
    return { samples: 0, distribution: toRecord(new Array(EMOTIONS.length).fill(0)), dominant: null, timeline: [], shifts: [] }
  }
  const overall = average(smoothed.map((s) => s.probabilities))
  const buckets = new Map<number, number[][]>()
  for (const s of smoothed) {
    const key = Math.floor(s.t / bucketMs)
    buckets.set(key, [...(buckets.get(key) ?? []), s.probabilities])
  }
  const timeline = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([key, rows]) => {
    const probabilities = average(rows)
    return { startMs: key * bucketMs, endMs: (key + 1) * bucketMs, probabilities: toRecord(probabilities), dominant: EMOTIONS[argmax(probabilities)]! }
  })
  return { samples: smoothed.length, distribution: toRecord(overall), dominant: EMOTIONS[argmax(overall)]!, timeline, shifts: emotionShifts(smoothed) }
}
