/**
 * The upload API's request and response schemas (TypeBox): validation, types and OpenAPI from
 * one definition, snake_case like the analysis API.
 */
import { Type, type Static } from 'typebox'
import { Nullable, StringEnum } from './common.js'
import { AnalyzeAccepted, AnalyzeOptions } from './analysis.js'

const Id = Type.String({ format: 'uuid', description: 'Upload id', examples: ['3d1f0c9e-2b7a-4f5e-8c61-0a9b7e2d4c11'] })
const Timestamp = Type.String({ format: 'date-time' })
const UserId = Type.String({ minLength: 1, maxLength: 128, description: 'Your user\'s id (defaults user_id of an analysis started from this upload)' })

export const UploadIdParams = Type.Object({ id: Id }, { additionalProperties: false })

export const CreateUploadBody = Type.Object({
  content_type: Type.String({
    minLength: 3,
    maxLength: 128,
    description: 'The recording\'s media type, one of UPLOAD_CONTENT_TYPES (parameters such as ;codecs=vp8 are allowed and dropped)',
    examples: ['video/webm']
  }),
  size: Type.Integer({ minimum: 1, description: 'Exact size of the file in bytes (at most MAX_VIDEO_BYTES); the upload must be exactly this long' }),
  filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The client\'s name for the file, kept for reference only; the S3 key is chosen by the server' })),
  user_id: Type.Optional(UserId)
}, { additionalProperties: false })
export type CreateUploadBody = Static<typeof CreateUploadBody>

export const AnalyzeUpload = Type.Object({
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Defaults to the upload\'s user_id' })),
  session_id: Type.String({ minLength: 1, maxLength: 128 }),
  options: Type.Optional(AnalyzeOptions)
}, { additionalProperties: false, description: 'Start analysing the recording once it is complete, as POST /analyze would' })
export type AnalyzeUpload = Static<typeof AnalyzeUpload>

export const CompleteUploadBody = Type.Object({
  analyze: Type.Optional(AnalyzeUpload)
}, { additionalProperties: false })
export type CompleteUploadBody = Static<typeof CompleteUploadBody>

const PresignedPut = Type.Object({
  url: Type.String({ description: 'PUT the whole file here, with exactly `size` bytes' }),
  method: Type.Literal('PUT'),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Headers the PUT must send (they are signed)' })
})

const Part = Type.Object({
  part_number: Type.Integer({ minimum: 1 }),
  offset: Type.Integer({ minimum: 0, description: 'First byte of this part in the file' }),
  size: Type.Integer({ minimum: 1, description: 'Bytes of this part (part_size, less for the last)' }),
  uploaded: Type.Boolean({ description: 'S3 already holds this part (with the right size)' }),
  url: Nullable(Type.String({ description: 'PUT the part\'s bytes here; null once uploaded' }))
})

export const UploadResponse = Type.Object({
  upload_id: Id,
  state: StringEnum(['pending', 'completed', 'aborted'], { description: 'pending until POST /uploads/:id/complete (or the direct upload) succeeds' }),
  method: StringEnum(['put', 'multipart', 'direct'], { description: 'put: one presigned PUT; multipart: presigned parts; direct: sent through the API' }),
  s3_bucket: Type.String(),
  s3_key: Type.String({ description: 'Chosen by the server under the tenant\'s allowed location; pass to POST /analyze' }),
  content_type: Type.String(),
  size: Type.Integer({ description: 'Bytes declared (pending) or stored (completed)' }),
  filename: Nullable(Type.String()),
  user_id: Nullable(Type.String()),
  created_at: Timestamp,
  expires_at: Timestamp,
  completed_at: Nullable(Timestamp),
  analysis_id: Nullable(Type.String({ format: 'uuid', description: 'The analysis started from this upload, if any' })),
  put: Nullable(PresignedPut),
  part_size: Nullable(Type.Integer({ description: 'Bytes per part (multipart)' })),
  parts: Nullable(Type.Array(Part, { description: 'Every part of a pending multipart upload; PUT those not yet uploaded, then complete' })),
  analysis: Type.Optional(Nullable(AnalyzeAccepted))
})
export type UploadResponse = Static<typeof UploadResponse>

/** The text fields of POST /uploads/direct, as parsed from the form. */
export const DirectUploadFields = Type.Object({
  user_id: Type.Optional(UserId),
  session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  analyze: Type.Optional(Type.Boolean()),
  options: Type.Optional(AnalyzeOptions)
}, { additionalProperties: false })
export type DirectUploadFields = Static<typeof DirectUploadFields>

/** For the OpenAPI document only: the form POST /uploads/direct reads (streamed, never validated as a whole). */
export const DirectUploadForm = Type.Object({
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Needed with analyze=true' })),
  session_id: Type.Optional(Type.String({ description: 'Needed with analyze=true' })),
  analyze: Type.Optional(StringEnum(['true', 'false'], { description: 'true: start the analysis once the file is stored' })),
  options: Type.Optional(Type.String({ description: 'JSON object, as POST /analyze options', examples: ['{"language":"en"}'] })),
  file: Type.String({ format: 'binary', description: 'The recording: the last part of the form, after the text fields' })
}, { required: ['file'] })
