import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { Config } from '../../config.js'

/** Per-client limit on every route; health routes opt out (probes call them constantly). */
export default fp<{ config: Config }>(async (fastify, { config }) => {
  await fastify.register(rateLimit, {
    max: config.http.rateLimit.max,
    timeWindow: config.http.rateLimit.windowMs
  })
}, { name: 'rate-limit' })
