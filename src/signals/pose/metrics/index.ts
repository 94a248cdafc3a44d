/**
 * Metrics over a series of PoseFrames: pure functions, no Node APIs, shared by the server's
 * engine and the browser's live mode. Each file documents its definitions; every threshold is in
 * ../thresholds.ts.
 *
 * Nothing is invented: a measure whose body parts were not seen for long enough is null (not 0),
 * and `visibility` says what the recording shows (visibility.ts). A head-and-shoulders framing
 * gets shoulder tilt, facing and head forward, face touches and whatever the hands do when
 * raised into view, but no slouch, lean or body-language score.
 */
import type { PoseFrame } from '../types.js'
import { prepareSeries, summarizeVisibility, type VisibilitySummary } from './visibility.js'
import { summarizePosture, type PostureMetrics } from './posture.js'
import { summarizeMovement, type MovementMetrics } from './movement.js'
import { summarizeHands, type HandMetrics } from './hands.js'

export type { PoseVisibility, PoseSeries, VisibilitySummary } from './visibility.js'
export type { PostureMetrics, Slouch } from './posture.js'
export type { MovementMetrics } from './movement.js'
export type { HandMetrics, Gesture, FaceTouch, FaceRegion, NoGesture } from './hands.js'
export type { Span } from './geometry.js'

/** Bumped whenever a definition or threshold changes, so stored results say how they were computed. */
export const POSE_METRICS_VERSION = '1.1'

export interface PoseContext {
  /** The video's analysed length in seconds (ranges end no later). */
  durationS: number
  /** Width / height of the analysed frames (x and y are normalised separately). */
  frameAspect: number
  /** Speaking time from the voice analysis; null when there is no audio (all time counts as speaking). */
  speaking: Array<{ startMs: number, endMs: number }> | null
}

/** With the framing verdict (VisibilitySummary: bodyVisible is true for 'full' and 'upper_body', when posture, movement and gestures are judged and scored). */
export interface PoseMetrics extends VisibilitySummary {
  version: string
  durationS: number
  frames: number
  /** Milliseconds a frame stands for (median spacing). */
  frameMs: number
  /** Width / height of the analysed frames (kept so the stored frames can be measured again, e.g. for curves). */
  frameAspect: number
  /** Torso length in fractions of the frame height (the unit of "torsos"), null without shoulders. */
  torsoLength: number | null
  /** False when the torso length was estimated from the shoulder width (hips never seen). */
  torsoFromHips: boolean
  /** Whether speaking time was known (no-gesture counted while speaking) or all time counted. */
  speakingKnown: boolean
  posture: PostureMetrics
  movement: MovementMetrics
  hands: HandMetrics
}

export function summarizePose (frames: readonly PoseFrame[], context: PoseContext): PoseMetrics {
  const series = prepareSeries(frames, context.frameAspect, context.durationS, context.speaking)
  const visibility = summarizeVisibility(series)
  return {
    version: POSE_METRICS_VERSION,
    durationS: series.durationMs / 1000,
    frames: series.frames.length,
    frameMs: series.frameMs,
    frameAspect: context.frameAspect,
    ...visibility,
    torsoLength: series.torso,
    torsoFromHips: series.torsoFromHips,
    speakingKnown: context.speaking !== null,
    posture: summarizePosture(series),
    movement: summarizeMovement(series),
    hands: summarizeHands(series)
  }
}
