/**
 * Live practice sessions on the server (protocol.ts): admission (caps per process and per
 * tenant), each session's back-pressure and schedule, and the shared engine pool, started on
 * the first session and kept for the process's life.
 *
 * A session holds at most one frame being analysed and one waiting (compressed, at most
 * LIVE_MAX_FRAME_BYTES); a newer frame replaces the waiting one, which counts as dropped, and
 * frames arriving faster than LIVE_MAX_FPS are dropped on arrival. So whatever a client sends,
 * a session holds a bounded amount of memory, and the engine works on the newest frame.
 */
import crypto from 'node:crypto'
import os from 'node:os'
import type { WebSocket } from 'ws'
import type { FaceFrame } from '../signals/face/metrics/types.js'
import type { PoseSignals } from '../signals/pose/types.js'
import { round } from '../numbers.js'
import { LiveEnginePool, type PoolSlot } from './pool.js'
import { decodeJpeg } from './decode.js'
import { CLOSE, FrameError, MAX_UNSENT_BYTES, closeReason, parseFrameMessage, type LiveErrorCode, type PoseFrameJson, type ServerMessage } from './protocol.js'

export interface LiveSettings {
  /** Live sessions one process runs at once; 0 turns live practice off. */
  maxSessions: number
  maxSessionsPerTenant: number
  /** Engine worker threads (0: one per core). */
  workers: number
  maxFps: number
  maxFrameBytes: number
  maxFramePixels: number
  idleSeconds: number
  emotionFps: number
  poseFps: number
  /** Frames are analysed at this width at most (ANALYSIS_WIDTH). */
  analysisWidth: number
  modelsDir: string
  emotionModel: string
}

/** How often a session reports its counts while frames come. */
const STATS_EVERY_MS = 1000
/** Other faces are counted this often while the speaker is tracked (as the video engine does). */
const COUNT_FACES_EVERY_MS = 1000
/** Frames may arrive in bursts this long (network jitter) without being dropped by the rate limit. */
const BURST_FRAMES = 2

export type Admission = { session: LiveSession } | { refused: { code: number, reason: string } }

export class LiveService {
  private readonly sessions = new Set<LiveSession>()
  private readonly perTenant = new Map<string, number>()
  private pool: Promise<LiveEnginePool> | null = null
  private closed = false

  constructor (readonly settings: LiveSettings, private readonly log: { warn: (obj: object, msg: string) => void } = { warn: () => {} }) {}

  get activeSessions (): number {
    return this.sessions.size
  }

  /** Why a new session (of this tenant, when known) would be refused now, or null. */
  refusal (tenantId?: string): { code: number, reason: string } | null {
    const { maxSessions, maxSessionsPerTenant } = this.settings
    if (this.closed) return { code: CLOSE.goingAway, reason: 'server shutting down' }
    if (maxSessions === 0) return { code: CLOSE.tryAgainLater, reason: 'live analysis is off on this server (LIVE_MAX_SESSIONS=0)' }
    if (this.sessions.size >= maxSessions) return { code: CLOSE.tryAgainLater, reason: `server busy: all ${maxSessions} live sessions in use; try again later` }
    const tenantCount = tenantId === undefined ? 0 : this.perTenant.get(tenantId) ?? 0
    if (tenantCount >= maxSessionsPerTenant) return { code: CLOSE.tryAgainLater, reason: `this tenant already has ${tenantCount} live sessions (the most allowed); close one first` }
    return null
  }

  /** A session for this tenant on this socket, or why not (close code and reason). */
  admit (tenantId: string, socket: WebSocket): Admission {
    const refused = this.refusal(tenantId)
    if (refused) return { refused }
    const tenantCount = this.perTenant.get(tenantId) ?? 0
    const session = new LiveSession(this, tenantId, socket, this.enginePool())
    this.sessions.add(session)
    this.perTenant.set(tenantId, tenantCount + 1)
    return { session }
  }

  /** Called once by a session when it ends. */
  release (session: LiveSession): void {
    if (!this.sessions.delete(session)) return
    const left = (this.perTenant.get(session.tenantId) ?? 1) - 1
    if (left > 0) this.perTenant.set(session.tenantId, left)
    else this.perTenant.delete(session.tenantId)
  }

  /** The pool, started on first use; a failed start is retried by the next session. */
  enginePool (): Promise<LiveEnginePool> {
    // Never a new pool once closing: a session ending after close() would otherwise start one.
    if (this.closed) return Promise.reject(new Error('the live service is closed'))
    if (!this.pool) {
      const size = this.settings.workers > 0 ? this.settings.workers : Math.max(1, os.availableParallelism())
      const starting = LiveEnginePool.start({ modelsDir: this.settings.modelsDir, emotionModel: this.settings.emotionModel }, size)
      this.pool = starting
      starting.catch((error: unknown) => {
        this.log.warn({ err: error }, 'live engine pool failed to start')
        if (this.pool === starting) this.pool = null
      })
    }
    return this.pool
  }

  /** Ends every session (1001) and stops the pool's threads. */
  async close (): Promise<void> {
    this.closed = true
    for (const session of [...this.sessions]) session.end(CLOSE.goingAway, 'server shutting down')
    const pool = this.pool
    this.pool = null
    if (pool) await pool.then((p) => p.close(), () => {})
  }
}

interface Waiting { t: number, jpeg: Buffer, receivedAt: number }

export class LiveSession {
  readonly id = crypto.randomUUID()
  readonly counts = { received: 0, analysed: 0, dropped: 0, rejected: 0 }
  private slot: Promise<PoolSlot>
  private busy = false
  private waiting: Waiting | null = null
  private lastT = -1
  private tokens = BURST_FRAMES
  private tokensAt = performance.now()
  private nextEmotionMs = 0
  private nextPoseMs = 0
  private nextCountMs = 0
  private otherFaces = 0
  private ended = false
  private statsSent = '0/0/0/0'
  private lastFrameAt = performance.now()
  private readonly timers: NodeJS.Timeout[] = []

  constructor (private readonly service: LiveService, readonly tenantId: string, private readonly socket: WebSocket, pool: Promise<LiveEnginePool>) {
    this.slot = pool.then((p) => p.open(this.id))
    this.slot.catch(() => {}) // reported by ready()
    const { idleSeconds } = service.settings
    this.timers.push(setInterval(() => this.sendStats(), STATS_EVERY_MS))
    this.timers.push(setInterval(() => {
      if (performance.now() - this.lastFrameAt > idleSeconds * 1000) this.end(CLOSE.timeout, `idle: no frame for ${idleSeconds} s`)
    }, Math.min(1000, idleSeconds * 250)))
    for (const timer of this.timers) timer.unref()
  }

  /** Resolves once the engine is ready for this session; ends the session (1011) if it cannot start. */
  async ready (): Promise<boolean> {
    try {
      await this.slot
      this.lastFrameAt = performance.now() // idle time counts from here, not through the models' loading
      return !this.ended
    } catch (error) {
      this.end(CLOSE.internalError, `live analysis unavailable: ${(error as Error).message}`)
      return false
    }
  }

  /** One binary message from the client. */
  frame (data: Buffer): void {
    if (this.ended) return
    this.counts.received++
    this.lastFrameAt = performance.now()
    let parsed: { t: number, jpeg: Buffer }
    try {
      parsed = parseFrameMessage(data, this.service.settings.maxFrameBytes, this.lastT)
    } catch (error) {
      this.reject(error)
      return
    }
    this.lastT = parsed.t
    // Token bucket on arrival: LIVE_MAX_FPS on average, short bursts allowed.
    const { maxFps } = this.service.settings
    const now = performance.now()
    this.tokens = Math.min(BURST_FRAMES, this.tokens + (now - this.tokensAt) * maxFps / 1000)
    this.tokensAt = now
    if (this.tokens < 1) {
      this.counts.dropped++
      return
    }
    this.tokens--
    if (this.waiting) this.counts.dropped++
    // A copy: the message's buffer may be a slice of a larger one ws keeps.
    this.waiting = { t: parsed.t, jpeg: Buffer.from(parsed.jpeg), receivedAt: now }
    void this.pump()
  }

  /** A text message after the hello: none is defined. */
  text (): void {
    this.counts.rejected++
    this.send({ type: 'error', code: 'bad_message', message: 'after the hello only binary frame messages are accepted' })
  }

  private reject (error: unknown, t?: number): void {
    this.counts.rejected++
    const code: LiveErrorCode = error instanceof FrameError ? error.code : 'engine_error'
    const message = error instanceof FrameError ? error.message : `frame could not be analysed: ${(error as Error).message}`
    this.send({ type: 'error', code, message, ...(t !== undefined ? { t } : {}) })
  }

  private async pump (): Promise<void> {
    if (this.busy || !this.waiting || this.ended) return
    this.busy = true
    const next = this.waiting
    this.waiting = null
    try {
      await this.analyse(next)
    } finally {
      this.busy = false
    }
    void this.pump()
  }

  private async analyse ({ t, jpeg, receivedAt }: Waiting): Promise<void> {
    const { settings } = this.service
    let slot: PoolSlot
    let pool: LiveEnginePool
    try {
      [slot, pool] = await Promise.all([this.slot, this.service.enginePool()])
    } catch {
      return // ready() ends the session
    }
    if (this.ended) return
    const index = this.counts.analysed
    let frame
    try {
      frame = await decodeJpeg(jpeg, { maxWidth: settings.analysisWidth, maxPixels: settings.maxFramePixels, timeMs: t, index })
    } catch (error) {
      this.reject(error, t)
      return
    }
    // Ended while decoding (the service may be closing its pool): nothing more for the engine.
    if (this.ended) return
    // The video engine's schedules (face/stage.ts, pose/stage.ts) on the client's capture clock.
    const emotion = settings.emotionFps > 0 && t >= this.nextEmotionMs
    while (settings.emotionFps > 0 && this.nextEmotionMs <= t) this.nextEmotionMs += 1000 / settings.emotionFps
    const pose = settings.poseFps > 0 && t >= this.nextPoseMs
    while (settings.poseFps > 0 && this.nextPoseMs <= t) this.nextPoseMs += 1000 / settings.poseFps
    const countFaces = t >= this.nextCountMs
    if (countFaces) this.nextCountMs = t + COUNT_FACES_EVERY_MS
    let reply
    try {
      reply = await pool.analyse(slot, { session: this.id, frame, emotion, countFaces, pose })
    } catch (error) {
      this.reject(error, t)
      return
    }
    if (this.ended) return
    this.counts.analysed++
    if (reply.otherFaces !== null) this.otherFaces = reply.otherFaces
    const face: FaceFrame = { t, face: reply.face, otherFaces: this.otherFaces, ...(reply.emotion ? { emotion: reply.emotion } : {}) }
    this.send({
      type: 'frame',
      t,
      face,
      ...(reply.pose !== undefined ? { pose: poseJson(t, reply.pose) } : {}),
      latency_ms: Math.round(performance.now() - receivedAt)
    })
  }

  private sendStats (): void {
    const { received, analysed, dropped, rejected } = this.counts
    const key = `${received}/${analysed}/${dropped}/${rejected}`
    if (key === this.statsSent) return
    this.statsSent = key
    this.send({ type: 'stats', received, analysed, dropped, rejected })
  }

  send (message: ServerMessage): void {
    if (this.ended || this.socket.readyState !== this.socket.OPEN) return
    if (this.socket.bufferedAmount > MAX_UNSENT_BYTES) {
      this.end(CLOSE.notReading, 'the client does not read the replies')
      return
    }
    this.socket.send(JSON.stringify(message))
  }

  /** Ends the session (idempotent): frees its slot and its worker's trackers, closes the socket. */
  end (code?: number, reason?: string): void {
    if (this.ended) return
    if (code !== undefined && code !== CLOSE.notReading) {
      this.sendStats() // the final counts
      if (this.ended) return // sending found the client not reading and ended the session
    }
    this.ended = true
    this.waiting = null
    for (const timer of this.timers) clearInterval(timer)
    if (code !== undefined && this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason === undefined ? undefined : closeReason(reason))
    this.service.release(this)
    this.slot.then((slot) => this.service.enginePool().then((pool) => pool.release(slot, this.id))).catch(() => {})
  }
}

function poseJson (t: number, pose: PoseSignals | null): PoseFrameJson {
  if (!pose) return { t, pose: null }
  return {
    t,
    pose: {
      landmarks: Array.from(pose.landmarks, (v) => round(v, 4)),
      world: Array.from(pose.world, (v) => round(v, 4)),
      presence: round(pose.presence, 4)
    }
  }
}
