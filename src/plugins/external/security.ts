import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'
import type { Config } from '../../config.js'

export default fp<{ config: Config }>(async (fastify, { config }) => {
  // The CSP is left to swagger-ui's own (staticCSP) on /docs; the API itself serves JSON.
  await fastify.register(helmet, { contentSecurityPolicy: false, global: true })
  await fastify.register(cors, {
    origin: config.http.corsOrigins,
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    // An OPTIONS without Origin or Access-Control-Request-Method is answered like a preflight
    // (204) instead of with a text/plain 400 outside the API's error shape; browsers always send both.
    strictPreflight: false,
    exposedHeaders: ['x-request-id', 'retry-after']
  })
}, { name: 'security' })
