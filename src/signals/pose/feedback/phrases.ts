/**
 * The shape of the pose's phrase tables (phrases-en.ts, phrases-ko.ts): every sentence the
 * rule-based writer uses for body language; numbers and timestamps come from the facts,
 * reference values from ../thresholds.ts.
 */
import type { FaceRegion } from '../metrics/index.js'
import type { FaceTouchFact, PoseFacts } from './facts.js'

/** The posture problem an improvement is about (the one over the largest share of the time). */
export type PostureIssue = 'slouch' | 'headForward' | 'sideLean' | 'tilt' | 'turned'
export type GestureWhere = 'few' | 'many' | 'good' | 'hidden'

export interface PosePhrases {
  region: Record<FaceRegion, string>
  /** The body_language category as the summary names it. */
  category: string
  summary: {
    measured: (f: PoseFacts) => string
    headAndShoulders: string
    notVisible: string
    touches: (f: PoseFacts) => string
  }
  posture: {
    good: string
    poor: Record<PostureIssue, string>
    evidence: (f: PoseFacts) => string
    suggestion: Record<PostureIssue, (first: string | null) => string>
  }
  gestures: {
    title: Record<GestureWhere, string>
    evidence: (f: PoseFacts) => string
    hiddenEvidence: (f: PoseFacts) => string
    suggestion: Record<GestureWhere, (first: string | null) => string>
  }
  fidgeting: { good: string, poor: string, evidence: (f: PoseFacts) => string, suggestion: (first: string | null) => string }
  faceTouch: {
    good: string
    poor: string
    none: (f: PoseFacts) => string
    evidence: (f: PoseFacts, shown: FaceTouchFact[]) => string
    suggestion: (first: string | null) => string
  }
  movement: { good: string, poor: string, poorPacing: string, evidence: (f: PoseFacts) => string, suggestion: string, suggestionPacing: string }
  armsCrossed: { good: string, poor: string, evidence: (f: PoseFacts) => string, suggestion: string }
}
