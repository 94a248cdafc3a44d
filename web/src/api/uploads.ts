/**
 * A recording from the browser to S3 through Candor's upload endpoint: POST /uploads, the bytes
 * PUT straight to the presigned URL(s) with progress, then POST /uploads/:id/complete, which can
 * start the analysis. Owned by the record/upload page; the live page uses it too.
 * (Placeholder signature: implemented by its owner.)
 */
import type { Static } from 'typebox'
import type { AnalyzeOptions } from '../../../src/schemas/analysis.js'

export interface UploadProgress {
  sentBytes: number
  totalBytes: number
}

export interface UploadRequest {
  file: Blob
  filename?: string
  /** The person the recording belongs to (user_id of the analysis). */
  userId: string
  /** Start the analysis once stored, with these options. */
  analyze?: { sessionId: string, options?: Static<typeof AnalyzeOptions> }
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

export interface UploadResult {
  uploadId: string
  /** Set when `analyze` was given. */
  analysisId: string | null
}

export async function uploadRecording (_request: UploadRequest): Promise<UploadResult> {
  throw new Error('uploadRecording is not implemented yet')
}
