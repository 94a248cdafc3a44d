import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import {
  AnalyzeBody, AnalyzeHeaders, AnalyzeAccepted, AnalysisIdParams, AnalysisResponse, FramesQuery, FramesResponse,
  FeedbackQuery, FeedbackResponse, RecentQuery, RecentResponse
} from '../schemas/analysis.js'
import { ErrorResponse } from '../schemas/common.js'
import { acceptAnalysis, RequestRejected } from '../services/analysis-requests.js'
import { SIGNALS, signalModule } from '../signals/registry.js'
import { toAnalysisResponse, toRecentItem } from './analysis-views.js'
import { ArtifactLinks, playbackView } from '../services/artifact-links.js'

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse }

/** Seconds a tenant at its cap of active analyses is asked to wait before trying again. */
const RETRY_AT_CAPACITY_S = 30

const analysisRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (fastify, { config }) => {
  const tenantOf = (request: FastifyRequest) => {
    if (!request.principal) throw new Error('route without authentication') // the auth hook guarantees one
    return request.principal.tenantId
  }
  // Another tenant's analysis answers exactly as an unknown id does, so ids cannot be probed.
  const findAnalysis = async (request: FastifyRequest, id: string) => {
    const analysis = await fastify.analyses.getOwned(tenantOf(request), id)
    if (!analysis) throw fastify.httpErrors.notFound(`analysis not found: ${id}`)
    return analysis
  }

  fastify.post('/analyze', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['analysis'],
      summary: 'Start analysing a recording stored in S3',
      description: 'Checks that the location is one the key\'s tenant may use (403 otherwise, before any S3 call), then the object (exists, non-empty, under the size limit, a video within the limits) and queues the analysis. The same Idempotency-Key, or the same bucket/key/session, returns the existing analysis instead of starting another (both per tenant). A tenant at its cap of queued + processing analyses gets 429 with Retry-After. Needs the scope analyses:write.',
      body: AnalyzeBody,
      headers: AnalyzeHeaders,
      response: { 202: AnalyzeAccepted, 200: AnalyzeAccepted, ...errors }
    }
  }, async (request, reply) => {
    const body = request.body
    const tenant = await fastify.tenants.getTenant(tenantOf(request))
    if (!tenant) throw fastify.httpErrors.unauthorized('the API key\'s tenant no longer exists')
    try {
      const accepted = await acceptAnalysis({
        tenant,
        s3Bucket: body.s3_bucket,
        s3Key: body.s3_key,
        userId: body.user_id,
        sessionId: body.session_id,
        ...(request.headers['idempotency-key'] ? { idempotencyKey: request.headers['idempotency-key'] } : {}),
        options: body.options ?? {}
      }, { config, analyses: fastify.analyses, storage: fastify.storage, queue: fastify.analysisQueue })
      const { analysis, created } = accepted
      reply.code(created ? 202 : 200)
      reply.header('location', `/analysis/${analysis.id}`)
      return {
        analysis_id: analysis.id,
        status: analysis.status,
        message: created ? 'analysis queued' : `this request was already made: analysis ${analysis.status}`,
        estimated_completion: accepted.estimatedCompletion?.toISOString() ?? null,
        created
      }
    } catch (error) {
      if (error instanceof RequestRejected) {
        if (error.statusCode === 429) reply.header('retry-after', RETRY_AT_CAPACITY_S)
        throw fastify.httpErrors.createError(error.statusCode, error.message)
      }
      throw error
    }
  })

  fastify.get('/analysis/recent', {
    config: { access: 'analyses:read' },
    schema: {
      tags: ['analysis'],
      summary: 'The newest analyses of the caller\'s tenant, optionally of one user',
      querystring: RecentQuery,
      response: { 200: RecentResponse, ...errors }
    }
  }, async (request) => {
    const rows = await fastify.analyses.listRecent(tenantOf(request), request.query.limit ?? 20, request.query.user_id)
    return { analyses: rows.map(toRecentItem) }
  })

  fastify.get('/analysis/:id', {
    config: { access: 'analyses:read' },
    schema: {
      tags: ['analysis'],
      summary: 'Status, progress and, once completed, the scores of an analysis',
      params: AnalysisIdParams,
      response: { 200: AnalysisResponse, ...errors }
    }
  }, async (request) => {
    const analysis = await findAnalysis(request, request.params.id)
    if (analysis.status !== 'completed') return toAnalysisResponse(analysis, null)
    const [scores, signals, events, transcript, artifacts] = await Promise.all([
      fastify.results.getScores(analysis.id), fastify.results.getSignals(analysis.id),
      fastify.results.listEvents(analysis.id), fastify.results.getTranscript(analysis.id), fastify.results.listArtifacts(analysis.id)
    ])
    const playback = await playbackView(artifacts, new ArtifactLinks(fastify.storage, config.s3.artifactsBucket, config.s3.presignSeconds))
    return toAnalysisResponse(analysis, scores && { scores, signals, events, transcript, playback })
  })

  fastify.get('/analysis/:id/frames', {
    config: { access: 'analyses:read' },
    schema: {
      tags: ['analysis'],
      summary: 'Per-frame signals of one kind (face, voice, pose...), in time order, paginated',
      params: AnalysisIdParams,
      querystring: FramesQuery,
      response: { 200: FramesResponse, ...errors }
    }
  }, async (request) => {
    const analysis = await findAnalysis(request, request.params.id)
    const { from, to, limit } = request.query
    const module = signalModule(request.query.kind ?? SIGNALS[0]!.kind)! // the schema allows registered kinds only
    if (from !== undefined && to !== undefined && to < from) throw fastify.httpErrors.badRequest('querystring/to must be >= from')
    const page = await fastify.frames.readFrames(analysis.id, module.kind, {
      ...(from !== undefined ? { fromMs: from } : {}), ...(to !== undefined ? { toMs: to } : {}), limit: limit ?? 300
    })
    const frames = page.frames.map((stored) => module.view.renderFrame(module.codec.decode(stored)))
    return { analysis_id: analysis.id, kind: module.kind, frames, count: frames.length, next_from: page.nextFromMs }
  })

  fastify.get('/analysis/:id/llm-comment', {
    config: { access: 'analyses:read' },
    schema: {
      tags: ['analysis'],
      summary: 'The coaching feedback: the YAML as written and its parsed structure',
      params: AnalysisIdParams,
      querystring: FeedbackQuery,
      response: { 200: FeedbackResponse, 409: ErrorResponse, ...errors }
    }
  }, async (request) => {
    const analysis = await findAnalysis(request, request.params.id)
    const feedback = await fastify.results.getFeedback(analysis.id, request.query.language)
    if (!feedback) {
      if (analysis.status === 'completed') {
        throw fastify.httpErrors.notFound(`no feedback in ${request.query.language ?? 'any language'} for analysis ${analysis.id}`)
      }
      throw fastify.httpErrors.conflict(`feedback not available yet: the analysis is ${analysis.status}${analysis.status === 'failed' ? ` (${analysis.errorMessage})` : ''}`)
    }
    return {
      analysis_id: analysis.id,
      language: feedback.language,
      source: feedback.source,
      model: feedback.model,
      prompt_version: feedback.promptVersion,
      created_at: feedback.createdAt.toISOString(),
      yaml: feedback.yaml,
      feedback: feedback.parsed,
      fallback_reason: feedback.fallbackReason
    }
  })
}

export default analysisRoutes
