/** Feedback input from an engine analysis, as the job builds it: the face and voice contributions with their metrics. */
import type { AnalysisResult } from '../../src/engine/analyze.js'
import type { FeedbackInput, SignalFeedback } from '../../src/feedback/index.js'
import type { Language } from '../../src/feedback/schema.js'
import { faceFeedback } from '../../src/signals/face/feedback/index.js'
import type { FaceMetrics } from '../../src/signals/face/metrics/index.js'
import { faceCategories } from '../../src/signals/face/scores.js'
import { voiceFeedback, type VoiceInput } from '../../src/signals/voice/feedback/index.js'
import { computeScores, type Scores } from '../../src/signals/scores.js'
import type { Transcript } from '../../src/transcripts/transcribe.js'

export const faceOf = (analysis: AnalysisResult) => analysis.signals.face!.metrics as FaceMetrics
export const voiceOf = (analysis: AnalysisResult) => analysis.signals.voice!.metrics as VoiceInput

/** The scores of a face-only analysis (the voice adds no category). */
export const faceScores = (face: FaceMetrics): Scores => computeScores(faceCategories(face))

export interface InputOptions {
  /** Include the voice contribution (the analysis's own voice unless `voice` is given). */
  withVoice?: boolean
  voice?: VoiceInput | null
  transcript?: Transcript | null
}

export function feedbackInputOf (face: FaceMetrics, durationS: number, language: Language, options: InputOptions = {}): FeedbackInput {
  const signals: SignalFeedback[] = [{ kind: 'face', contribution: faceFeedback, metrics: face }]
  if (options.withVoice || options.voice !== undefined) signals.push({ kind: 'voice', contribution: voiceFeedback, metrics: options.voice ?? null })
  return { signals, scores: faceScores(face), durationS, language, transcript: options.transcript ?? null }
}

export function analysisInput (analysis: AnalysisResult, language: Language, options: InputOptions = {}): FeedbackInput {
  const voice = options.voice !== undefined ? options.voice : options.withVoice ? voiceOf(analysis) : undefined
  return feedbackInputOf(faceOf(analysis), analysis.video.durationS, language, { ...options, ...(voice !== undefined ? { voice } : {}) })
}
