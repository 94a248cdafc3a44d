/**
 * GET /live: live practice analysed on the server, over a WebSocket (protocol in
 * src/live/protocol.ts). Public to the HTTP auth hook, because browsers cannot set an
 * Authorization header on a WebSocket: the first message carries the API key (scope
 * analyses:write), checked here exactly as the hook checks a header. A plain GET (no upgrade)
 * answers 426 in the API's error shape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ErrorResponse } from '../schemas/common.js'
import websocket from '@fastify/websocket'
import type { WebSocket, RawData } from 'ws'
import type { Config } from '../config.js'
import { parseKey } from '../auth/api-key.js'
import type { Principal } from '../repositories/tenants.js'
import { LiveService, type LiveSession } from '../live/service.js'
import { CLOSE, FRAME_HEADER_BYTES, HELLO_TIMEOUT_MS, closeReason, parseHello } from '../live/protocol.js'

export interface LiveRouteOptions {
  config: Config
  /** Finds the key's principal (default: the tenants repository, as the HTTP auth hook does). */
  authenticate?: (key: string) => Promise<Principal | null>
}

export default async function liveRoutes (fastify: FastifyInstance, { config, authenticate }: LiveRouteOptions): Promise<void> {
  const live = config.live
  const service = new LiveService({
    ...live,
    analysisWidth: config.engine.analysisWidth,
    modelsDir: config.modelsDir,
    emotionModel: config.engine.emotionModel
  }, fastify.log)
  fastify.addHook('preClose', async () => { await service.close() })

  const findPrincipal = authenticate ?? (async (key: string) => {
    const parsed = parseKey(key)
    return parsed ? await fastify.tenants.authenticate(parsed) : null
  })

  // A message over this closes the socket with 1009; frames between LIVE_MAX_FRAME_BYTES and
  // this get an error message and the session goes on.
  await fastify.register(websocket, {
    options: { maxPayload: 2 * live.maxFrameBytes + FRAME_HEADER_BYTES + 1024 },
    // A client breaking the WebSocket protocol (too big, bad frames) is the client's fault: ws
    // closes the socket with the matching code (1009, 1002...) itself.
    errorHandler: (error, socket, request) => {
      const code = (error as { code?: string }).code ?? ''
      if (code.startsWith('WS_ERR_')) {
        request.log.info({ reason: error.message, code }, 'live: client broke the WebSocket protocol')
        return
      }
      request.log.error({ err: error }, 'live: socket failed')
      socket.terminate()
    }
  })

  fastify.route({
    method: 'GET',
    url: '/live',
    config: { access: 'public' },
    schema: {
      tags: ['live'],
      summary: 'Live practice on the server (WebSocket)',
      description: 'Upgrade to a WebSocket (a plain GET answers 426). First text message {"type":"hello","key":"<API key with analyses:write>","width"?,"height"?} within 10 s, answered by {"type":"ready",...}; then binary messages: 8 bytes of capture time (float64 little-endian, ms, increasing) and one JPEG. Replies: {"type":"frame","t","face","pose"?,"latency_ms"} per analysed frame (the shapes the metrics use), {"type":"error","code","message"} for a refused frame, {"type":"stats","received","analysed","dropped","rejected"} about once a second. Frames beyond what the server keeps up with are dropped, never queued. Close codes: 4000 bad hello, 4001 bad key, 4003 missing scope, 4008 idle, 4009 client not reading, 1009 too big, 1013 full (LIVE_MAX_SESSIONS, LIVE_MAX_SESSIONS_PER_TENANT). README: Live practice.',
      response: { 426: ErrorResponse }
    },
    handler: async (_request, reply) => {
      reply.code(426).header('upgrade', 'websocket')
      return { statusCode: 426, error: 'Upgrade Required', message: 'GET /live is a WebSocket: connect with a WebSocket client, then send {"type":"hello","key":"<API key>"}' }
    },
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      let session: LiveSession | null = null
      let greeted = false
      const helloTimer = setTimeout(() => socket.close(CLOSE.timeout, `no hello within ${HELLO_TIMEOUT_MS / 1000} s`), HELLO_TIMEOUT_MS)
      helloTimer.unref()
      // Refused at once when full, before the client spends a hello (checked again at admission).
      const refused = service.refusal()
      if (refused) {
        clearTimeout(helloTimer)
        socket.close(refused.code, closeReason(refused.reason))
        return
      }

      const hello = async (data: RawData) => {
        let parsed
        try {
          parsed = parseHello(data.toString())
        } catch (error) {
          socket.close(CLOSE.badHello, closeReason((error as Error).message))
          return
        }
        const principal = await findPrincipal(parsed.key).catch((error: unknown) => {
          request.log.warn({ err: error }, 'live: key lookup failed')
          return undefined
        })
        if (socket.readyState !== socket.OPEN) return
        if (principal === undefined) {
          socket.close(CLOSE.tryAgainLater, 'could not check the API key now; try again shortly')
          return
        }
        if (!principal) {
          socket.close(CLOSE.unauthorized, 'invalid API key: malformed, unknown or revoked')
          return
        }
        if (!principal.scopes.includes('analyses:write')) {
          socket.close(CLOSE.forbidden, closeReason(`this API key lacks the scope analyses:write (it has ${principal.scopes.join(', ')})`))
          return
        }
        const admitted = service.admit(principal.tenantId, socket)
        if ('refused' in admitted) {
          socket.close(admitted.refused.code, closeReason(admitted.refused.reason))
          return
        }
        session = admitted.session
        request.log.info({ session: session.id, tenant: principal.tenantId, key: principal.keyId }, 'live session started')
        if (!await session.ready()) return
        const s = service.settings
        session.send({
          type: 'ready',
          session: session.id,
          max_fps: s.maxFps,
          width: s.analysisWidth,
          max_frame_bytes: s.maxFrameBytes,
          max_frame_pixels: s.maxFramePixels,
          emotion_fps: s.emotionFps,
          pose_fps: s.poseFps
        })
      }

      socket.on('message', (data: RawData, isBinary: boolean) => {
        if (!greeted) {
          if (isBinary) {
            socket.close(CLOSE.badHello, 'send the hello before any frame')
            return
          }
          greeted = true
          clearTimeout(helloTimer)
          void hello(data)
          return
        }
        if (!session) return // the hello is still being checked: nothing is queued
        if (isBinary) session.frame(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]))
        else session.text()
      })
      socket.on('close', (code: number) => {
        clearTimeout(helloTimer)
        if (session) {
          request.log.info({ session: session.id, code, ...session.counts }, 'live session ended')
          session.end()
        }
      })
    }
  })
}
