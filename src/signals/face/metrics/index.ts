/**
 * Metrics over a series of FaceFrames: pure functions, no Node APIs, shared by the server's
 * engine and the browser's live mode. Each module documents its definitions and thresholds.
 */
import type { FaceFrame } from './types.js'
import { detectBlinks, typicalFrameMs, type BlinkSummary } from './blinks.js'
import { summarizeAttention, type AttentionSummary } from './attention.js'
import { summarizeHead, type HeadSummary } from './head.js'
import { summarizePresence, type PresenceSummary } from './presence.js'
import { summarizeEmotion, type EmotionSummary } from './emotion.js'

export * from './types.js'
export * from './blinks.js'
export * from './attention.js'
export * from './head.js'
export * from './presence.js'
export * from './emotion.js'
export * from './events.js'
export * from './curves.js'

/** Bumped whenever a definition or threshold changes, so stored results say how they were computed. */
export const METRICS_VERSION = '1.1'

export interface FaceMetrics {
  version: string
  durationS: number
  frames: number
  presence: PresenceSummary
  blinks: BlinkSummary
  attention: AttentionSummary
  head: HeadSummary
  emotion: EmotionSummary
}

export function computeFaceMetrics (frames: readonly FaceFrame[]): FaceMetrics {
  const durationMs = frames.length ? frames[frames.length - 1]!.t + typicalFrameMs(frames) : 0
  return {
    version: METRICS_VERSION,
    durationS: durationMs / 1000,
    frames: frames.length,
    presence: summarizePresence(frames),
    blinks: detectBlinks(frames),
    attention: summarizeAttention(frames),
    head: summarizeHead(frames),
    emotion: summarizeEmotion(frames)
  }
}
