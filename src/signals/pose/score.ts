/**
 * The body-language score (0-100), only when the body is visible (visibility upper_body or full);
 * a head-and-shoulders recording gets no score, so its interview score is unchanged.
 *
 * Three parts, each 0-100, averaged with weights 0.4 / 0.3 / 0.3 over the parts that could be
 * measured (the weights of the present parts are normalised):
 *   posture    100 - 60 x slouched share - 20 x side-lean share - 20 x tilted-shoulders share
 *              - 20 x turned-away share (shares of the measured time; an unmeasured part, such as
 *              the slouch without the hips seen, takes nothing off)
 *   gestures   only with a hand in view for at least 20 % of the recording: 100 within 4-20
 *              gestures per minute (or under 4 while gesturing at least 15 % of the hand-visible
 *              time: long gestures); under 4, 40 + 60 x rate / 4 (still hands lose at most 60);
 *              over 20, 100 - 3 per gesture per minute over 20, at least 40
 *   composure  100 - 20 per face touch per minute (at most 40) - 200 x fidgeting share (at most
 *              30) - 100 x arms-crossed share (at most 30) - 200 per torso of sway over 0.05 (at
 *              most 20) - 10 when pacing
 * In category_scores as body_language with weight 0.15 of the interview score.
 */
import type { CategoryScore } from '../contract.js'
import { clamp, round } from '../../numbers.js'
import type { PoseMetrics } from './metrics/index.js'
import { POSE_THRESHOLDS } from './thresholds.js'

export const POSE_SCORE_VERSION = '1.0'
export const BODY_LANGUAGE_WEIGHT = 0.15
export const BODY_LANGUAGE_PARTS = { posture: 0.4, gestures: 0.3, composure: 0.3 } as const
/** Gesturing this share of the hand-visible time counts as enough, whatever the rate. */
export const ACTIVE_GESTURE_SHARE = 0.15

export interface BodyLanguageBreakdown {
  score: number
  posture: number
  gestures: number | null
  composure: number
}

export function postureScore (m: PoseMetrics): number {
  const p = m.posture
  return clamp(100 - 60 * (p.slouchRatio ?? 0) - 20 * (p.sideLeanRatio ?? 0) - 20 * (p.tiltedRatio ?? 0) - 20 * (1 - (p.facingRatio ?? 1)), 0, 100)
}

export function gestureScore (m: PoseMetrics): number | null {
  const h = m.hands
  const range = POSE_THRESHOLDS.hands.gesturesPerMinute
  if (h.visibleRatio < POSE_THRESHOLDS.hands.minVisibleShare || h.gesturesPerMinute === null) return null
  const rate = h.gesturesPerMinute
  if (rate > range.max) return Math.max(40, 100 - 3 * (rate - range.max))
  if (rate >= range.min || (h.gestureActiveRatio ?? 0) >= ACTIVE_GESTURE_SHARE) return 100
  return 40 + 60 * rate / range.min
}

export function composureScore (m: PoseMetrics): number {
  const minutes = Math.max(m.durationS / 60, 1 / 60)
  const sway = m.movement.swayTorsos ?? 0
  const penalty = Math.min(40, 20 * m.hands.faceTouches.length / minutes) +
    Math.min(30, 200 * (m.hands.fidgetRatio ?? 0)) +
    Math.min(30, 100 * (m.hands.armsCrossedRatio ?? 0)) +
    Math.min(20, 200 * Math.max(0, sway - POSE_THRESHOLDS.movement.swayTorsos.calm)) +
    (m.movement.pacing ? 10 : 0)
  return clamp(100 - penalty, 0, 100)
}

/** The score and its parts (rounded to 0.1), or null when the body is not visible. */
export function bodyLanguageBreakdown (m: PoseMetrics): BodyLanguageBreakdown | null {
  if (!m.bodyVisible) return null
  const posture = postureScore(m)
  const gestures = gestureScore(m)
  const composure = composureScore(m)
  const w = BODY_LANGUAGE_PARTS
  const weights = w.posture + (gestures === null ? 0 : w.gestures) + w.composure
  const score = (w.posture * posture + (gestures === null ? 0 : w.gestures * gestures) + w.composure * composure) / weights
  return { score: round(clamp(score, 0, 100), 1), posture: round(posture, 1), gestures: gestures === null ? null : round(gestures, 1), composure: round(composure, 1) }
}

export function bodyLanguageScore (m: PoseMetrics): number | null {
  return bodyLanguageBreakdown(m)?.score ?? null
}

/** The pose module's categories: body_language when the body is visible, else none. */
export function poseCategories (m: PoseMetrics): CategoryScore[] {
  const score = bodyLanguageScore(m)
  return score === null ? [] : [{ key: 'body_language', score, weight: BODY_LANGUAGE_WEIGHT }]
}
