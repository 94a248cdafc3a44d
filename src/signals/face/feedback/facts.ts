/**
 * The face facts both feedback writers cite: the face metrics reduced to rounded numbers and
 * mm:ss timestamps, and their English statements for the LLM prompt. Pure functions.
 */
import { round } from '../../../numbers.js'
import type { FactContext } from '../../../feedback/contribution.js'
import { formatTimestamp, timeRange, type TimeRange } from '../../../feedback/timestamps.js'
import { computeFaceMetrics, EMOTIONS, type Emotion, type FaceMetrics } from '../metrics/index.js'
import {
  BLINK_DETECTION, GAZE_CONE, LARGE_HEAD_MOVEMENT_DEG, MIN_MISSING_MS, MIN_SECONDS_FOR_BLINK_RATE, NORMAL_BLINK_RATE
} from '../thresholds.js'

/** The emotion timeline is summarised in at most this many parts. */
const MAX_EMOTION_PARTS = 6
/** Emotions listed in the overall mix need at least this share. */
const MIN_LISTED_SHARE = 0.05

export const POSITIVE_EMOTIONS: readonly Emotion[] = ['happiness', 'neutral']
export const NEGATIVE_EMOTIONS: readonly Emotion[] = ['anger', 'contempt', 'disgust', 'fear', 'sadness']

/** Where the gaze went, from the person's point of view. */
export type Direction = 'left' | 'right' | 'up' | 'down'

export interface LookAwayFact extends TimeRange { direction: Direction }

export interface EmotionPart extends TimeRange {
  emotion: Emotion
  /** Mean probability of that emotion over the part, 0..1. */
  share: number
}

export interface FaceFacts {
  /** False when the face stage did not run (null metrics): every number below is 0. */
  analysed: boolean
  durationS: number
  /** The video's length as mm:ss. */
  duration: string
  /** Seconds with the face in view. */
  faceSeconds: number
  eyeContact: { percent: number, gazeStability: number, gazeSpreadDeg: number }
  lookAways: { count: number, perMinute: number, totalSeconds: number, items: LookAwayFact[] }
  blinks: { count: number, ratePerMinute: number, meanDurationMs: number, longClosures: number, rateReliable: boolean }
  head: { meanSpeedDegPerSecond: number, largeMovementsPerMinute: number }
  presence: { faceVisiblePercent: number, otherFacesPercent: number, missing: TimeRange[], missingSeconds: number }
  emotion: {
    samples: number
    dominant: Emotion | null
    /** Emotions with a share of at least 5 %, largest first. */
    mix: Array<{ emotion: Emotion, share: number }>
    positiveShare: number
    negativeShare: number
    parts: EmotionPart[]
  }
}

export const percent = (ratio: number) => Math.round(ratio * 100)

/** The gaze direction that leaves the contact cone furthest (yaw > 0 is the person's left, pitch > 0 up). */
export function lookDirection (meanYaw: number, meanPitch: number): Direction {
  const sideways = Math.abs(meanYaw) / GAZE_CONE.maxYaw
  const vertical = (meanPitch - GAZE_CONE.pitchOffset) / GAZE_CONE.maxPitch
  if (sideways >= Math.abs(vertical)) return meanYaw > 0 ? 'left' : 'right'
  return vertical > 0 ? 'up' : 'down'
}

/**
 * The emotion timeline in at most MAX_EMOTION_PARTS stretches of consecutive buckets, each with
 * its dominant emotion; neighbouring stretches with the same dominant emotion are merged.
 */
export function emotionParts (timeline: FaceMetrics['emotion']['timeline'], durationMs: number): EmotionPart[] {
  const n = timeline.length
  const groups: Array<typeof timeline> = []
  const count = Math.min(n, MAX_EMOTION_PARTS)
  for (let k = 0; k < count; k++) groups.push(timeline.slice(Math.floor(k * n / count), Math.floor((k + 1) * n / count)))
  const parts: Array<{ startMs: number, endMs: number, probabilities: Record<Emotion, number>, buckets: number }> = []
  const meanOf = (buckets: typeof timeline) => Object.fromEntries(EMOTIONS.map((e) => [e, buckets.reduce((s, b) => s + b.probabilities[e], 0) / buckets.length])) as Record<Emotion, number>
  const dominantOf = (p: Record<Emotion, number>) => EMOTIONS.reduce((best, e) => (p[e] > p[best] ? e : best), EMOTIONS[0])
  for (const group of groups) {
    const probabilities = meanOf(group)
    const last = parts[parts.length - 1]
    if (last && dominantOf(last.probabilities) === dominantOf(probabilities)) {
      // Weighted by bucket count, so merging keeps the mean over all buckets.
      const total = last.buckets + group.length
      last.probabilities = Object.fromEntries(EMOTIONS.map((e) => [e, (last.probabilities[e] * last.buckets + probabilities[e] * group.length) / total])) as Record<Emotion, number>
      last.buckets = total
      last.endMs = group[group.length - 1]!.endMs
    } else {
      parts.push({ startMs: group[0]!.startMs, endMs: group[group.length - 1]!.endMs, probabilities, buckets: group.length })
    }
  }
  return parts.map((part) => {
    const emotion = dominantOf(part.probabilities)
    return { ...timeRange(part.startMs, part.endMs, durationMs), emotion, share: round(part.probabilities[emotion], 2) }
  })
}

/** The face facts; null metrics (the face stage did not run) give all-zero facts with analysed false. */
export function faceFacts (input: FaceMetrics | null, context: Pick<FactContext, 'durationS'>): FaceFacts {
  const metrics = input ?? computeFaceMetrics([])
  const durationS = context.durationS
  const durationMs = durationS * 1000
  const minutes = Math.max(durationS / 60, 1 / 60)
  const faceSeconds = round(durationS * metrics.presence.faceVisibleRatio, 1)
  const lookAways = metrics.attention.lookAways.map((l) => ({ ...timeRange(l.startMs, l.endMs, durationMs), direction: lookDirection(l.meanYaw, l.meanPitch) }))
  const missing = metrics.presence.missing.map((m) => timeRange(m.startMs, m.endMs, durationMs))
  const distribution = metrics.emotion.distribution
  const share = (emotions: readonly Emotion[]) => round(emotions.reduce((s, e) => s + distribution[e], 0), 2)
  return {
    analysed: input !== null,
    durationS: round(durationS, 1),
    duration: formatTimestamp(durationMs),
    faceSeconds,
    eyeContact: {
      percent: percent(metrics.attention.eyeContactRatio),
      gazeStability: round(metrics.attention.gazeStability, 2),
      gazeSpreadDeg: round(metrics.attention.gazeSpreadDeg, 1)
    },
    lookAways: {
      count: lookAways.length,
      perMinute: round(lookAways.length / minutes, 1),
      totalSeconds: round(lookAways.reduce((s, l) => s + l.seconds, 0), 1),
      items: lookAways
    },
    blinks: {
      count: metrics.blinks.count,
      ratePerMinute: round(metrics.blinks.ratePerMinute, 1),
      meanDurationMs: Math.round(metrics.blinks.meanDurationMs),
      longClosures: metrics.blinks.longClosures,
      rateReliable: faceSeconds >= MIN_SECONDS_FOR_BLINK_RATE
    },
    head: {
      meanSpeedDegPerSecond: round(metrics.head.meanSpeedDegPerSecond, 1),
      largeMovementsPerMinute: round(metrics.head.largeMovementsPerMinute, 1)
    },
    presence: {
      faceVisiblePercent: percent(metrics.presence.faceVisibleRatio),
      otherFacesPercent: percent(metrics.presence.multipleFacesRatio),
      missing,
      missingSeconds: round(missing.reduce((s, m) => s + m.seconds, 0), 1)
    },
    emotion: {
      samples: metrics.emotion.samples,
      dominant: metrics.emotion.dominant,
      mix: EMOTIONS.map((emotion) => ({ emotion, share: round(distribution[emotion], 2) }))
        .filter((e) => e.share >= MIN_LISTED_SHARE)
        .sort((a, b) => b.share - a.share),
      positiveShare: share(POSITIVE_EMOTIONS),
      negativeShare: share(NEGATIVE_EMOTIONS),
      parts: emotionParts(metrics.emotion.timeline, durationMs)
    }
  }
}

const DIRECTION_TEXT: Record<Direction, string> = { left: 'to their left', right: 'to their right', up: 'up', down: 'down' }
const listOr = (items: string[], none: string) => (items.length ? items.join(', ') : none)
const seconds = (ms: number) => `${ms / 1000} s`

/** The face facts as English statements, one per line, for the LLM prompt. */
export function describeFaceFacts (f: FaceFacts): string[] {
  if (!f.analysed) return ['Face: not analysed for this recording (no eye contact, blinks, head movement, expression or presence).']
  const lines = [
    `Video length: ${f.duration} (${f.durationS} s); the face was in view ${f.presence.faceVisiblePercent}% of the time (${f.faceSeconds} s).`
  ]
  if (f.faceSeconds === 0) {
    lines.push('No face was found in the video, so eye contact, blinks, head movement and expression could not be measured.')
  } else {
    const { min, max } = NORMAL_BLINK_RATE
    lines.push(
      `Eye contact: ${f.eyeContact.percent}% of the open-eyed face time.`,
      `Look-aways of ${seconds(GAZE_CONE.minLookAwayMs)} or more: ${f.lookAways.count} (${f.lookAways.perMinute} per minute, ${f.lookAways.totalSeconds} s in total)` +
        (f.lookAways.count ? `: ${f.lookAways.items.map((l) => `${l.label} (${l.seconds} s, ${DIRECTION_TEXT[l.direction]})`).join(', ')}.` : '.'),
      `Gaze stability: ${f.eyeContact.gazeStability} (gaze spread ${f.eyeContact.gazeSpreadDeg} degrees).`,
      `Blinks: ${f.blinks.count}, ${f.blinks.ratePerMinute} per minute of face time (normal range ${min}-${max} per minute)` +
        (f.blinks.rateReliable ? '' : `; under ${MIN_SECONDS_FOR_BLINK_RATE} s of face time, so the rate is only a rough estimate`) +
        `; mean blink ${f.blinks.meanDurationMs} ms; eyes kept closed longer than ${seconds(BLINK_DETECTION.maxBlinkMs)}: ${f.blinks.longClosures} times.`,
      `Head movement: mean ${f.head.meanSpeedDegPerSecond} degrees per second; ${f.head.largeMovementsPerMinute} large movements (over ${LARGE_HEAD_MOVEMENT_DEG} degrees within a second) per minute.`
    )
  }
  lines.push(
    `Face missing for ${seconds(MIN_MISSING_MS)} or more: ${listOr(f.presence.missing.map((m) => `${m.label} (${m.seconds} s)`), 'never')}.`,
    `Other people in view: ${f.presence.otherFacesPercent}% of the time.`
  )
  if (f.emotion.samples > 0) {
    lines.push(
      `Expression over the whole video: ${f.emotion.mix.map((e) => `${e.emotion} ${percent(e.share)}%`).join(', ')} (positive: ${POSITIVE_EMOTIONS.join(' + ')} ${percent(f.emotion.positiveShare)}%; negative: ${NEGATIVE_EMOTIONS.join(', ')} ${percent(f.emotion.negativeShare)}%).`,
      `Dominant expression by part: ${f.emotion.parts.map((p) => `${p.label} ${p.emotion} (${percent(p.share)}%)`).join('; ')}.`
    )
  }
  return lines
}
