import fp from 'fastify-plugin'
import { Readiness } from '../../health/readiness.js'

declare module 'fastify' {
  interface FastifyInstance { readiness: Readiness }
}

/** Registered before the other app plugins, which each add the check of their own system. */
export default fp(async (fastify) => {
  fastify.decorate('readiness', new Readiness())
}, { name: 'readiness' })
