/** The voice's part of the feedback (feedback/contribution.ts): facts, statements, definitions, aspects. */
import type { FeedbackContribution } from '../../../feedback/contribution.js'
import { voiceAspects, voiceSummary } from './aspects.js'
import { VOICE_DEFINITIONS } from './definitions.js'
import { describeVoiceFacts, voiceFacts, type VoiceFacts, type VoiceInput } from './facts.js'

export type { VoiceFacts, VoiceInput, MeasuredVoice } from './facts.js'

export const voiceFeedback: FeedbackContribution<VoiceInput, VoiceFacts> = {
  facts: voiceFacts,
  measured: (v) => v.status === 'measured',
  describe: describeVoiceFacts,
  definitions: VOICE_DEFINITIONS,
  categories: {},
  aspects: voiceAspects,
  summary: voiceSummary
}
