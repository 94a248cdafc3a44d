import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LivenessResponse, ReadinessResponse } from '../schemas/health.js'
import packageJson from '../../package.json' with { type: 'json' }

const health: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Liveness: the process is up and serving',
      response: { 200: LivenessResponse }
    }
  }, async () => ({ status: 'ok' as const, uptime_s: Math.round(process.uptime()), version: packageJson.version }))

  fastify.get('/health/ready', {
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Readiness: every dependency answers (503 naming those that do not)',
      response: { 200: ReadinessResponse, 503: ReadinessResponse }
    }
  }, async (_request, reply) => {
    const report = await fastify.readiness.report()
    reply.code(report.status === 'ready' ? 200 : 503)
    return {
      status: report.status,
      dependencies: report.dependencies.map(({ latencyMs, ...rest }) => ({ ...rest, latency_ms: latencyMs }))
    }
  })
}

export default health
