/** Stored analysis rows to the API's response shapes (snake_case, seconds, percentages). */
import type { Static } from 'typebox'
import type { AnalysisRecord } from '../repositories/analyses.js'
import type { StoredScores, StoredEvent, StoredTranscript, StoredVoice } from '../repositories/results.js'
import type { AnalysisResponse, RecentResponse } from '../schemas/analysis.js'

const iso = (date: Date | null) => (date ? date.toISOString() : null)
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits

export function toAnalysisResponse (analysis: AnalysisRecord, scores: StoredScores | null, events: StoredEvent[], transcript: StoredTranscript | null = null): AnalysisResponse {
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
      duration_s: round(analysis.video.durationS),
      width: analysis.video.width,
      height: analysis.video.height,
      fps: round(analysis.video.fps),
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
  if (!scores) return response
  const m = scores.metrics
  const s = m.scores
  return {
    ...response,
    emotion_analysis: {
      interview_score: scores.interviewScore,
      dominant_emotion: m.emotion.dominant,
      emotions: roundAll(m.emotion.distribution),
      timeline: m.emotion.timeline.map((b) => ({ start_s: b.startMs / 1000, end_s: b.endMs / 1000, dominant: b.dominant, emotions: roundAll(b.probabilities) }))
    },
    eye_tracking: {
      attention_score: scores.attentionScore,
      eye_contact_ratio: round(m.attention.eyeContactRatio),
      gaze_stability: round(m.attention.gazeStability),
      blink_frequency: round(m.blinks.ratePerMinute, 1),
      blink_count: m.blinks.count,
      look_aways: m.attention.lookAways.length
    },
    head_movement: {
      mean_speed_deg_per_s: round(m.head.meanSpeedDegPerSecond, 1),
      yaw_std_deg: round(m.head.std.yaw, 1),
      pitch_std_deg: round(m.head.std.pitch, 1),
      roll_std_deg: round(m.head.std.roll, 1),
      large_movements_per_min: round(m.head.largeMovementsPerMinute, 1)
    },
    presence: {
      face_missing_percent: round(m.presence.faceMissingRatio * 100, 1),
      other_faces_percent: round(m.presence.multipleFacesRatio * 100, 1)
    },
    ...(scores.voice ? { voice_analysis: toVoiceAnalysis(scores.voice, transcript) } : {}),
    ...(s ? { category_scores: { eye_contact: s.categories.eyeContact, expression: s.categories.expression, composure: s.categories.composure, presence: s.categories.presence } } : {}),
    events: events.map((e) => ({ kind: e.kind, start_s: e.startMs / 1000, end_s: e.endMs / 1000, value: e.value }))
  }
}

function toVoiceAnalysis (voice: StoredVoice, transcript: StoredTranscript | null): NonNullable<AnalysisResponse['voice_analysis']> {
  const v = voice.metrics
  const minutes = v ? v.durationS / 60 : 0
  return {
    has_audio: voice.hasAudio,
    note: !voice.hasAudio ? 'no audio track: voice not analysed' : voice.transcriptError ?? null,
    speaking_ratio: v ? round(v.speakingRatio) : null,
    syllables: v ? v.syllables : null,
    syllables_per_minute: v ? round(v.syllablesPerMinuteSpeaking, 1) : null,
    syllables_per_minute_total: v ? round(v.syllablesPerMinuteTotal, 1) : null,
    pauses: v ? { count: v.pauses.count, mean_s: round(v.pauses.meanS, 2), longest_s: round(v.pauses.longestS, 2) } : null,
    loudness: v ? { mean_db: round(v.loudness.meanDb, 1), variation_db: round(v.loudness.variationDb, 1) } : null,
    pitch: v ? { median_hz: v.pitch.medianHz, range_semitones: v.pitch.rangeSemitones, variability_semitones: v.pitch.variabilitySemitones } : null,
    transcript: transcript && {
      language: transcript.language,
      words: transcript.words.length,
      words_per_minute: transcript.wordsPerMinute,
      filler_count: transcript.fillers.count,
      fillers_per_minute: minutes > 0 ? round(transcript.fillers.count / minutes, 1) : 0,
      text: transcript.text
    }
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
    duration_s: analysis.video ? round(analysis.video.durationS) : null
  }
}

function roundAll (record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, round(v, 4)]))
}
