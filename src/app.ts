/**
 * The Fastify application, in the layering of fastify/demo: external plugins (docs, security,
 * limits), then app plugins that each own one outside system, then routes.
 */
import crypto from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyError, type FastifyBaseLogger, type FastifyRequest, type FastifyReply,
  type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Logger } from './logger.js'
import swagger from './plugins/external/swagger.js'
import security from './plugins/external/security.js'
import rateLimit from './plugins/external/rate-limit.js'
import sensible from './plugins/external/sensible.js'
import readiness from './plugins/app/readiness.js'
import auth from './plugins/app/auth.js'
import mariadb from './plugins/app/mariadb.js'
import mongodb from './plugins/app/mongodb.js'
import storage from './plugins/app/storage.js'
import queue from './plugins/app/queue.js'
import toolchain from './plugins/app/toolchain.js'
import healthRoutes from './routes/health.js'
import analysisRoutes from './routes/analysis.js'
import uploadRoutes from './routes/uploads.js'
import analysisDeleteRoutes from './routes/analysis-delete.js'
import timelineRoutes from './routes/analysis-timeline.js'
import analysisFeedbackRoutes from './routes/analysis-feedback.js'
import webRoutes from './routes/web.js'
import liveRoutes from './routes/live.js'
import { ErrorResponse } from './schemas/common.js'
import { validatorCompiler, schemaErrorFormatter } from './validation.js'

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

const REQUEST_ID = /^[\w.:-]{1,128}$/

export async function buildApp (config: Config, logger: Logger): Promise<App> {
  const app = Fastify({
    // Fastify's own logger type is the narrower FastifyBaseLogger; pino's Logger satisfies it.
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimitBytes,
    // Take the caller's X-Request-Id when it is well-formed (to trace across services).
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID()
    },
    frameworkErrors: refusedBeforeRouting,
  }).withTypeProvider<TypeBoxTypeProvider>()
  // Unknown properties are refused with a clear error (never silently dropped); see validation.ts.
  app.setValidatorCompiler(validatorCompiler)
  app.setSchemaErrorFormatter(schemaErrorFormatter)
  // JSON only: a text/plain body gets the same 415 as any other unsupported type.
  app.removeContentTypeParser('text/plain')

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addSchema(ErrorResponse)

  // Before any plugin or route is registered: a route keeps the error handler its context had
  // when it was added, so one set later would never run for them (Fastify's own would).
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const unavailable = unavailableStore(error)
    if (unavailable) {
      request.log.warn({ err: error, store: unavailable }, 'store unavailable')
      reply.code(503).header('retry-after', 5)
      return { statusCode: 503, error: 'Service Unavailable', message: `${unavailable} is unavailable or overloaded; retry shortly (request id ${request.id})` }
    }
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ reason: error.message, code: error.code }, 'request rejected')
    reply.code(statusCode)
    if (statusCode === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? 60)
    return {
      statusCode,
      error: statusText(statusCode),
      message: publicMessage(error, statusCode, request)
    }
  })

  await app.register(sensible)
  await app.register(readiness)
  await app.register(mariadb, { config })
  // Before anything that registers routes: it marks the docs and CORS preflight routes public,
  // and its key check must run before the rate limiter, which counts per key.
  await app.register(auth)
  await app.register(swagger)
  await app.register(security, { config })
  await app.register(rateLimit, { config })

  await app.register(mongodb, { config })
  await app.register(storage, { config })
  await app.register(queue, { config })
  await app.register(toolchain, { config })

  await app.register(healthRoutes)
  await app.register(analysisRoutes, { config })
  await app.register(uploadRoutes, { config })
  await app.register(analysisDeleteRoutes, { config })
  await app.register(timelineRoutes, { config })
  await app.register(analysisFeedbackRoutes, { config })
  await app.register(webRoutes, { config })
  await app.register(liveRoutes, { config })

  // Rate-limited too: probing for URLs must cost an attacker the same as calling real ones.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => {
    reply.code(404)
    return { statusCode: 404, error: 'Not Found', message: `Route ${request.method} ${request.url.split('?')[0]} not found` }
  })

  return app
}

/**
 * A database that cannot be reached is the service's temporary state, not the caller's
 * mistake nor a bug: 503 naming the store, with the driver's internals kept in the log.
 */
const MARIADB_UNREACHABLE = /^(ER_GET_CONNECTION_TIMEOUT|ER_CONNECTION_TIMEOUT|ER_SOCKET_UNEXPECTED_CLOSE|ER_CONNECTION_ALREADY_CLOSED|ER_CLOSING_POOL|ER_POOL_ALREADY_CLOSED|ER_SERVER_SHUTDOWN|ER_CON_COUNT_ERROR|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/

function unavailableStore (error: unknown): string | null {
  const e = error as { name?: string, code?: string }
  if (e.name === 'SqlError' && MARIADB_UNREACHABLE.test(e.code ?? '')) return 'MariaDB'
  if (e.name !== undefined && /^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(e.name)) return 'MongoDB'
  return null
}

/**
 * A URL Fastify refuses before routing (a malformed percent-encoding, a path parameter over
 * maxParamLength): the API's error shape, not Fastify's own (which adds `code`), and 400 rather
 * than 414 for a parameter that is merely too long.
 */
function refusedBeforeRouting (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.code(400).header('x-request-id', request.id)
  reply.send({ statusCode: 400, error: statusText(400), message: error.message })
}

/** Internal details stay in the log; the client gets a message it can act on. */
function publicMessage (error: FastifyError, statusCode: number, request: FastifyRequest): string {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return `Unsupported Media Type: ${request.headers['content-type'] ?? 'none'}; send application/json`
  }
  if (statusCode < 500 || statusCode === 503) return error.message
  return `Internal Server Error (logged with request id ${request.id})`
}

function statusText (statusCode: number): string {
  return STATUS_TEXT[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Bad Request')
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'
}
