/**
 * The analyses table: requests, their progress and outcome. All MariaDB access for an analysis's
 * lifecycle goes through here.
 */
import crypto from 'node:crypto'
import type { Pool } from '../db/mariadb.js'
import type { VideoMetadata } from '../media/ffprobe.js'

const ER_DUP_ENTRY = 1062
const ER_NO_SUCH_TABLE = 1146

export type AnalysisStatus = 'queued' | 'processing' | 'completed' | 'failed'

export interface NewAnalysis {
  tenantId: string
  userId: string
  sessionId: string
  s3Bucket: string
  s3Key: string
  s3Etag?: string
  s3Size?: number
  idempotencyKey?: string
  options?: Record<string, unknown>
}

export interface AnalysisRecord {
  id: string
  tenantId: string
  userId: string
  sessionId: string
  idempotencyKey: string | null
  s3Bucket: string
  s3Key: string
  s3Etag: string | null
  s3Size: number | null
  options: Record<string, unknown>
  status: AnalysisStatus
  progress: number
  stage: string | null
  errorCode: string | null
  errorMessage: string | null
  attempts: number
  video: Omit<VideoMetadata, 'displayWidth' | 'displayHeight' | 'frameCount' | 'sizeBytes'> | null
  analysedFrames: number | null
  modelVersions: Record<string, string> | null
  scoreVersion: string | null
  createdAt: Date
  updatedAt: Date
  startedAt: Date | null
  completedAt: Date | null
}

/** The same recording in the same session of the same tenant hashes the same: one analysis for it. */
export function sourceHash (tenantId: string, bucket: string, key: string, sessionId: string): Buffer {
  return crypto.createHash('sha256').update(JSON.stringify([tenantId, bucket, key, sessionId])).digest()
}

/** The tenant already has as many queued and running analyses as it may. */
export class TenantAtCapacity extends Error {
  constructor (readonly limit: number) {
    super(`too many analyses in progress: this tenant may have ${limit} queued or processing at once; retry when one finishes`)
    this.name = 'TenantAtCapacity'
  }
}

export class AnalysisRepository {
  constructor (private readonly pool: Pool) {}

  /**
   * Inserts a queued analysis, or returns the existing one for the same idempotency key or the
   * same bucket/key/session (both per tenant); `created` tells which happened. A new analysis
   * is refused with TenantAtCapacity when the tenant already has `maxActive` queued or
   * processing: the tenant's row is locked while counting, so concurrent requests cannot
   * both take the last place.
   */
  async create (input: NewAnalysis, maxActive = Infinity): Promise<{ analysis: AnalysisRecord, created: boolean }> {
    const existing = await this.findExisting(input)
    if (existing) return { analysis: existing, created: false }
    const id = crypto.randomUUID()
    const connection = await this.pool.getConnection()
    try {
      await connection.beginTransaction()
      if (Number.isFinite(maxActive)) {
        await connection.query('SELECT id FROM tenants WHERE id = ? FOR UPDATE', [input.tenantId])
        const [row] = await connection.query(
          'SELECT COUNT(*) AS n FROM analyses WHERE tenant_id = ? AND status IN (\'queued\', \'processing\') AND deleted_at IS NULL', [input.tenantId])
        if (Number(row.n) >= maxActive) throw new TenantAtCapacity(maxActive)
      }
      await connection.query(
        `INSERT INTO analyses
           (id, tenant_id, user_id, session_id, idempotency_key, source_hash, s3_bucket, s3_key, s3_etag, s3_size, options)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, input.tenantId, input.userId, input.sessionId, input.idempotencyKey ?? null,
          sourceHash(input.tenantId, input.s3Bucket, input.s3Key, input.sessionId), input.s3Bucket, input.s3Key,
          input.s3Etag ?? null, input.s3Size ?? null, JSON.stringify(input.options ?? {})])
      await connection.commit()
      // On this connection: asking the pool for another while holding one deadlocks when
      // every connection is held by a create.
      const [row] = await connection.query('SELECT * FROM analyses WHERE id = ?', [id])
      return { analysis: toRecord(row), created: true }
    } catch (error) {
      await connection.rollback().catch(() => {})
      // Only a duplicate key means "already requested" (a concurrent twin won); any other error is real.
      if ((error as { errno?: number }).errno !== ER_DUP_ENTRY) throw error
    } finally {
      await connection.release()
    }
    const twin = await this.findExisting(input)
    if (!twin) throw new Error('analysis insert hit a duplicate key but no conflicting row was found')
    return { analysis: twin, created: false }
  }

  /** The tenant's earlier analysis for the same idempotency key, else for the same bucket/key/session. */
  async findExisting (input: Pick<NewAnalysis, 'tenantId' | 'idempotencyKey' | 's3Bucket' | 's3Key' | 'sessionId'>): Promise<AnalysisRecord | null> {
    const [row] = await this.pool.query(
      `SELECT * FROM analyses WHERE ((tenant_id = ? AND idempotency_key = ?) OR source_hash = ?) AND deleted_at IS NULL
       ORDER BY (idempotency_key <=> ?) DESC LIMIT 1`,
      [input.tenantId, input.idempotencyKey ?? null, sourceHash(input.tenantId, input.s3Bucket, input.s3Key, input.sessionId),
        input.idempotencyKey ?? null])
    return row ? toRecord(row) : null
  }

  /**
   * Any analysis by id: for the jobs, which act for every tenant. One being deleted is gone
   * here too, so a job for it stops (src/services/deletion.ts).
   */
  async get (id: string): Promise<AnalysisRecord | null> {
    const [row] = await this.pool.query('SELECT * FROM analyses WHERE id = ? AND deleted_at IS NULL', [id])
    return row ? toRecord(row) : null
  }

  /** The analysis only if it belongs to the tenant: for callers, who must not see others'. */
  async getOwned (tenantId: string, id: string): Promise<AnalysisRecord | null> {
    const [row] = await this.pool.query('SELECT * FROM analyses WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL', [id, tenantId])
    return row ? toRecord(row) : null
  }

  async listRecent (tenantId: string, limit: number, userId?: string): Promise<AnalysisRecord[]> {
    const rows = userId === undefined
      ? await this.pool.query('SELECT * FROM analyses WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?', [tenantId, limit])
      : await this.pool.query('SELECT * FROM analyses WHERE tenant_id = ? AND user_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?', [tenantId, userId, limit])
    return (rows as Row[]).map(toRecord)
  }

  /**
   * Seconds of video analysed per second of processing, over the last 20 completed analyses
   * (download to feedback); null before any.
   */
  async measuredRealtimeFactor (): Promise<number | null> {
    const [row] = await this.pool.query(
      `SELECT AVG(duration_s / (TIMESTAMPDIFF(MICROSECOND, started_at, completed_at) / 1e6)) AS factor FROM (
         SELECT duration_s, started_at, completed_at FROM analyses
         WHERE status = 'completed' AND duration_s > 0 AND completed_at > started_at
         ORDER BY completed_at DESC LIMIT 20) AS recent`)
    const factor = row?.factor === null || row?.factor === undefined ? null : Number(row.factor)
    return factor !== null && Number.isFinite(factor) && factor > 0 ? factor : null
  }

  /** A worker took the job: counts the attempt and clears any earlier attempt's error. */
  async markProcessing (id: string): Promise<void> {
    await this.pool.query(
      `UPDATE analyses SET status = 'processing', attempts = attempts + 1, progress = 0, stage = 'starting',
         error_code = NULL, error_message = NULL, started_at = COALESCE(started_at, CURRENT_TIMESTAMP(3))
       WHERE id = ? AND status <> 'completed'`, [id])
  }

  async updateProgress (id: string, progress: number, stage: string): Promise<void> {
    await this.pool.query('UPDATE analyses SET progress = ?, stage = ? WHERE id = ? AND status = \'processing\'',
      [Math.max(0, Math.min(100, Math.round(progress))), stage, id])
  }

  async saveVideo (id: string, video: VideoMetadata, etag?: string): Promise<void> {
    await this.pool.query(
      `UPDATE analyses SET container = ?, duration_s = ?, width = ?, height = ?, fps = ?, rotation = ?,
         video_codec = ?, audio_codec = ?, has_audio = ?, s3_size = ?, s3_etag = COALESCE(?, s3_etag)
       WHERE id = ?`,
      [video.container, video.durationS, video.width, video.height, video.fps, video.rotation,
        video.videoCodec, video.audioCodec, video.hasAudio, video.sizeBytes, etag ?? null, id])
  }

  async markCompleted (id: string, outcome: { analysedFrames: number, modelVersions: Record<string, string>, scoreVersion: string | null }): Promise<void> {
    await this.pool.query(
      `UPDATE analyses SET status = 'completed', progress = 100, stage = 'done', analysed_frames = ?,
         model_versions = ?, score_version = ?, completed_at = CURRENT_TIMESTAMP(3)
       WHERE id = ?`,
      [outcome.analysedFrames, JSON.stringify(outcome.modelVersions), outcome.scoreVersion, id])
  }

  async markFailed (id: string, code: string, message: string): Promise<void> {
    await this.pool.query(
      `UPDATE analyses SET status = 'failed', error_code = ?, error_message = ?, completed_at = CURRENT_TIMESTAMP(3)
       WHERE id = ? AND status <> 'completed'`,
      [code.slice(0, 64), message.slice(0, 1000), id])
  }

  // --- Reconciling with the job queue (src/queue/reconciler.ts, worker events) --------------
  // `attempts` counts the times a worker started the analysis (markProcessing); the updates
  // below take the value their caller read and do nothing if a worker started it since.

  /** Ids of queued or processing analyses whose row has not changed for `idleMs`, after `afterId` in id order. */
  async listIdleUnfinished (idleMs: number, afterId: string, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.pool.query(
      `SELECT id FROM analyses WHERE status IN ('queued', 'processing') AND updated_at < NOW(3) - INTERVAL ? SECOND
         AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?`,
      [idleMs / 1000, afterId, limit])
    return rows.map((r) => r.id)
  }

  /** Status, attempts and milliseconds since the row last changed (MariaDB's clock, not ours). */
  async lifecycle (id: string): Promise<AnalysisLifecycle | null> {
    const [row] = await this.pool.query(
      'SELECT status, attempts, TIMESTAMPDIFF(MICROSECOND, updated_at, NOW(3)) DIV 1000 AS idle_ms FROM analyses WHERE id = ? AND deleted_at IS NULL', [id])
    return row ? { status: row.status as AnalysisStatus, attempts: Number(row.attempts), idleMs: Number(row.idle_ms) } : null
  }

  /**
   * Back to `queued` (its job waits to run again), with the stage saying why; false when the row
   * finished or a worker started it again since `seenAttempts` was read.
   */
  async markRequeued (id: string, seenAttempts: number, stage: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE analyses SET status = 'queued', progress = 0, stage = ?, updated_at = CURRENT_TIMESTAMP(3)
       WHERE id = ? AND status IN ('queued', 'processing') AND attempts = ?`,
      [stage.slice(0, 32), id, seenAttempts])
    return Number(result.affectedRows) === 1
  }

  /**
   * Failed with the reason unless the analysis already ended: a completed row stays completed,
   * a failed one keeps the job's own, more precise reason. With `seenAttempts`, also nothing if
   * a worker started it since.
   */
  async markFailedIfUnfinished (id: string, code: string, message: string, seenAttempts?: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE analyses SET status = 'failed', error_code = ?, error_message = ?, completed_at = CURRENT_TIMESTAMP(3)
       WHERE id = ? AND status IN ('queued', 'processing') AND (? IS NULL OR attempts = ?)`,
      [code.slice(0, 64), message.slice(0, 1000), id, seenAttempts ?? null, seenAttempts ?? null])
    return Number(result.affectedRows) === 1
  }

  // --- Deletion (src/services/deletion.ts): mark, empty the stores, remove the row ----------
  // A marked row is gone for every read above; its idempotency key and source hash are freed
  // at once, so the same request made again starts a new analysis instead of finding this one.

  /**
   * Marks the analysis deleted (again: keeps the first time, and a source once to be deleted
   * stays so); null when no row of that id (of that tenant, when given) exists, marked or not.
   */
  async markDeleted (id: string, options: { tenantId?: string, deleteSource: boolean }): Promise<DeletionMark | null> {
    const tenantId = options.tenantId ?? null
    await this.pool.query(
      `UPDATE analyses SET deleted_at = COALESCE(deleted_at, CURRENT_TIMESTAMP(3)), delete_source = delete_source OR ?,
         idempotency_key = NULL, source_hash = UNHEX(SHA2(CONCAT('deleted:', id), 256))
       WHERE id = ? AND (? IS NULL OR tenant_id = ?)`,
      [options.deleteSource, id, tenantId, tenantId])
    const [row] = await this.pool.query(
      'SELECT id, tenant_id, s3_bucket, s3_key, delete_source FROM analyses WHERE id = ? AND (? IS NULL OR tenant_id = ?) AND deleted_at IS NOT NULL',
      [id, tenantId, tenantId])
    return row ? toMark(row) : null
  }

  /** The mark of an analysis being deleted, or null (never marked, or already removed). */
  async deletionMark (id: string): Promise<DeletionMark | null> {
    const [row] = await this.pool.query('SELECT id, tenant_id, s3_bucket, s3_key, delete_source FROM analyses WHERE id = ? AND deleted_at IS NOT NULL', [id])
    return row ? toMark(row) : null
  }

  /** The last step of a deletion: the marked row, and with it every analysis_* row (foreign keys). */
  async removeDeleted (id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM analyses WHERE id = ? AND deleted_at IS NOT NULL', [id])
    return Number(result.affectedRows) === 1
  }

  /** Analyses marked deleted at least `olderThanMs` ago: deletions that died half-way. */
  async listMarkedDeleted (olderThanMs: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.pool.query(
      'SELECT id FROM analyses WHERE deleted_at < NOW(3) - INTERVAL ? SECOND ORDER BY deleted_at LIMIT ?', [olderThanMs / 1000, limit])
    return rows.map((r) => r.id)
  }

  /** Live analyses created more than `days` days ago, oldest first (retention). */
  async listExpired (days: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.pool.query(
      'SELECT id FROM analyses WHERE created_at < NOW(3) - INTERVAL ? DAY AND deleted_at IS NULL ORDER BY created_at LIMIT ?', [days, limit])
    return rows.map((r) => r.id)
  }

  /** Every live analysis of one user of one tenant (deleting everything about a person). */
  async listUserAnalyses (tenantId: string, userId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.pool.query(
      'SELECT id FROM analyses WHERE tenant_id = ? AND user_id = ? AND deleted_at IS NULL ORDER BY created_at', [tenantId, userId])
    return rows.map((r) => r.id)
  }

  /** Which of these ids have a row, live or marked deleted (an id without one is an orphan's). */
  async rowStates (ids: readonly string[]): Promise<Map<string, 'live' | 'deleted'>> {
    const states = new Map<string, 'live' | 'deleted'>()
    if (ids.length === 0) return states
    const rows: Array<{ id: string, deleted: number }> = await this.pool.query(
      'SELECT id, deleted_at IS NOT NULL AS deleted FROM analyses WHERE id IN (?)', [ids])
    for (const row of rows) states.set(row.id, Number(row.deleted) === 1 ? 'deleted' : 'live')
    return states
  }

  /**
   * Whether the analysis's recording was uploaded through Candor (a row in `uploads`, migration
   * 006, for its bucket and key in its tenant) and no other live analysis uses it: only then
   * may retention delete it. False when the uploads table does not exist.
   */
  async ownsUploadedSource (id: string): Promise<boolean> {
    try {
      const [row] = await this.pool.query(
        `SELECT EXISTS (SELECT 1 FROM uploads u WHERE u.tenant_id = a.tenant_id AND
                  ((u.s3_bucket = a.s3_bucket AND u.s3_key = a.s3_key) OR u.analysis_id = a.id)) AS uploaded,
                EXISTS (SELECT 1 FROM analyses o WHERE o.s3_bucket = a.s3_bucket AND o.s3_key = a.s3_key
                  AND o.id <> a.id AND o.deleted_at IS NULL) AS shared
         FROM analyses a WHERE a.id = ?`, [id])
      return Boolean(row) && Number(row.uploaded) === 1 && Number(row.shared) === 0
    } catch (error) {
      if ((error as { errno?: number }).errno === ER_NO_SUCH_TABLE) return false
      throw error
    }
  }
}

/** An analysis marked deleted: what finishing its deletion needs. */
export interface DeletionMark { id: string, tenantId: string, s3Bucket: string, s3Key: string, deleteSource: boolean }

function toMark (row: Row): DeletionMark {
  return { id: String(row.id), tenantId: String(row.tenant_id), s3Bucket: String(row.s3_bucket), s3Key: String(row.s3_key), deleteSource: Boolean(Number(row.delete_source)) }
}

/** What reconciling an analysis with its job needs to know about the row. */
export interface AnalysisLifecycle { status: AnalysisStatus, attempts: number, idleMs: number }

type Row = Record<string, unknown>

function toRecord (row: Row): AnalysisRecord {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v))
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
  const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (typeof v === 'string' ? JSON.parse(v) as T : v as T))
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    sessionId: String(row.session_id),
    idempotencyKey: str(row.idempotency_key),
    s3Bucket: String(row.s3_bucket),
    s3Key: String(row.s3_key),
    s3Etag: str(row.s3_etag),
    s3Size: num(row.s3_size),
    options: json<Record<string, unknown>>(row.options) ?? {},
    status: row.status as AnalysisStatus,
    progress: Number(row.progress),
    stage: str(row.stage),
    errorCode: str(row.error_code),
    errorMessage: str(row.error_message),
    attempts: Number(row.attempts),
    video: row.video_codec === null
      ? null
      : {
          container: String(row.container),
          durationS: Number(row.duration_s),
          width: Number(row.width),
          height: Number(row.height),
          fps: Number(row.fps),
          rotation: Number(row.rotation),
          videoCodec: String(row.video_codec),
          audioCodec: str(row.audio_codec),
          hasAudio: Boolean(row.has_audio)
        },
    analysedFrames: num(row.analysed_frames),
    modelVersions: json<Record<string, string>>(row.model_versions),
    scoreVersion: str(row.score_version),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    startedAt: (row.started_at as Date | null) ?? null,
    completedAt: (row.completed_at as Date | null) ?? null
  }
}
