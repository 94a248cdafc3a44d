/**
 * An analysis's results in MariaDB: scores (headline numbers as columns, the full metrics as
 * JSON), timeline events, and coaching feedback. Every write replaces what an earlier attempt
 * of the same analysis wrote, so a retried job never duplicates rows.
 */
import type { Pool } from '../db/mariadb.js'
import type { FaceMetrics, Scores, TimelineEvent } from '../signals/face/metrics/index.js'
import type { VoiceMetrics } from '../signals/voice/engine/index.js'
import type { Transcript } from '../transcripts/transcribe.js'

/** What is stored about the voice: the metrics, or why there are none. */
export interface StoredVoice {
  hasAudio: boolean
  metrics: Omit<VoiceMetrics, 'nucleiMs'> | null
  /** Why the transcript is missing when one was wanted (e.g. the API failed). */
  transcriptError?: string
}

export interface StoredScores {
  scoreVersion: string
  interviewScore: number
  attentionScore: number
  metrics: FaceMetrics & { scores?: Scores }
  voice: StoredVoice | null
  createdAt: Date
}

export interface StoredTranscript {
  model: string
  language: string | null
  text: string
  words: Transcript['words']
  wordsPerMinute: number | null
  fillers: Transcript['fillers']
}

export interface StoredEvent extends TimelineEvent { seq: number, thumbnailKey: string | null }

export interface FeedbackRecord {
  language: string
  source: 'llm' | 'rules'
  model: string | null
  promptVersion: string
  yaml: string
  parsed: unknown
  fallbackReason: string | null
  createdAt: Date
}

export class ResultsRepository {
  constructor (private readonly pool: Pool) {}

  /** Scores, events and the analysis's outcome columns in one transaction. */
  async saveResults (analysisId: string, result: {
    metrics: FaceMetrics
    scores: Scores
    events: TimelineEvent[]
    voice: StoredVoice
    analysedFrames: number
    modelVersions: Record<string, string>
  }): Promise<void> {
    const { metrics, scores, events } = result
    const connection = await this.pool.getConnection()
    try {
      await connection.beginTransaction()
      await connection.query(
        `INSERT INTO analysis_scores
           (analysis_id, score_version, interview_score, attention_score, eye_contact_ratio, gaze_stability, blink_count,
            blink_rate_per_min, head_movement, face_missing_ratio, multiple_faces_ratio, dominant_emotion, emotion_distribution, voice, metrics)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE score_version = VALUES(score_version), interview_score = VALUES(interview_score),
           attention_score = VALUES(attention_score), eye_contact_ratio = VALUES(eye_contact_ratio), gaze_stability = VALUES(gaze_stability),
           blink_count = VALUES(blink_count), blink_rate_per_min = VALUES(blink_rate_per_min), head_movement = VALUES(head_movement),
           face_missing_ratio = VALUES(face_missing_ratio), multiple_faces_ratio = VALUES(multiple_faces_ratio),
           dominant_emotion = VALUES(dominant_emotion), emotion_distribution = VALUES(emotion_distribution), voice = VALUES(voice), metrics = VALUES(metrics),
           created_at = CURRENT_TIMESTAMP(3)`,
        [analysisId, scores.version, scores.interviewScore, scores.attentionScore, metrics.attention.eyeContactRatio,
          metrics.attention.gazeStability, metrics.blinks.count, metrics.blinks.ratePerMinute, metrics.head.meanSpeedDegPerSecond,
          metrics.presence.faceMissingRatio, metrics.presence.multipleFacesRatio, metrics.emotion.dominant,
          JSON.stringify(metrics.emotion.distribution), JSON.stringify(result.voice), JSON.stringify({ ...metrics, scores })])
      await connection.query('DELETE FROM analysis_events WHERE analysis_id = ?', [analysisId])
      if (events.length > 0) {
        await connection.batch(
          'INSERT INTO analysis_events (analysis_id, seq, kind, start_ms, end_ms, value, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
          events.map((e, seq) => [analysisId, seq, e.kind, e.startMs, e.endMs, e.value, e.data ? JSON.stringify(e.data) : null]))
      }
      await connection.query(
        'UPDATE analyses SET analysed_frames = ?, model_versions = ?, score_version = ? WHERE id = ?',
        [result.analysedFrames, JSON.stringify(result.modelVersions), scores.version, analysisId])
      await connection.commit()
    } catch (error) {
      await connection.rollback().catch(() => {})
      throw error
    } finally {
      await connection.release()
    }
  }

  async getScores (analysisId: string): Promise<StoredScores | null> {
    const [row] = await this.pool.query(
      'SELECT score_version, interview_score, attention_score, metrics, voice, created_at FROM analysis_scores WHERE analysis_id = ?', [analysisId])
    if (!row) return null
    return {
      scoreVersion: String(row.score_version),
      interviewScore: Number(row.interview_score),
      attentionScore: Number(row.attention_score),
      metrics: typeof row.metrics === 'string' ? JSON.parse(row.metrics) : row.metrics,
      voice: row.voice === null ? null : (typeof row.voice === 'string' ? JSON.parse(row.voice) : row.voice) as StoredVoice,
      createdAt: row.created_at as Date
    }
  }

  async listEvents (analysisId: string): Promise<StoredEvent[]> {
    const rows: Array<Record<string, unknown>> = await this.pool.query(
      'SELECT seq, kind, start_ms, end_ms, value, data, thumbnail_key FROM analysis_events WHERE analysis_id = ? ORDER BY seq', [analysisId])
    return rows.map((r) => ({
      seq: Number(r.seq),
      kind: r.kind as TimelineEvent['kind'],
      startMs: Number(r.start_ms),
      endMs: Number(r.end_ms),
      value: r.value === null ? null : Number(r.value),
      ...(r.data ? { data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, number> } : {}),
      thumbnailKey: (r.thumbnail_key as string | null) ?? null
    }))
  }

  /** Replaces the analysis's transcript, or removes it (null) when a re-run made none. */
  async saveTranscript (analysisId: string, transcript: StoredTranscript | null): Promise<void> {
    if (!transcript) {
      await this.pool.query('DELETE FROM analysis_transcripts WHERE analysis_id = ?', [analysisId])
      return
    }
    await this.pool.query(
      `REPLACE INTO analysis_transcripts (analysis_id, model, language, text, words, words_per_minute, filler_count, fillers)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [analysisId, transcript.model, transcript.language, transcript.text, JSON.stringify(transcript.words),
        transcript.wordsPerMinute, transcript.fillers.count, JSON.stringify(transcript.fillers)])
  }

  async getTranscript (analysisId: string): Promise<StoredTranscript | null> {
    const [row] = await this.pool.query('SELECT * FROM analysis_transcripts WHERE analysis_id = ?', [analysisId])
    if (!row) return null
    const json = <T>(v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as T
    return {
      model: String(row.model),
      language: (row.language as string | null) ?? null,
      text: String(row.text),
      words: json(row.words),
      wordsPerMinute: row.words_per_minute === null ? null : Number(row.words_per_minute),
      fillers: json(row.fillers)
    }
  }

  async saveFeedback (analysisId: string, feedback: Omit<FeedbackRecord, 'createdAt'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO analysis_feedback (analysis_id, language, source, model, prompt_version, yaml_text, parsed, fallback_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE source = VALUES(source), model = VALUES(model), prompt_version = VALUES(prompt_version),
         yaml_text = VALUES(yaml_text), parsed = VALUES(parsed), fallback_reason = VALUES(fallback_reason), created_at = CURRENT_TIMESTAMP(3)`,
      [analysisId, feedback.language, feedback.source, feedback.model, feedback.promptVersion, feedback.yaml,
        JSON.stringify(feedback.parsed), feedback.fallbackReason])
  }

  /** The feedback in `language`, or in any language when none is asked for (oldest first). */
  async getFeedback (analysisId: string, language?: string): Promise<FeedbackRecord | null> {
    const rows: Array<Record<string, unknown>> = language
      ? await this.pool.query('SELECT * FROM analysis_feedback WHERE analysis_id = ? AND language = ?', [analysisId, language])
      : await this.pool.query('SELECT * FROM analysis_feedback WHERE analysis_id = ? ORDER BY created_at LIMIT 1', [analysisId])
    const row = rows[0]
    if (!row) return null
    return {
      language: String(row.language),
      source: row.source as 'llm' | 'rules',
      model: (row.model as string | null) ?? null,
      promptVersion: String(row.prompt_version),
      yaml: String(row.yaml_text),
      parsed: typeof row.parsed === 'string' ? JSON.parse(row.parsed) : row.parsed,
      fallbackReason: (row.fallback_reason as string | null) ?? null,
      createdAt: row.created_at as Date
    }
  }
}
