/** The API's response shapes, straight from the server's schemas (types only: nothing of the server is bundled). */
import type { Static } from 'typebox'
import type {
  AnalysisResponse, AnalyzeAccepted, AnalyzeBody, FeedbackResponse, RecentResponse, TimelineResponse
} from '../../../src/schemas/analysis.js'

export type Analysis = AnalysisResponse
export type Accepted = Static<typeof AnalyzeAccepted>
export type AnalyzeRequest = AnalyzeBody
export type Feedback = Static<typeof FeedbackResponse>
export type Recent = Static<typeof RecentResponse>
export type Timeline = TimelineResponse
