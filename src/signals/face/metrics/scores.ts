/**
 * Headline scores built from the metrics. Each is a documented formula over the numbers the
 * metrics report, so a user can see why a score is what it is; SCORE_VERSION changes whenever
 * a formula does.
 */
import type { FaceMetrics } from './index.js'

export const SCORE_VERSION = '1.0'

export interface CategoryScores {
  /** 0-100: share of face time with eye contact, less for looking away often. */
  eyeContact: number
  /** 0-100: positive and engaged expression (happiness, calm neutrality) over negative. */
  expression: number
  /** 0-100: steady head and gaze, normal blinking. */
  composure: number
  /** 0-100: face in view, alone in the frame. */
  presence: number
}

export interface Scores {
  version: string
  /** 0-60: the interview impression score (see interviewScore). */
  interviewScore: number
  /** 0-100: attention on the camera (see attentionScore). */
  attentionScore: number
  categories: CategoryScores
}

const clamp = (value: number, min = 0, max = 100) => Math.max(min, Math.min(max, value))
const round1 = (value: number) => Math.round(value * 10) / 10

/**
 * Attention (0-100) = 100 x eye-contact ratio x share of time the face is in view, minus 5 per
 * look-away per minute (at most 30): looking at the camera, staying in frame, not drifting off.
 */
export function attentionScore (m: FaceMetrics): number {
  const minutes = Math.max(m.durationS / 60, 1 / 60)
  const lookAwaysPerMinute = m.attention.lookAways.length / minutes
  return round1(clamp(100 * m.attention.eyeContactRatio * m.presence.faceVisibleRatio - Math.min(30, 5 * lookAwaysPerMinute)))
}

/**
 * Expression (0-100): 100 x (happiness + 0.8 neutral + 0.5 surprise) minus 100 x (anger +
 * contempt + disgust + fear + sadness) x 0.5, from the emotion distribution; 50 without any
 * emotion estimate (no face seen).
 */
export function expressionScore (m: FaceMetrics): number {
  if (m.emotion.samples === 0) return 50
  const d = m.emotion.distribution
  const positive = d.happiness + 0.8 * d.neutral + 0.5 * d.surprise
  const negative = d.anger + d.contempt + d.disgust + d.fear + d.sadness
  return round1(clamp(100 * positive - 50 * negative))
}

/**
 * Composure (0-100): starts from 100 x gaze stability, minus 1 per degree/s of mean head
 * speed above 15 (at most 30), minus 2 per blink per minute outside 8-30 (at most 20).
 */
export function composureScore (m: FaceMetrics): number {
  const headPenalty = Math.min(30, Math.max(0, m.head.meanSpeedDegPerSecond - 15))
  const rate = m.blinks.ratePerMinute
  const blinkPenalty = Math.min(20, 2 * (rate < 8 ? 8 - rate : rate > 30 ? rate - 30 : 0))
  return round1(clamp(100 * m.attention.gazeStability - headPenalty - blinkPenalty))
}

/** Presence (0-100) = 100 x face-visible share - 50 x other-faces share. */
export function presenceScore (m: FaceMetrics): number {
  return round1(clamp(100 * m.presence.faceVisibleRatio - 50 * m.presence.multipleFacesRatio))
}

/**
 * Interview score (0-60): the four categories weighted 35 % eye contact, 30 % expression,
 * 20 % composure, 15 % presence, scaled to 60 (the scale the product was specified with).
 */
export function computeScores (m: FaceMetrics): Scores {
  const categories: CategoryScores = {
    eyeContact: attentionScore(m),
    expression: expressionScore(m),
    composure: composureScore(m),
    presence: presenceScore(m)
  }
  const weighted = 0.35 * categories.eyeContact + 0.3 * categories.expression + 0.2 * categories.composure + 0.15 * categories.presence
  return { version: SCORE_VERSION, interviewScore: round1(weighted * 0.6), attentionScore: categories.eyeContact, categories }
}
