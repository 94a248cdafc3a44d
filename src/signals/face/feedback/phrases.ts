/**
 * The shape of the face's phrase tables (phrases-en.ts, phrases-ko.ts): every sentence the
 * rule-based writer uses for the face; numbers and timestamps come from the facts, reference
 * values from thresholds.ts.
 */
import type { TimeRange } from '../../../feedback/timestamps.js'
import type { Emotion } from '../metrics/index.js'
import type { Direction, EmotionPart, FaceFacts } from './facts.js'

export type FaceCategory = 'eye_contact' | 'expression' | 'composure' | 'presence'

export interface FacePhrases {
  emotion: Record<Emotion, string>
  direction: Record<Direction, string>
  /** The score categories as the summary names them. */
  category: Record<FaceCategory, string>
  summary: {
    measures: (f: FaceFacts) => string
    noFace: string
    notAnalysed: string
  }
  eyeContact: { good: string, poor: string, evidence: (f: FaceFacts) => string, suggestion: string }
  lookAways: {
    good: string
    poor: string
    none: (f: FaceFacts) => string
    evidence: (f: FaceFacts, shown: TimeRange[], direction: Direction | null) => string
    suggestion: (first: string | null) => string
  }
  gaze: { good: string, poor: string, evidence: (f: FaceFacts) => string, suggestion: string }
  blinks: {
    good: string
    poorHigh: string
    poorLow: string
    poor: string
    evidence: (f: FaceFacts, where: 'within' | 'above' | 'below' | 'rough') => string
    suggestionHigh: string
    suggestionLow: string
    suggestion: string
  }
  head: { good: string, poor: string, evidence: (f: FaceFacts) => string, suggestion: string }
  expression: {
    good: string
    poor: string
    positive: (f: FaceFacts, mix: string) => string
    negative: (f: FaceFacts, mix: string, negativeParts: string, positiveParts: string) => string
    part: (p: EmotionPart) => string
    suggestion: (warmest: string | null) => string
  }
  presence: {
    good: string
    poorMissing: string
    poorOthers: string
    evidence: (f: FaceFacts) => string
    noFace: string
    suggestionMissing: string
    suggestionOthers: string
  }
}
