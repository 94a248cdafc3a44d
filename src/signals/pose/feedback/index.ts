/** The pose's part of the feedback (feedback/contribution.ts): facts, statements, definitions, aspects. */
import type { FeedbackContribution } from '../../../feedback/contribution.js'
import type { PoseMetrics } from '../metrics/index.js'
import { POSE_CATEGORY_NAMES, poseAspects, poseSummary } from './aspects.js'
import { POSE_DEFINITIONS } from './definitions.js'
import { describePoseFacts, poseFacts, type PoseFacts } from './facts.js'

export type { PoseFacts, PoseStatus } from './facts.js'
export type { PoseAspectKey } from './aspects.js'

export const poseFeedback: FeedbackContribution<PoseMetrics, PoseFacts> = {
  facts: poseFacts,
  /** Measured only with the body in view: a head-and-shoulders framing adds no score category. */
  measured: (f) => f.status === 'measured',
  describe: describePoseFacts,
  definitions: POSE_DEFINITIONS,
  categories: POSE_CATEGORY_NAMES,
  aspects: poseAspects,
  summary: poseSummary
}
