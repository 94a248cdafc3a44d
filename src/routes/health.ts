import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LivenessResponse, ReadinessResponse } from '../schemas/health.js'
import packageJson from '../../package.json' with { type: 'json' }

const health: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    config: { rateLimit: false, access: 'public' },
    schema: {
      tags: ['health'],
      security: [],
      summary: 'Liveness: the process is up and serving',
      response: { 200: LivenessResponse }
    }
  }, async () => ({ status: 'ok' as const, uptime_s: Math.round(process.uptime()), version: packageJson.version }))

  fastify.get('/health/ready', {
    config: { rateLimit: false, access: 'public' },
    schema: {
      tags: ['health'],
      security: [],
      summary: 'Readiness: every dependency answers (503 naming those that do not)',
      description: 'Open, for load balancers: without an API key it names each dependency and whether it is up. With a valid key it adds versions, latencies and why a dependency is down (internal details an anonymous caller should not see).',
      response: { 200: ReadinessResponse, 503: ReadinessResponse }
    }
  }, async (request, reply) => {
    const report = await fastify.readiness.report()
    reply.code(report.status === 'ready' ? 200 : 503)
    // A store that is down must not make the probe fail: then it is simply anonymous.
    const detailed = await fastify.identify(request).catch(() => null) !== null
    return {
      status: report.status,
      dependencies: report.dependencies.map(({ latencyMs, name, status, ...rest }) =>
        detailed ? { name, status, ...rest, latency_ms: latencyMs } : { name, status })
    }
  })
}

export default health
