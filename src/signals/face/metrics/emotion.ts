import { EMOTIONS, type Emotion, type FaceFrame } from './types.js'
import { EMOTION_BUCKET_MS, EMOTION_SMOOTHING_MS } from '../thresholds.js'

/**
 * Emotion over time. Raw per-frame probabilities (computed every few frames) are smoothed
 * with an exponential moving average whose time constant is `smoothingMs`, since a single
 * frame's expression is noisy. The distribution is the mean smoothed probability over the
 * frames where emotion was computed; the timeline averages them per `bucketMs`.
 */
export interface EmotionSummary {
  /** Frames with an emotion estimate. */
  samples: number
  distribution: Record<Emotion, number>
  dominant: Emotion | null
  timeline: Array<{ startMs: number, endMs: number, probabilities: Record<Emotion, number>, dominant: Emotion }>
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

export function summarizeEmotion (frames: readonly FaceFrame[], bucketMs = EMOTION_BUCKET_MS, smoothingMs = EMOTION_SMOOTHING_MS): EmotionSummary {
  const smoothed = smoothEmotions(frames, smoothingMs)
  if (smoothed.length === 0) {
    return { samples: 0, distribution: toRecord(new Array(EMOTIONS.length).fill(0)), dominant: null, timeline: [] }
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
  return { samples: smoothed.length, distribution: toRecord(overall), dominant: EMOTIONS[argmax(overall)]!, timeline }
}
