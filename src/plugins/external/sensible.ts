import fp from 'fastify-plugin'
import sensible from '@fastify/sensible'

/** httpErrors (fastify.httpErrors.notFound(...)) with the standard status names. */
export default fp(async (fastify) => {
  await fastify.register(sensible)
}, { name: 'sensible' })
