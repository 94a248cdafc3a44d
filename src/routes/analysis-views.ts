/** Stored analysis rows to the API's response shapes (snake_case, seconds, percentages). */
import type { Static } from 'typebox'
import type { AnalysisRecord } from '../repositories/analyses.js'
import type { StoredScores, StoredEvent, StoredSignal, StoredTranscript } from '../repositories/results.js'
import type { AnalysisResponse, RecentResponse } from '../schemas/analysis.js'
import { SIGNALS } from '../signals/registry.js'
import { round } from '../numbers.js'

const iso = (date: Date | null) => (date ? date.toISOString() : null)

/** What a completed analysis stored besides its row. */
export interface StoredResults {
  scores: StoredScores
  signals: Map<string, StoredSignal>
  events: StoredEvent[]
  transcript: { transcript: StoredTranscript | null, error: string | null }
  /** The playback section, its links already presigned (null: made before copies existed). */
  playback: AnalysisResponse['playback']
}

export function toAnalysisResponse (analysis: AnalysisRecord, results: StoredResults | null): AnalysisResponse {
  const response: AnalysisResponse = {
    analysis_id: analysis.id,
    user_id: analysis.userId,
    session_id: analysis.sessionId,
    status: analysis.status,
    progress: analysis.progress,
    stage: analysis.stage,
    error: analysis.errorCode ? { code: analysis.errorCode, message: analysis.errorMessage ?? '' } : null,
    source: { s3_bucket: analysis.s3Bucket, s3_key: analysis.s3Key, size_bytes: analysis.s3Size },
    video: analysis.video && {
      container: analysis.video.container,
      duration_s: round(analysis.video.durationS, 3),
      width: analysis.video.width,
      height: analysis.video.height,
      fps: round(analysis.video.fps, 3),
      rotation: analysis.video.rotation,
      video_codec: analysis.video.videoCodec,
      audio_codec: analysis.video.audioCodec,
      has_audio: analysis.video.hasAudio
    },
    attempts: analysis.attempts,
    created_at: analysis.createdAt.toISOString(),
    updated_at: analysis.updatedAt.toISOString(),
    started_at: iso(analysis.startedAt),
    completed_at: iso(analysis.completedAt),
    analysed_frames: analysis.analysedFrames,
    model_versions: analysis.modelVersions,
    scores_version: analysis.scoreVersion
  }
  if (!results) return response
  const { scores, transcript } = results
  const context = { transcript: transcript.transcript, transcriptError: transcript.error, scores }
  for (const module of SIGNALS) {
    const stored = results.signals.get(module.kind)
    if (stored) Object.assign(response, module.view.render(stored.metrics, context))
  }
  return {
    ...response,
    category_scores: scores.categories,
    events: results.events.map((e) => ({ kind: e.kind, start_s: e.startMs / 1000, end_s: e.endMs / 1000, value: e.value })),
    playback: results.playback ?? null
  }
}

export function toRecentItem (analysis: AnalysisRecord): Static<typeof RecentResponse>['analyses'][number] {
  return {
    analysis_id: analysis.id,
    user_id: analysis.userId,
    session_id: analysis.sessionId,
    status: analysis.status,
    progress: analysis.progress,
    created_at: analysis.createdAt.toISOString(),
    completed_at: iso(analysis.completedAt),
    duration_s: analysis.video ? round(analysis.video.durationS, 3) : null
  }
}
