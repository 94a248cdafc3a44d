/**
 * An analysis's results in MariaDB: the scores (headline numbers as columns, the categories as
 * JSON), each kind of signal's aggregate metrics (one row per kind, as its module defines
 * them), timeline events, the transcript and the coaching feedback. Every write replaces what
 * an earlier attempt of the same analysis wrote, so a retried job never duplicates rows.
 */
import type { Pool } from '../db/mariadb.js'
import type { TimelineEvent } from '../signals/contract.js'
import type { StoredTranscript } from '../transcripts/transcribe.js'

export type { StoredTranscript } from '../transcripts/transcribe.js'

/** The scores as stored: generic over the categories present (eye_contact, body_language...). */
export interface StoredScores {
  version: string
  interviewScore: number
  attentionScore: number | null
  categories: Record<string, number>
  createdAt: Date
}

/** One kind's aggregate metrics and the version of their definitions. */
export interface StoredSignal { kind: string, version: string, metrics: unknown }

/**
 * A timeline event as stored, with its pictures: `keyMs` (thumbnail_ms) is the moment they
 * show; the keys are null until made, and `thumbnailError` says why one could not be.
 */
export interface StoredEvent extends TimelineEvent {
  seq: number
  thumbnailKey: string | null
  annotatedKey: string | null
  thumbnailError: string | null
}

/** The pictures of one event, or why there are none. */
export interface EventPictures { thumbnailKey: string | null, annotatedKey: string | null, error: string | null }

/** A file derived from the whole recording (playback copy, timeline overview), or why it is missing. */
export interface StoredArtifact {
  name: string
  s3Key: string | null
  contentType: string | null
  bytes: number | null
  durationS: number | null
  width: number | null
  height: number | null
  error: string | null
}

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

const json = <T>(value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as T

export class ResultsRepository {
  constructor (private readonly pool: Pool) {}

  /** Scores, every kind's metrics, events and the analysis's outcome columns in one transaction. */
  async saveResults (analysisId: string, result: {
    signals: StoredSignal[]
    scores: Omit<StoredScores, 'createdAt'>
    events: TimelineEvent[]
    analysedFrames: number
    modelVersions: Record<string, string>
  }): Promise<void> {
    const { scores, events } = result
    const connection = await this.pool.getConnection()
    try {
      await connection.beginTransaction()
      await connection.query(
        `INSERT INTO analysis_scores (analysis_id, score_version, interview_score, attention_score, scores)
         VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE score_version = VALUES(score_version), interview_score = VALUES(interview_score),
           attention_score = VALUES(attention_score), scores = VALUES(scores), created_at = CURRENT_TIMESTAMP(3)`,
        [analysisId, scores.version, scores.interviewScore, scores.attentionScore, JSON.stringify(scores)])
      await connection.query('DELETE FROM analysis_signals WHERE analysis_id = ?', [analysisId])
      if (result.signals.length > 0) {
        await connection.batch(
          'INSERT INTO analysis_signals (analysis_id, kind, version, metrics) VALUES (?, ?, ?, ?)',
          result.signals.map((s) => [analysisId, s.kind, s.version, JSON.stringify(s.metrics)]))
      }
      await connection.query('DELETE FROM analysis_events WHERE analysis_id = ?', [analysisId])
      if (events.length > 0) {
        await connection.batch(
          'INSERT INTO analysis_events (analysis_id, seq, kind, start_ms, end_ms, value, data, thumbnail_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          events.map((e, seq) => [analysisId, seq, e.kind, e.startMs, e.endMs, e.value, e.data ? JSON.stringify(e.data) : null, e.keyMs ?? null]))
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
    const [row] = await this.pool.query('SELECT scores, created_at FROM analysis_scores WHERE analysis_id = ?', [analysisId])
    if (!row || row.scores === null) return null
    return { ...json<Omit<StoredScores, 'createdAt'>>(row.scores), createdAt: row.created_at as Date }
  }

  /** Every kind's aggregate metrics, by kind. */
  async getSignals (analysisId: string): Promise<Map<string, StoredSignal>> {
    const rows: Array<Record<string, unknown>> = await this.pool.query('SELECT kind, version, metrics FROM analysis_signals WHERE analysis_id = ?', [analysisId])
    return new Map(rows.map((r) => [String(r.kind), { kind: String(r.kind), version: String(r.version), metrics: json(r.metrics) }]))
  }

  async listEvents (analysisId: string): Promise<StoredEvent[]> {
    const rows: Array<Record<string, unknown>> = await this.pool.query(
      `SELECT seq, kind, start_ms, end_ms, value, data, thumbnail_key, thumbnail_ms, annotated_key, thumbnail_error
       FROM analysis_events WHERE analysis_id = ? ORDER BY start_ms, seq`, [analysisId])
    return rows.map((r) => ({
      seq: Number(r.seq),
      kind: String(r.kind),
      startMs: Number(r.start_ms),
      endMs: Number(r.end_ms),
      value: r.value === null ? null : Number(r.value),
      ...(r.data ? { data: json<Record<string, number>>(r.data) } : {}),
      ...(r.thumbnail_ms !== null ? { keyMs: Number(r.thumbnail_ms) } : {}),
      thumbnailKey: (r.thumbnail_key as string | null) ?? null,
      annotatedKey: (r.annotated_key as string | null) ?? null,
      thumbnailError: (r.thumbnail_error as string | null) ?? null
    }))
  }

  /** Records an event's pictures (or why it has none); its row keeps the moment they show. */
  async saveEventPictures (analysisId: string, seq: number, pictures: EventPictures): Promise<void> {
    await this.pool.query(
      'UPDATE analysis_events SET thumbnail_key = ?, annotated_key = ?, thumbnail_error = ? WHERE analysis_id = ? AND seq = ?',
      [pictures.thumbnailKey, pictures.annotatedKey, pictures.error?.slice(0, 500) ?? null, analysisId, seq])
  }

  async saveArtifact (analysisId: string, artifact: StoredArtifact): Promise<void> {
    const a = artifact
    await this.pool.query(
      `REPLACE INTO analysis_artifacts (analysis_id, name, s3_key, content_type, bytes, duration_s, width, height, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [analysisId, a.name, a.s3Key, a.contentType, a.bytes, a.durationS, a.width, a.height, a.error?.slice(0, 1000) ?? null])
  }

  /** Forgets the derived files of an earlier attempt (their objects are removed by the caller). */
  async clearArtifacts (analysisId: string): Promise<void> {
    await this.pool.query('DELETE FROM analysis_artifacts WHERE analysis_id = ?', [analysisId])
  }

  async listArtifacts (analysisId: string): Promise<Map<string, StoredArtifact>> {
    const rows: Array<Record<string, unknown>> = await this.pool.query(
      'SELECT name, s3_key, content_type, bytes, duration_s, width, height, error FROM analysis_artifacts WHERE analysis_id = ?', [analysisId])
    const number = (value: unknown) => (value === null || value === undefined ? null : Number(value))
    return new Map(rows.map((r) => [String(r.name), {
      name: String(r.name),
      s3Key: (r.s3_key as string | null) ?? null,
      contentType: (r.content_type as string | null) ?? null,
      bytes: number(r.bytes),
      durationS: number(r.duration_s),
      width: number(r.width),
      height: number(r.height),
      error: (r.error as string | null) ?? null
    }]))
  }

  /**
   * Replaces the analysis's transcript; null removes it (a re-run made none). With `error`, the
   * transcript was wanted but could not be made, and the row records why.
   */
  async saveTranscript (analysisId: string, transcript: StoredTranscript | null, error?: string): Promise<void> {
    if (!transcript && !error) {
      await this.pool.query('DELETE FROM analysis_transcripts WHERE analysis_id = ?', [analysisId])
      return
    }
    const t = transcript ?? { model: '', language: null, text: '', words: [], wordsPerMinute: null, fillers: { count: 0, perMinute: 0, items: [] } }
    await this.pool.query(
      `REPLACE INTO analysis_transcripts (analysis_id, model, language, text, words, words_per_minute, filler_count, fillers, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [analysisId, t.model, t.language, t.text, JSON.stringify(t.words), t.wordsPerMinute, t.fillers.count, JSON.stringify(t.fillers), transcript ? null : error!.slice(0, 500)])
  }

  /** The transcript, or why a wanted one is missing; both null when none was wanted. */
  async getTranscript (analysisId: string): Promise<{ transcript: StoredTranscript | null, error: string | null }> {
    const [row] = await this.pool.query('SELECT * FROM analysis_transcripts WHERE analysis_id = ?', [analysisId])
    if (!row) return { transcript: null, error: null }
    if (row.error) return { transcript: null, error: String(row.error) }
    return {
      transcript: {
        model: String(row.model),
        language: (row.language as string | null) ?? null,
        text: String(row.text),
        words: json(row.words),
        wordsPerMinute: row.words_per_minute === null ? null : Number(row.words_per_minute),
        fillers: json(row.fillers)
      },
      error: null
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
      parsed: json(row.parsed),
      fallbackReason: (row.fallback_reason as string | null) ?? null,
      createdAt: row.created_at as Date
    }
  }
}
