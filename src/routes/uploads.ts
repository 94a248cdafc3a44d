import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest, FastifyReply } from 'fastify'
import multipart from '@fastify/multipart'
import { Value } from 'typebox/value'
import type { Config } from '../config.js'
import { AnalyzeHeaders } from '../schemas/analysis.js'
import { ErrorResponse } from '../schemas/common.js'
import {
  CreateUploadBody, CompleteUploadBody, UploadIdParams, UploadResponse, DirectUploadFields, DirectUploadForm
} from '../schemas/uploads.js'
import {
  createUpload, describeUpload, completeUpload, abortUpload, receiveDirectUpload, discardUpload, startAnalysis,
  UploadRejected, type UploadDeps, type UploadView
} from '../services/uploads.js'
import type { UploadRecord } from '../repositories/uploads.js'
import type { AcceptedAnalysis } from '../services/analysis-requests.js'

const errors = {
  400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse,
  415: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse
}

/** Seconds a tenant at its cap of active analyses is asked to wait (as POST /analyze). */
const RETRY_AT_CAPACITY_S = 30

/** The text fields POST /uploads/direct reads, all before the file. */
const DIRECT_FIELDS = ['user_id', 'session_id', 'analyze', 'options']

const uploadRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (fastify, { config }) => {
  const deps = (): UploadDeps => ({
    config, uploads: fastify.uploads, analyses: fastify.analyses, storage: fastify.storage, queue: fastify.analysisQueue
  })
  const tenantOf = async (request: FastifyRequest) => {
    if (!request.principal) throw new Error('route without authentication') // the auth hook guarantees one
    const tenant = await fastify.tenants.getTenant(request.principal.tenantId)
    if (!tenant) throw fastify.httpErrors.unauthorized('the API key\'s tenant no longer exists')
    return tenant
  }
  /** The service's refusals as HTTP errors in the API's shape. */
  const answer = async <T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (error) {
      if (error instanceof UploadRejected) {
        if (error.statusCode === 429) reply.header('retry-after', RETRY_AT_CAPACITY_S)
        throw fastify.httpErrors.createError(error.statusCode, error.message)
      }
      throw error
    }
  }

  fastify.post('/uploads', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['uploads'],
      summary: 'Start uploading a recording: presigned URL(s) for a key the server chooses',
      description: 'The key is chosen under the tenant\'s allowed S3 location (in the uploads bucket when it has one there). ' +
        'Up to UPLOAD_PART_BYTES: one presigned PUT (`put`), whose Content-Type and Content-Length are signed. Larger: a multipart upload (`parts`, ' +
        'UPLOAD_PART_BYTES each but the last): PUT each part\'s bytes to its URL, in any order and in parallel. The URLs work for UPLOAD_URL_SECONDS; ' +
        'GET /uploads/:id gives fresh ones for what is missing. Then POST /uploads/:id/complete. 413 over MAX_VIDEO_BYTES, 415 for a content type not in UPLOAD_CONTENT_TYPES. Needs the scope analyses:write.',
      body: CreateUploadBody,
      response: { 201: UploadResponse, ...errors }
    }
  }, async (request, reply) => {
    const tenant = await tenantOf(request)
    const body = request.body
    const view = await answer(reply, () => createUpload(tenant, {
      contentType: body.content_type,
      size: body.size,
      ...(body.filename !== undefined ? { filename: body.filename } : {}),
      ...(body.user_id !== undefined ? { userId: body.user_id } : {})
    }, deps()))
    reply.code(201).header('location', `/uploads/${view.upload.id}`)
    return toUploadResponse(view)
  })

  fastify.get('/uploads/:id', {
    // Hands out upload URLs, so it needs what creating them needs.
    config: { access: 'analyses:write' },
    schema: {
      tags: ['uploads'],
      summary: 'An upload\'s state; while pending, fresh URLs for the parts (or the PUT) still missing, to resume',
      params: UploadIdParams,
      response: { 200: UploadResponse, ...errors }
    }
  }, async (request, reply) => {
    const tenant = await tenantOf(request)
    return toUploadResponse(await answer(reply, () => describeUpload(tenant.id, request.params.id, deps())))
  })

  fastify.post('/uploads/:id/complete', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['uploads'],
      summary: 'Finish an upload, and optionally start its analysis',
      description: 'Multipart: completed from the parts S3 holds, each checked against the plan (409 naming missing parts, 422 for a part of the wrong size). ' +
        'Single PUT: the object must be there with the declared size. Completing again is harmless. With `analyze`, the analysis starts as POST /analyze would ' +
        '(the same checks, replay rules and 429 at the tenant\'s cap); if it cannot start, the upload stays completed and the error says why: retry with the same call.',
      params: UploadIdParams,
      headers: AnalyzeHeaders,
      body: CompleteUploadBody,
      response: { 200: UploadResponse, ...errors }
    },
    // No body at all is the same as {} (nothing to analyse).
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {}
    }
  }, async (request, reply) => {
    const tenant = await tenantOf(request)
    const analyze = request.body?.analyze
    const idempotencyKey = request.headers['idempotency-key']
    const { view, analysis } = await answer(reply, () => completeUpload(tenant, request.params.id, analyze && {
      sessionId: analyze.session_id,
      ...(analyze.user_id !== undefined ? { userId: analyze.user_id } : {}),
      ...(analyze.options ? { options: analyze.options } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {})
    }, deps()))
    if (analysis) reply.header('location', `/analysis/${analysis.analysis.id}`)
    return toUploadResponse(view, analyze ? analysis : undefined)
  })

  fastify.delete('/uploads/:id', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['uploads'],
      summary: 'Abort an unfinished upload: its parts (or object) are deleted from S3',
      description: 'Aborting twice is harmless; a completed upload answers 409.',
      params: UploadIdParams,
      response: { 204: { type: 'null', description: 'Aborted' }, ...errors }
    }
  }, async (request, reply) => {
    const tenant = await tenantOf(request)
    await answer(reply, () => abortUpload(tenant.id, request.params.id, deps()))
    reply.code(204)
  })

  // multipart/form-data for this route alone: the JSON routes keep their body limit and parser.
  await fastify.register(async (direct) => {
    await direct.register(multipart, {
      limits: {
        fieldNameSize: 64,
        fieldSize: 64 * 1024,
        fields: DIRECT_FIELDS.length,
        files: 1,
        parts: DIRECT_FIELDS.length + 1,
        headerPairs: 32,
        // One byte over the limit reaches the service, which refuses it (busboy would only truncate).
        fileSize: config.uploads.directMaxBytes + 1
      }
    })

    direct.post('/uploads/direct', {
      config: { access: 'analyses:write' },
      schema: {
        tags: ['uploads'],
        summary: 'Upload a recording through the API (multipart/form-data), optionally starting its analysis',
        description: 'For simple clients. The form\'s text fields (user_id, session_id, analyze=true, options as JSON) come first, the file last; ' +
          'it is streamed to S3 as it arrives (never held in memory) under a key the server chooses. Over DIRECT_UPLOAD_MAX_BYTES: 413, and nothing stays in S3. ' +
          'The file part\'s Content-Type must be in UPLOAD_CONTENT_TYPES and its first bytes must match it (webm/mkv, mp4/mov): 415 otherwise. ' +
          'Larger files: POST /uploads. Needs the scope analyses:write.',
        consumes: ['multipart/form-data'],
        body: DirectUploadForm,
        response: { 201: UploadResponse, ...errors }
      },
      // The form is read as a stream by the handler, never as a parsed body: the schema above documents it.
      validatorCompiler: () => () => true
    }, async (request, reply) => {
      if (!request.isMultipart()) {
        throw fastify.httpErrors.unsupportedMediaType(`Unsupported Media Type: ${request.headers['content-type'] ?? 'none'}; send multipart/form-data with the text fields first and the file last`)
      }
      const tenant = await tenantOf(request)
      const raw: Record<string, unknown> = {}
      let upload: UploadRecord | null = null
      let fields: DirectUploadFields = {}
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (upload) throw new UploadRejected(400, `the field "${part.fieldname}" came after the file: send the text fields first, the file last`)
            if (!DIRECT_FIELDS.includes(part.fieldname)) throw new UploadRejected(400, `unknown form field "${part.fieldname.slice(0, 64)}" (fields: ${DIRECT_FIELDS.join(', ')}, then the file)`)
            if (part.fieldname in raw) throw new UploadRejected(400, `the form field "${part.fieldname}" was sent twice`)
            if (part.valueTruncated) throw new UploadRejected(413, `the form field "${part.fieldname}" is over 64 KiB`)
            raw[part.fieldname] = part.value
            continue
          }
          if (upload) throw new UploadRejected(400, 'send one file per request')
          fields = directFields(raw)
          upload = await receiveDirectUpload(tenant, {
            stream: part.file, contentType: part.mimetype, ...(part.filename ? { filename: part.filename } : {})
          }, fields.user_id, deps())
        }
        if (!upload) throw new UploadRejected(400, 'no file in the form: send the recording as a file part after the text fields')
      } catch (error) {
        // A form broken after the file was stored must not leave an object the client does not know of.
        if (upload) await discardUpload(upload, deps()).catch((e) => request.log.warn({ err: e }, 'could not discard a direct upload'))
        throw formError(error, (status, message) => fastify.httpErrors.createError(status, message))
      }
      const stored = upload
      let analysis: AcceptedAnalysis | null = null
      if (fields.analyze) {
        const { session_id: sessionId, user_id: userId, options } = fields
        analysis = await answer(reply, () => startAnalysis(tenant, stored, {
          sessionId: sessionId!, ...(userId ? { userId } : {}), ...(options ? { options } : {})
        }, deps()))
        reply.header('location', `/analysis/${analysis.analysis.id}`)
      }
      reply.code(201)
      return toUploadResponse({ upload: analysis ? { ...stored, analysisId: analysis.analysis.id } : stored, put: null, parts: null }, fields.analyze ? analysis : undefined)
    })
  })
}

/** The form's text fields, typed and checked before the file is read. */
function directFields (raw: Record<string, unknown>): DirectUploadFields {
  const value: Record<string, unknown> = { ...raw }
  if (typeof raw.analyze === 'string') {
    if (!['true', 'false'].includes(raw.analyze)) throw new UploadRejected(400, `the form field "analyze" must be true or false, got "${raw.analyze.slice(0, 20)}"`)
    value.analyze = raw.analyze === 'true'
  }
  if (typeof raw.options === 'string') {
    try {
      value.options = JSON.parse(raw.options)
    } catch {
      throw new UploadRejected(400, 'the form field "options" must be a JSON object, as in POST /analyze')
    }
  }
  const problem = [...Value.Errors(DirectUploadFields, value)][0]
  if (problem) throw new UploadRejected(400, `form field ${problem.instancePath.slice(1) || 'fields'} ${problem.message}`)
  const fields = value as DirectUploadFields
  if (fields.analyze && (!fields.user_id || !fields.session_id)) {
    throw new UploadRejected(400, 'analyze=true needs the form fields user_id and session_id (before the file)')
  }
  return fields
}

/** The parser's and the service's refusals in the API's shape: a broken form is the client's error, never a 500. */
function formError (error: unknown, create: (status: number, message: string) => Error): Error {
  if (error instanceof UploadRejected) return create(error.statusCode, error.message)
  const e = error as { code?: string, statusCode?: number, message?: string }
  if (e.code === 'FST_FILES_LIMIT') return create(400, 'send one file per request')
  if (e.code === 'FST_FIELDS_LIMIT' || e.code === 'FST_PARTS_LIMIT') return create(400, `too many form fields (fields: ${DIRECT_FIELDS.join(', ')}, then the file)`)
  if (e.code === 'FST_MP_PREMATURE_CLOSE') return create(400, 'the request ended before the form was complete')
  if (e.code?.startsWith('FST_') && e.statusCode !== undefined && e.statusCode < 500) return create(e.statusCode === 406 ? 400 : e.statusCode, `malformed form: ${e.message}`)
  // busboy's own errors (a bad boundary, truncated data, malformed part headers) have no status.
  if (error instanceof Error && !('statusCode' in error) && !(error.name === 'StorageError')) return create(400, `malformed multipart/form-data: ${error.message}`)
  return error as Error
}

function toUploadResponse (view: UploadView, analysis?: AcceptedAnalysis | null) {
  const { upload } = view
  return {
    upload_id: upload.id,
    state: upload.state,
    method: upload.method,
    s3_bucket: upload.s3Bucket,
    s3_key: upload.s3Key,
    content_type: upload.contentType,
    size: upload.sizeBytes,
    filename: upload.filename,
    user_id: upload.userId,
    created_at: upload.createdAt.toISOString(),
    expires_at: upload.expiresAt.toISOString(),
    completed_at: upload.completedAt?.toISOString() ?? null,
    analysis_id: upload.analysisId,
    put: view.put && { url: view.put.url, method: 'PUT' as const, headers: view.put.headers },
    part_size: upload.method === 'multipart' ? upload.partBytes : null,
    parts: view.parts && view.parts.map((p) => ({ part_number: p.partNumber, offset: p.offset, size: p.size, uploaded: p.uploaded, url: p.url })),
    ...(analysis === undefined
      ? {}
      : {
          analysis: analysis && {
            analysis_id: analysis.analysis.id,
            status: analysis.analysis.status,
            message: analysis.created ? 'analysis queued' : `this request was already made: analysis ${analysis.analysis.status}`,
            estimated_completion: analysis.estimatedCompletion?.toISOString() ?? null,
            created: analysis.created
          }
        })
  }
}

export default uploadRoutes
