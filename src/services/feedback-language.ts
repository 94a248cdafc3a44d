/**
 * Coaching feedback in another language for a completed analysis: the job writes it in the
 * language asked when the analysis was made; this writes it again in another from what the
 * job stored (each kind's metrics, the scores, the transcript), with the same writers (the LLM
 * when a key is configured, else the rules; the rules when the LLM fails, saying why), and
 * stores it beside the first. The visual notes are not written again: the key frames they look
 * at are made by the job from the video, so the section says where to find them.
 */
import type { Config } from '../config.js'
import { writeFeedback, type FeedbackResult, type Language } from '../feedback/index.js'
import { feedbackToYaml, type VisualNotes } from '../feedback/schema.js'
import type { AnalysisRecord } from '../repositories/analyses.js'
import type { FeedbackRecord, ResultsRepository, StoredTranscript } from '../repositories/results.js'
import { SIGNALS } from '../signals/registry.js'
import { fillerLanguage } from '../signals/voice/engine/fillers.js'
import type { Transcript } from '../transcripts/transcribe.js'
import type { SignalFeedback } from '../feedback/contribution.js'
import type { Pool } from '../db/mariadb.js'

export class FeedbackNotPossible extends Error {
  constructor (readonly statusCode: 404 | 409, message: string) {
    super(message)
    this.name = 'FeedbackNotPossible'
  }
}

export interface FeedbackLanguageDeps {
  results: Pick<ResultsRepository, 'getScores' | 'getSignals' | 'getTranscript' | 'getFeedback' | 'saveFeedback'>
  llm: Config['llm']
  /** Another prompt file (tests). */
  promptFile?: string
}

/** The transcript as the writers take it, from the stored one. */
export function transcriptFromStored (stored: StoredTranscript | null): Transcript | null {
  if (!stored) return null
  const language = stored.language ?? ''
  return {
    text: stored.text,
    language,
    words: stored.words,
    wordsPerMinute: stored.wordsPerMinute ?? 0,
    fillerLanguage: fillerLanguage(language, stored.text),
    fillers: stored.fillers
  }
}

/**
 * The feedback a writer makes from the stored results of `analysis` in `language` (nothing is
 * stored). The visual notes section says they are written with the analysis.
 */
export async function rewriteFeedback (analysis: AnalysisRecord, language: Language, deps: FeedbackLanguageDeps, originalLanguage: string | null): Promise<FeedbackResult> {
  const [scores, signals, transcript] = await Promise.all([
    deps.results.getScores(analysis.id), deps.results.getSignals(analysis.id), deps.results.getTranscript(analysis.id)
  ])
  if (!scores || !analysis.video) throw new FeedbackNotPossible(409, `analysis ${analysis.id} has no stored results to write feedback from`)
  // The kinds the job stored, in registry order, as the job hands them to the writers.
  const feedbackSignals: SignalFeedback[] = SIGNALS.filter((m) => signals.has(m.kind))
    .map((m) => ({ kind: m.kind, contribution: m.feedback, metrics: signals.get(m.kind)!.metrics }))
  const written = await writeFeedback({
    signals: feedbackSignals,
    scores: { version: scores.version, interviewScore: scores.interviewScore, attentionScore: scores.attentionScore, categories: scores.categories },
    durationS: analysis.video.durationS,
    language,
    transcript: transcriptFromStored(transcript.transcript)
  }, deps.llm, deps.promptFile ? { promptFile: deps.promptFile } : {})
  const notes: VisualNotes = {
    produced: false,
    reason: originalLanguage
      ? `visual notes are written with the analysis, from its key frames: see the feedback in ${originalLanguage}`
      : 'visual notes are written with the analysis, from its key frames'
  }
  const feedback = { ...written.feedback, visual_notes: notes }
  return { ...written, feedback, yaml: feedbackToYaml(feedback) }
}

/**
 * The analysis's feedback in `language`: the stored one when there is one (created false),
 * else written now and stored (created true). Only for a completed analysis.
 */
export async function feedbackInLanguage (analysis: AnalysisRecord, language: Language, deps: FeedbackLanguageDeps): Promise<{ record: FeedbackRecord, created: boolean }> {
  if (analysis.status !== 'completed') {
    throw new FeedbackNotPossible(409, `feedback can be written once the analysis has completed: it is ${analysis.status}`)
  }
  const existing = await deps.results.getFeedback(analysis.id, language)
  if (existing) return { record: existing, created: false }
  const original = await deps.results.getFeedback(analysis.id)
  const result = await rewriteFeedback(analysis, language, deps, original?.language ?? null)
  const record = {
    language: result.language,
    source: result.source,
    model: result.model,
    promptVersion: result.promptVersion,
    yaml: result.yaml,
    parsed: result.feedback,
    fallbackReason: result.fallbackReason ?? null
  }
  await deps.results.saveFeedback(analysis.id, record)
  // Read back: two requests at once both write the same row; either way one row is served.
  const stored = await deps.results.getFeedback(analysis.id, language)
  return { record: stored ?? { ...record, createdAt: new Date() }, created: true }
}

export interface FeedbackLanguage { language: string, source: 'llm' | 'rules', model: string | null, createdAt: Date }

/** The languages an analysis has feedback in, the first written first. */
export async function feedbackLanguages (pool: Pool, analysisId: string): Promise<FeedbackLanguage[]> {
  const rows: Array<Record<string, unknown>> = await pool.query(
    'SELECT language, source, model, created_at FROM analysis_feedback WHERE analysis_id = ? ORDER BY created_at, language', [analysisId])
  return rows.map((r) => ({ language: String(r.language), source: r.source as 'llm' | 'rules', model: (r.model as string | null) ?? null, createdAt: r.created_at as Date }))
}
