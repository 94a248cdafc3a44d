import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

/** The OpenAPI document is generated from the routes' TypeBox schemas: one definition. */
export default fp(async (fastify) => {
  await fastify.register(swagger, {
    // Shared schemas appear under their own $id in components, not as def-0, def-1...
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Candor analysis API',
        description: 'Analyses recorded interview and presentation videos: face, gaze, blinks, emotion, voice, and structured coaching feedback.',
        version: '0.1.0'
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'cnd_<id>_<secret>',
            description: 'An API key from `npm run keys -- create --tenant <name>`, sent as `Authorization: Bearer <key>`.'
          }
        }
      },
      // Every route needs a key unless it says otherwise (health: security []).
      security: [{ apiKey: [] }],
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'analysis', description: 'Video analyses and their results' },
        { name: 'uploads', description: 'Getting recordings into S3: presigned or through the API' },
        { name: 'live', description: 'Live practice: camera frames analysed as they come (WebSocket)' }
      ]
    }
  })
  await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
}, { name: 'swagger' })
