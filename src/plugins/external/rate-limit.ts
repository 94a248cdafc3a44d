import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { Config } from '../../config.js'

/**
 * Requests per window, counted per API key (the auth hook has identified the caller before
 * this route-level hook runs), with the key's own limit when it has one; callers without a key
 * are counted per address. Health routes opt out (probes call them constantly).
 */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  await fastify.register(rateLimit, {
    max: (request) => request.principal?.rateLimitMax ?? config.http.rateLimit.max,
    timeWindow: config.http.rateLimit.windowMs,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`)
  })
}, { name: 'rate-limit', dependencies: ['auth'] })
