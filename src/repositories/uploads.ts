/**
 * The uploads table: recordings on their way into S3 through the API. Every read is per
 * tenant, so another tenant's upload is simply not found.
 */
import crypto from 'node:crypto'
import type { Pool } from '../db/mariadb.js'

export type UploadMethod = 'put' | 'multipart' | 'direct'
export type UploadState = 'pending' | 'completed' | 'aborted'

export interface NewUpload {
  tenantId: string
  userId?: string
  filename?: string
  s3Bucket: string
  s3Key: string
  contentType: string
  sizeBytes: number
  method: UploadMethod
  partBytes?: number
  multipartUploadId?: string
  expiresAt: Date
}

export interface UploadRecord {
  id: string
  tenantId: string
  userId: string | null
  filename: string | null
  s3Bucket: string
  s3Key: string
  contentType: string
  sizeBytes: number
  method: UploadMethod
  partBytes: number | null
  multipartUploadId: string | null
  state: UploadState
  analysisId: string | null
  createdAt: Date
  expiresAt: Date
  completedAt: Date | null
}

export class UploadRepository {
  constructor (private readonly pool: Pool) {}

  /** A new upload; `id` may be given when the key was made from it before the row exists. */
  async create (input: NewUpload, id: string = crypto.randomUUID()): Promise<UploadRecord> {
    await this.pool.query(
      `INSERT INTO uploads (id, tenant_id, user_id, filename, s3_bucket, s3_key, content_type, size_bytes, method,
         part_bytes, multipart_upload_id, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, input.tenantId, input.userId ?? null, input.filename ?? null, input.s3Bucket, input.s3Key, input.contentType,
        input.sizeBytes, input.method, input.partBytes ?? null, input.multipartUploadId ?? null, input.expiresAt])
    return (await this.get(id))!
  }

  async get (id: string): Promise<UploadRecord | null> {
    const [row] = await this.pool.query('SELECT * FROM uploads WHERE id = ?', [id])
    return row ? toRecord(row) : null
  }

  /** The tenant's upload, or null for an unknown id and for another tenant's upload alike. */
  async getOwned (tenantId: string, id: string): Promise<UploadRecord | null> {
    const [row] = await this.pool.query('SELECT * FROM uploads WHERE id = ? AND tenant_id = ?', [id, tenantId])
    return row ? toRecord(row) : null
  }

  /** Pending -> completed (with the size found in S3); false when it was no longer pending. */
  async markCompleted (id: string, sizeBytes: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE uploads SET state = \'completed\', size_bytes = ?, completed_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND state = \'pending\'',
      [sizeBytes, id])
    return Number(result.affectedRows) === 1
  }

  /** Pending (or, with `completed`, also completed) -> aborted; false when it was not. */
  async markAborted (id: string, options: { completed?: boolean } = {}): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE uploads SET state = 'aborted', completed_at = NULL WHERE id = ? AND state IN ('pending'${options.completed ? ', \'completed\'' : ''})`, [id])
    return Number(result.affectedRows) === 1
  }

  /** Fresh upload URLs were handed out: they work until `expiresAt`. */
  async extendExpiry (id: string, expiresAt: Date): Promise<void> {
    await this.pool.query('UPDATE uploads SET expires_at = GREATEST(expires_at, ?) WHERE id = ? AND state = \'pending\'', [expiresAt, id])
  }

  async setAnalysis (id: string, analysisId: string): Promise<void> {
    await this.pool.query('UPDATE uploads SET analysis_id = ? WHERE id = ?', [analysisId, id])
  }

  /** An analysis made from the upload was deleted: the upload (and its recording) stays, unlinked. */
  async forgetAnalysis (analysisId: string): Promise<number> {
    const result = await this.pool.query('UPDATE uploads SET analysis_id = NULL WHERE analysis_id = ?', [analysisId])
    return Number(result.affectedRows)
  }

  /** The recording at bucket/key was deleted: the tenant's records of uploading it go too. */
  async deleteForObject (tenantId: string, bucket: string, key: string): Promise<number> {
    const result = await this.pool.query('DELETE FROM uploads WHERE tenant_id = ? AND s3_bucket = ? AND s3_key = ?', [tenantId, bucket, key])
    return Number(result.affectedRows)
  }

  /** Every upload of one user of one tenant (a person asking to be forgotten). */
  async listForUser (tenantId: string, userId: string): Promise<UploadRecord[]> {
    const rows = await this.pool.query('SELECT * FROM uploads WHERE tenant_id = ? AND user_id = ?', [tenantId, userId])
    return (rows as Row[]).map(toRecord)
  }

  async remove (id: string): Promise<void> {
    await this.pool.query('DELETE FROM uploads WHERE id = ?', [id])
  }

  /** Pending uploads whose URLs expired before `before` (for a sweep that aborts them). */
  async listExpiredPending (before: Date, limit = 100): Promise<UploadRecord[]> {
    const rows = await this.pool.query(
      'SELECT * FROM uploads WHERE state = \'pending\' AND expires_at < ? ORDER BY expires_at LIMIT ?', [before, limit])
    return (rows as Row[]).map(toRecord)
  }
}

type Row = Record<string, unknown>

function toRecord (row: Row): UploadRecord {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    userId: row.user_id === null ? null : String(row.user_id),
    filename: row.filename === null ? null : String(row.filename),
    s3Bucket: String(row.s3_bucket),
    s3Key: String(row.s3_key),
    contentType: String(row.content_type),
    sizeBytes: Number(row.size_bytes),
    method: row.method as UploadMethod,
    partBytes: row.part_bytes === null ? null : Number(row.part_bytes),
    multipartUploadId: row.multipart_upload_id === null ? null : String(row.multipart_upload_id),
    state: row.state as UploadState,
    analysisId: row.analysis_id === null ? null : String(row.analysis_id),
    createdAt: row.created_at as Date,
    expiresAt: row.expires_at as Date,
    completedAt: (row.completed_at as Date | null) ?? null
  }
}
