/**
 * The web app (web/, built by Vite into web/dist) under /app/, and the runtime files its live
 * mode needs (tasks-vision's wasm, the MediaPipe model bundles) under /app/runtime/: everything
 * the page loads comes from Candor itself, never from a CDN. The pages are public; every call
 * they make to the API carries the signed-in key.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import type { FastifyPluginAsync } from 'fastify'
import fastifyStatic from '@fastify/static'
import { projectRoot, type Config } from '../config.js'

export const webDist = path.join(projectRoot, 'web', 'dist')
const tasksVisionWasm = path.join(path.dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-vision')), 'wasm')

/** Model files the page may fetch, by the name it asks for; all live in MODELS_DIR. */
export const RUNTIME_MODELS = ['face_landmarker.task', 'pose_landmarker_lite.task'] as const

const webRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  const policy = contentSecurityPolicy(config)
  const built = fs.existsSync(path.join(webDist, 'index.html'))

  fastify.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app/'))

  if (!built) {
    // An API-only deployment (or a checkout before `npm run setup`) says what is missing.
    fastify.get('/app/*', { schema: { hide: true } }, async (_request, reply) => {
      reply.code(503).header('retry-after', 3600)
      return { statusCode: 503, error: 'Service Unavailable', message: 'the web app is not built: run npm run setup (or npm run build:web)' }
    })
  } else {
    await fastify.register(fastifyStatic, {
      root: webDist,
      prefix: '/app/',
      // Hashed asset names never change content; index.html must be revalidated to pick up a new build.
      setHeaders (reply, file) {
        reply.header('content-security-policy', policy)
        reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache')
      }
    })
  }

  await fastify.register(fastifyStatic, {
    root: tasksVisionWasm,
    prefix: '/app/runtime/wasm/',
    decorateReply: false,
    maxAge: '1d'
  })

  fastify.get<{ Params: { name: string } }>('/app/runtime/models/:name', { schema: { hide: true } }, async (request, reply) => {
    const name = RUNTIME_MODELS.find((model) => model === request.params.name)
    if (!name) throw fastify.httpErrors.notFound(`no runtime model named ${request.params.name}`)
    const file = path.join(config.modelsDir, name)
    if (!fs.existsSync(file)) throw fastify.httpErrors.serviceUnavailable(`model ${name} is not installed: run npm run models`)
    reply.header('cache-control', 'public, max-age=86400').type('application/octet-stream')
    return reply.send(fs.createReadStream(file))
  })
}

/**
 * What the pages may load: scripts and wasm from here only (tasks-vision compiles wasm, hence
 * 'wasm-unsafe-eval'), the API and its WebSocket here, and media, pictures and uploads from the
 * S3 endpoint the presigned URLs point at.
 */
export function contentSecurityPolicy (config: Config): string {
  const s3 = config.s3.publicEndpoint ?? config.s3.endpoint
  const storage = s3 ? new URL(s3).origin : 'https://*.amazonaws.com'
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${storage}`,
    `img-src 'self' data: blob: ${storage}`,
    `media-src 'self' blob: ${storage}`,
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join('; ')
}

export default webRoutes
