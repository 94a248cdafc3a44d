/**
 * A live-session client for the tests and `npm run bench:live` (Node has no WebSocket client
 * of its own before 22: the `ws` package, which @fastify/websocket brings), and fixture frames
 * as JPEG.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import WebSocket from 'ws'
import { frameMessage, type ServerMessage } from '../../src/live/protocol.js'

export interface Closed { code: number, reason: string }

export class LiveClient {
  readonly messages: ServerMessage[] = []
  readonly closed: Promise<Closed>
  private waiters: Array<() => void> = []

  private constructor (readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the server sent a binary message')
      this.messages.push(JSON.parse(data.toString()) as ServerMessage)
      this.wake()
    })
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() })
      this.wake()
    }))
    socket.on('error', () => {})
  }

  /** Opens a socket to `${origin}/live` (http -> ws) and waits until it is open. */
  static async connect (origin: string): Promise<LiveClient> {
    const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/live`)
    const client = new LiveClient(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return client
  }

  /** Connects and says hello; resolves with the client once ready, or with how the server closed. */
  static async start (origin: string, key: string, extra: Record<string, unknown> = {}): Promise<LiveClient | Closed> {
    const client = await LiveClient.connect(origin)
    client.socket.send(JSON.stringify({ type: 'hello', key, ...extra }))
    const first = await Promise.race([client.next('ready'), client.closed])
    return 'code' in first ? first : client
  }

  private wake (): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** The next message of this type not yet taken (messages before it of that type are skipped). */
  async next<T extends ServerMessage['type']> (type: T, timeoutMs = 60_000): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = this.messages.findIndex((m) => m.type === type)
      if (index >= 0) return this.messages.splice(index, 1)[0] as Extract<ServerMessage, { type: T }>
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed (${JSON.stringify(await this.closed)}) while waiting for ${type}`)
      if (Date.now() > deadline) throw new Error(`no ${type} message within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  /** Waits until a stats message satisfies `done`. */
  async statsUntil (done: (s: Extract<ServerMessage, { type: 'stats' }>) => boolean, timeoutMs = 60_000): Promise<Extract<ServerMessage, { type: 'stats' }>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const stats = await this.next('stats', Math.max(1, deadline - Date.now()))
      if (done(stats)) return stats
    }
  }

  sendFrame (t: number, jpeg: Uint8Array): void {
    this.socket.send(frameMessage(t, jpeg))
  }

  async close (): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'done')
    return await this.closed
  }
}

/**
 * Frames of a video as JPEG files' bytes (ffmpeg's mjpeg, quality 3 of 2-31: about what a
 * browser's canvas.toBlob('image/jpeg', 0.8) gives), `fps` a second from `startS`, `width` wide.
 */
export function videoJpegs (file: string, options: { startS: number, count: number, fps: number, width: number }): Buffer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-live-'))
  try {
    const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', String(options.startS), '-i', file,
      '-vf', `fps=${options.fps},scale=${options.width}:-2`, '-frames:v', String(options.count), '-q:v', '3', path.join(dir, 'f%04d.jpg')])
    if (made.status !== 0) throw new Error(`ffmpeg failed: ${String(made.stderr)}`)
    return fs.readdirSync(dir).sort().map((name) => fs.readFileSync(path.join(dir, name)))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
