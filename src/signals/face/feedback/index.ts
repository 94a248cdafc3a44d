/** The face's part of the feedback (feedback/contribution.ts): facts, statements, definitions, aspects. */
import type { FeedbackContribution } from '../../../feedback/contribution.js'
import type { FaceMetrics } from '../metrics/index.js'
import { FACE_CATEGORY_NAMES, faceAspects, faceSummary } from './aspects.js'
import { FACE_DEFINITIONS } from './definitions.js'
import { describeFaceFacts, faceFacts, type FaceFacts } from './facts.js'

export type { FaceFacts } from './facts.js'

export const faceFeedback: FeedbackContribution<FaceMetrics, FaceFacts> = {
  facts: faceFacts,
  measured: (f) => f.analysed && f.faceSeconds > 0,
  describe: describeFaceFacts,
  definitions: FACE_DEFINITIONS,
  categories: FACE_CATEGORY_NAMES,
  aspects: faceAspects,
  summary: faceSummary
}
