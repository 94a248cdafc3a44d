/**
 * The only origin the reference page may talk to: an HTTP server on 127.0.0.1 serving the page,
 * the tasks-vision bundle and its wasm files, one model file, and frames queued by id. Nothing
 * else is served, so a request for anything unexpected shows up as a 404 in the page.
 */
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
// The package's own folder wherever npm placed it; its `exports` hide package.json, not the entry.
const tasksVision = path.dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-vision'))

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  // Without this exact type Chromium refuses streaming compilation and the loader logs an error.
  '.wasm': 'application/wasm'
}

export interface ReferenceServer {
  origin: string
  /** Makes the bytes fetchable once at `${origin}/frames/<id>`; returns the id. */
  addFrame (data: Uint8Array): string
  /** Forgets frames that were queued but never fetched. */
  dropFrame (id: string): void
  close (): Promise<void>
}

/**
 * `extra` adds or replaces served files (URL path -> file), e.g. the pose reference's own page
 * (which serves a pose bundle as the model). `/page-common.js` holds what the pages share.
 */
export async function startReferenceServer (modelPath: string | null, extra: ReadonlyMap<string, string> = new Map()): Promise<ReferenceServer> {
  if (modelPath) await fs.access(modelPath).catch(() => { throw new Error(`MediaPipe model not found: ${modelPath} (run npm run models)`) })
  const files = new Map<string, string>([
    ['/', path.join(here, 'page.html')],
    ['/page.js', path.join(here, 'page.js')],
    ['/page-common.js', path.join(here, 'page-common.js')],
    ['/tasks-vision/vision_bundle.mjs', path.join(tasksVision, 'vision_bundle.mjs')],
    ...(modelPath ? [['/model.task', modelPath] as [string, string]] : []),
    ...extra
  ])
  for (const name of await fs.readdir(path.join(tasksVision, 'wasm'))) {
    files.set(`/tasks-vision/wasm/${name}`, path.join(tasksVision, 'wasm', name))
  }
  const frames = new Map<string, Uint8Array>()
  let nextFrame = 0

  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const frame = pathname.startsWith('/frames/') ? frames.get(pathname.slice('/frames/'.length)) : undefined
    if (frame && request.method === 'GET') {
      frames.delete(pathname.slice('/frames/'.length))
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': frame.byteLength, 'cache-control': 'no-store' })
      response.end(frame)
      return
    }
    const file = files.get(pathname)
    if (!file || request.method !== 'GET') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not served')
      return
    }
    const stream = createReadStream(file)
    stream.once('open', () => {
      response.writeHead(200, { 'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream' })
      stream.pipe(response)
    })
    stream.once('error', (error) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
      response.end(String(error))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    addFrame (data) {
      const id = String(nextFrame++)
      frames.set(id, data)
      return id
    },
    dropFrame (id) {
      frames.delete(id)
    },
    close () {
      frames.clear()
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    }
  }
}
