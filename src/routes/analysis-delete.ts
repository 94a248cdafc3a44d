/**
 * Deleting analyses: one by id, or every analysis of one user (src/services/deletion.ts does
 * the work). Both answer the same whether or not the caller's tenant had such analyses, so
 * neither ids nor user ids can be probed, and a repeat (after a lost answer) is safe.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { AnalysisIdParams } from '../schemas/analysis.js'
import { ErrorResponse } from '../schemas/common.js'
import { deleteAnalysis, deleteUserAnalyses, DeletionIncomplete, type DeletionDeps } from '../services/deletion.js'

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse }

/** Seconds to wait before repeating a deletion that stopped half-way. */
const RETRY_INCOMPLETE_S = 30

const DeleteQuery = Type.Object({
  source: Type.Optional(Type.Boolean({ default: false, description: 'Also delete the uploaded recording (the analysis\'s s3_bucket/s3_key)' }))
}, { additionalProperties: false })

const UserParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 128, description: 'The user_id given to POST /analyze' }) }, { additionalProperties: false })

const UserDeleted = Type.Object({
  user_id: Type.String(),
  deleted: Type.Integer({ minimum: 0, description: 'How many analyses were deleted' })
}, { additionalProperties: false })

const analysisDeleteRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (fastify, { config }) => {
  const tenantOf = (request: FastifyRequest) => {
    if (!request.principal) throw new Error('route without authentication') // the auth hook guarantees one
    return request.principal.tenantId
  }
  const deps = (): DeletionDeps => ({
    analyses: fastify.analyses,
    frames: fastify.frames,
    uploads: fastify.uploads,
    storage: fastify.storage,
    artifactsBucket: config.s3.artifactsBucket,
    queue: fastify.analysisQueue,
    logger: fastify.log as Logger
  })
  const incomplete = (error: DeletionIncomplete, reply: { header: (name: string, value: number) => unknown }) => {
    fastify.log.warn({ err: error.cause, analysisId: error.analysisId, step: error.step }, 'deletion incomplete')
    reply.header('retry-after', RETRY_INCOMPLETE_S)
    return fastify.httpErrors.createError(503, error.message)
  }

  fastify.delete('/analysis/:id', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['analysis'],
      summary: 'Delete an analysis and everything derived from its recording',
      description: 'Deletes the frames, scores, events, feedback, transcript, thumbnails, annotated frames, overview and playback copy, and the queued job; with source=true the uploaded recording too. 204 whether or not the caller\'s tenant had such an analysis (unknown ids, other tenants\' ids and repeats all answer 204; nothing of another tenant is touched). 503 with Retry-After when a store failed half-way: the analysis is already gone for every read, and repeating the request finishes the deletion (so does the sweeper). Needs the scope analyses:write.',
      params: AnalysisIdParams,
      querystring: DeleteQuery,
      response: { 204: Type.Null({ description: 'Deleted (or there was nothing of the caller\'s to delete)' }), ...errors }
    }
  }, async (request, reply) => {
    try {
      await deleteAnalysis(request.params.id, { tenantId: tenantOf(request), deleteSource: request.query.source ?? false }, deps())
    } catch (error) {
      if (error instanceof DeletionIncomplete) throw incomplete(error, reply)
      throw error
    }
    return reply.code(204).send(null)
  })

  fastify.delete('/users/:user_id/analyses', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['analysis'],
      summary: 'Delete every analysis of one user (of the caller\'s tenant)',
      description: 'As DELETE /analysis/:id for each analysis whose user_id matches, in the caller\'s tenant only; with source=true their uploaded recordings too. Every one is gone for reads before the first is deleted. 503 with Retry-After when some could not be finished: repeat the request (the sweeper also finishes them). Needs the scope analyses:write.',
      params: UserParams,
      querystring: DeleteQuery,
      response: { 200: UserDeleted, ...errors }
    }
  }, async (request, reply) => {
    const userId = request.params.user_id
    const result = await deleteUserAnalyses(tenantOf(request), userId, { deleteSource: request.query.source ?? false }, deps())
    const first = result.incomplete[0]
    if (first) {
      const error = incomplete(first, reply)
      error.message = `${result.incomplete.length} of ${result.analysisIds.length} analyses of user ${userId} are not fully deleted yet (first: ${first.message})`
      throw error
    }
    return { user_id: userId, deleted: result.analysisIds.length }
  })
}

export default analysisDeleteRoutes
