/**
 * The face's score categories: each a documented formula over the numbers the face metrics
 * report, so a user can see why a score is what it is. Numbers from thresholds.ts; a change to
 * one of them changes SCORE_VERSION (signals/scores.ts).
 */
import { clamp, round } from '../../numbers.js'
import type { CategoryScore } from '../scores.js'
import type { FaceMetrics } from './metrics/index.js'
import { CALM_HEAD_DEG_PER_SECOND, CATEGORY_WEIGHTS, NORMAL_BLINK_RATE, SCORE_FORMULA as F } from './thresholds.js'

const score = (value: number) => round(clamp(value, 0, 100), 1)

/**
 * Attention / eye contact (0-100) = 100 x eye-contact ratio x share of time the face is in view,
 * minus 5 per look-away per minute (at most 30): looking at the camera, staying in frame, not
 * drifting off.
 */
export function attentionScore (m: FaceMetrics): number {
  const minutes = Math.max(m.durationS / 60, 1 / 60)
  const lookAwaysPerMinute = m.attention.lookAways.length / minutes
  return score(100 * m.attention.eyeContactRatio * m.presence.faceVisibleRatio - Math.min(F.maxLookAwayPenalty, F.lookAwayPenalty * lookAwaysPerMinute))
}

/**
 * Expression (0-100): 100 x (happiness + 0.8 neutral + 0.5 surprise) minus 100 x (anger +
 * contempt + disgust + fear + sadness) x 0.5, from the emotion distribution; 50 without any
 * emotion estimate (no face seen).
 */
export function expressionScore (m: FaceMetrics): number {
  if (m.emotion.samples === 0) return F.expressionWithoutFace
  const d = m.emotion.distribution
  const positive = d.happiness + F.neutralWeight * d.neutral + F.surpriseWeight * d.surprise
  const negative = d.anger + d.contempt + d.disgust + d.fear + d.sadness
  return score(100 * positive - 100 * F.negativeWeight * negative)
}

/**
 * Composure (0-100): starts from 100 x gaze stability, minus 1 per degree/s of mean head
 * speed above 15 (at most 30), minus 2 per blink per minute outside 8-30 (at most 20).
 */
export function composureScore (m: FaceMetrics): number {
  const headPenalty = Math.min(F.maxHeadPenalty, Math.max(0, m.head.meanSpeedDegPerSecond - CALM_HEAD_DEG_PER_SECOND))
  const rate = m.blinks.ratePerMinute
  const { min, max } = NORMAL_BLINK_RATE
  const blinkPenalty = Math.min(F.maxBlinkPenalty, F.blinkPenalty * (rate < min ? min - rate : rate > max ? rate - max : 0))
  return score(100 * m.attention.gazeStability - headPenalty - blinkPenalty)
}

/** Presence (0-100) = 100 x face-visible share - 50 x other-faces share. */
export function presenceScore (m: FaceMetrics): number {
  return score(100 * m.presence.faceVisibleRatio - F.otherFacesPenalty * m.presence.multipleFacesRatio)
}

/** The face's four categories with their interview-score weights (35/30/20/15). */
export function faceCategories (m: FaceMetrics): CategoryScore[] {
  return [
    { key: 'eye_contact', score: attentionScore(m), weight: CATEGORY_WEIGHTS.eye_contact },
    { key: 'expression', score: expressionScore(m), weight: CATEGORY_WEIGHTS.expression },
    { key: 'composure', score: composureScore(m), weight: CATEGORY_WEIGHTS.composure },
    { key: 'presence', score: presenceScore(m), weight: CATEGORY_WEIGHTS.presence }
  ]
}
