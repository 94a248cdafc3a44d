import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import { AnalysisIdParams, TimelineResponse } from '../schemas/analysis.js'
import { ErrorResponse } from '../schemas/common.js'
import { ArtifactLinks } from '../services/artifact-links.js'
import { round } from '../numbers.js'
import { SIGNALS } from '../signals/registry.js'
import { CurveCache, readCurves } from '../services/timeline-curves.js'

const errors = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse }

/** GET /analysis/:id/timeline: the events in time order with presigned links to their pictures, and the curves over time. */
const timelineRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (fastify, { config }) => {
  const curveCache = new CurveCache()
  fastify.get('/analysis/:id/timeline', {
    config: { access: 'analyses:read' },
    schema: {
      tags: ['analysis'],
      summary: 'The timeline: events in time order, each with a presigned thumbnail and annotated picture, the overview image, and the curves over time',
      description: 'Links expire after PRESIGNED_URL_SECONDS (1 hour by default); ask again for fresh ones. An event whose picture could not be made has thumbnail null and says why in thumbnail_error. 409 until the analysis has completed.',
      params: AnalysisIdParams,
      response: { 200: TimelineResponse, ...errors }
    }
  }, async (request) => {
    const tenantId = request.principal!.tenantId // the auth hook guarantees a principal
    const analysis = await fastify.analyses.getOwned(tenantId, request.params.id)
    if (!analysis) throw fastify.httpErrors.notFound(`analysis not found: ${request.params.id}`)
    if (analysis.status !== 'completed') {
      throw fastify.httpErrors.conflict(`timeline not available yet: the analysis is ${analysis.status}${analysis.status === 'failed' ? ` (${analysis.errorMessage})` : ''}`)
    }
    // Each kind that ran: its curves from its stored frames and metrics, as the overview picture has them.
    const curvesOf = async () => {
      const signals = await fastify.results.getSignals(analysis.id)
      const sources = SIGNALS.filter((m) => signals.has(m.kind)).map((module) => ({ kind: module.kind, module, metrics: signals.get(module.kind)!.metrics }))
      return readCurves(fastify.frames, analysis.id, sources)
    }
    const [events, artifacts, curves] = await Promise.all([
      fastify.results.listEvents(analysis.id), fastify.results.listArtifacts(analysis.id),
      curveCache.get(`${analysis.id}:${analysis.completedAt?.getTime() ?? ''}`, curvesOf)
    ])
    const links = new ArtifactLinks(fastify.storage, config.s3.artifactsBucket, config.s3.presignSeconds)
    const overview = artifacts.get('overview')
    return {
      analysis_id: analysis.id,
      duration_s: analysis.video ? round(analysis.video.durationS, 3) : null,
      urls_expire_at: links.expiresAt.toISOString(),
      overview: overview?.s3Key ? { url: await links.url(overview.s3Key), width: overview.width, height: overview.height } : null,
      overview_error: overview?.error ?? null,
      events: await Promise.all(events.map(async (e) => ({
        id: e.seq,
        kind: e.kind,
        start_s: e.startMs / 1000,
        end_s: e.endMs / 1000,
        value: e.value,
        data: e.data ?? null,
        thumbnail: e.thumbnailKey
          ? { url: await links.url(e.thumbnailKey), at_s: (e.keyMs ?? e.startMs) / 1000, annotated_url: e.annotatedKey ? await links.url(e.annotatedKey) : null }
          : null,
        thumbnail_error: e.thumbnailError
      }))),
      curves
    }
  })
}

export default timelineRoutes
