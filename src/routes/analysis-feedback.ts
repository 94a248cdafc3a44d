import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Config } from '../config.js'
import { AnalysisIdParams, FeedbackResponse } from '../schemas/analysis.js'
import { ErrorResponse, StringEnum } from '../schemas/common.js'
import { FeedbackNotPossible, feedbackInLanguage, feedbackLanguages } from '../services/feedback-language.js'

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse }

export const FeedbackLanguageBody = Type.Object({
  language: StringEnum(['en', 'ko'], { description: 'The language to write the feedback in' })
}, { additionalProperties: false })

export const FeedbackLanguagesResponse = Type.Object({
  analysis_id: Type.String({ format: 'uuid' }),
  languages: Type.Array(Type.Object({
    language: Type.String(),
    source: StringEnum(['llm', 'rules']),
    model: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' })
  }), { description: 'The first written first (the language asked when the analysis was made)' })
})

/** GET /analysis/:id/feedback: which languages the feedback exists in; POST: the feedback in another language, written from the stored results. */
const analysisFeedbackRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (fastify, { config }) => {
  fastify.get('/analysis/:id/feedback', {
    config: { access: 'analyses:read' },
    schema: {
      tags: ['analysis'],
      summary: 'The languages the coaching feedback has been written in',
      description: 'An empty list until the analysis has completed. Read one with GET /analysis/:id/llm-comment?language=; write another with POST /analysis/:id/feedback.',
      params: AnalysisIdParams,
      response: { 200: FeedbackLanguagesResponse, ...errors }
    }
  }, async (request) => {
    const analysis = await fastify.analyses.getOwned(request.principal!.tenantId, request.params.id) // the auth hook guarantees a principal
    if (!analysis) throw fastify.httpErrors.notFound(`analysis not found: ${request.params.id}`)
    const languages = await feedbackLanguages(fastify.mariadb, analysis.id)
    return { analysis_id: analysis.id, languages: languages.map((l) => ({ language: l.language, source: l.source, model: l.model, created_at: l.createdAt.toISOString() })) }
  })

  fastify.post('/analysis/:id/feedback', {
    config: { access: 'analyses:write' },
    schema: {
      tags: ['analysis'],
      summary: 'Write the coaching feedback in another language',
      description: 'A completed analysis has feedback in the language asked when it was made. This writes it in another language from the stored scores, metrics and transcript, with the same writers (the LLM when OPENAI_API_KEY is set, else the rule-based writer; the rules with fallback_reason when the LLM fails), validates and stores it: GET /analysis/:id/llm-comment?language= serves it from then on. Idempotent: when the analysis already has feedback in that language it is returned as it is (200) and nothing is written; 201 when written now. The visual notes are not written again (produced: false, saying so). 409 until the analysis has completed. Needs the scope analyses:write.',
      params: AnalysisIdParams,
      body: FeedbackLanguageBody,
      response: { 200: FeedbackResponse, 201: FeedbackResponse, ...errors }
    }
  }, async (request, reply) => {
    const tenantId = request.principal!.tenantId // the auth hook guarantees a principal
    const analysis = await fastify.analyses.getOwned(tenantId, request.params.id)
    if (!analysis) throw fastify.httpErrors.notFound(`analysis not found: ${request.params.id}`)
    try {
      const { record, created } = await feedbackInLanguage(analysis, request.body.language, { results: fastify.results, llm: config.llm })
      reply.code(created ? 201 : 200)
      return {
        analysis_id: analysis.id,
        language: record.language,
        source: record.source,
        model: record.model,
        prompt_version: record.promptVersion,
        created_at: record.createdAt.toISOString(),
        yaml: record.yaml,
        feedback: record.parsed,
        fallback_reason: record.fallbackReason
      }
    } catch (error) {
      if (error instanceof FeedbackNotPossible) throw fastify.httpErrors.createError(error.statusCode, error.message)
      throw error
    }
  })
}

export default analysisFeedbackRoutes
