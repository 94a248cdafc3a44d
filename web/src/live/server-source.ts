/**
 * Live signals from Candor's own engine, for browsers that cannot run MediaPipe in the page:
 * the camera is drawn into a canvas at the engine's width, encoded as JPEG and sent over a
 * WebSocket to GET /live (protocol: src/live/protocol.ts); the server answers each analysed
 * frame with the same FaceFrame and PoseFrame records the page source produces.
 *
 * At most MAX_IN_FLIGHT frames are on their way (being encoded, sent or analysed); a tick of
 * the capture clock while that many are out is skipped and counted as dropped, so a slow
 * network or a busy server lowers the rate instead of building a queue.
 */
import type { FaceFrame } from '../../../src/signals/face/metrics/types.js'
import type { PoseFrame } from '../../../src/signals/pose/types.js'
import type { LiveFrameReply, LiveReady, ServerMessage } from '../../../src/live/protocol.js'
import { apiKey } from '../session.js'
import type { LiveFrame, LiveSource, LiveSourceStats } from './source.js'

/** Frames per second asked of the server (it says its own limit in its ready message). */
export const SERVER_FPS = 20
const MAX_IN_FLIGHT = 2
const JPEG_QUALITY = 0.8
const STATS_WINDOW_MS = 3000
/** A frame with no answer after this long is counted as dropped (the server dropped it). */
const LOST_AFTER_MS = 3000

export interface ServerSource extends LiveSource {
  readonly kind: 'server'
  /** Called once when the session ends other than by stop(): the server's reason. */
  onEnd (listener: (reason: string) => void): () => void
  /** The server's last complaint about a frame (e.g. too large), or null. */
  lastError (): string | null
}

export function createServerSource (): ServerSource {
  const listeners = new Set<(frame: LiveFrame) => void>()
  const endListeners = new Set<(reason: string) => void>()
  const pending = new Map<number, number>() // capture time -> sent at (performance.now())
  const analysedAt: number[] = []
  const latencies: number[] = []
  let socket: WebSocket | null = null
  let video: HTMLVideoElement | null = null
  let canvas: HTMLCanvasElement | null = null
  let ready: LiveReady | null = null
  let timer: ReturnType<typeof setInterval> | null = null
  let startedAt = 0
  let lastT = -1
  let encoding = 0
  let droppedHere = 0
  let droppedThere = 0
  let stopped = false
  let lastError: string | null = null

  const inFlight = () => encoding + pending.size

  const forgetBefore = (t: number) => {
    // The server analyses a session's frames in order: no answer for an earlier one means it was dropped.
    for (const sent of [...pending.keys()]) {
      if (sent < t) {
        pending.delete(sent)
        droppedHere++
      }
    }
  }

  const capture = () => {
    if (!socket || socket.readyState !== WebSocket.OPEN || !video || !ready || !canvas) return
    const now = performance.now()
    for (const [t, sentAt] of pending) if (now - sentAt > LOST_AFTER_MS) { pending.delete(t); droppedHere++ }
    if (video.videoWidth === 0 || video.videoHeight === 0) return
    if (inFlight() >= MAX_IN_FLIGHT) {
      droppedHere++
      return
    }
    const width = Math.min(ready.width, video.videoWidth)
    const height = Math.max(2, Math.round(video.videoHeight * width / video.videoWidth))
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width
      canvas.height = height
    }
    const context = canvas.getContext('2d')
    if (!context) return
    context.drawImage(video, 0, 0, width, height)
    const t = Math.max(lastT + 1, Math.round(now - startedAt))
    lastT = t
    encoding++
    canvas.toBlob((jpeg) => {
      encoding--
      if (!jpeg || !socket || socket.readyState !== WebSocket.OPEN) return
      if (jpeg.size > ready!.max_frame_bytes) {
        droppedHere++
        return
      }
      const header = new ArrayBuffer(8)
      new DataView(header).setFloat64(0, t, true)
      pending.set(t, performance.now())
      socket.send(new Blob([header, jpeg]))
    }, 'image/jpeg', JPEG_QUALITY)
  }

  const received = (reply: LiveFrameReply) => {
    const sentAt = pending.get(reply.t)
    forgetBefore(reply.t)
    pending.delete(reply.t)
    const done = performance.now()
    if (sentAt !== undefined) {
      latencies.push(done - sentAt)
      if (latencies.length > 60) latencies.shift()
    }
    analysedAt.push(done)
    while (analysedAt.length > 0 && analysedAt[0]! < done - STATS_WINDOW_MS) analysedAt.shift()
    const face: FaceFrame = reply.face
    const frame: LiveFrame = { t: reply.t, face }
    if (reply.pose) {
      const body = reply.pose.pose
      const pose: PoseFrame = {
        t: reply.pose.t,
        pose: body ? { landmarks: Float32Array.from(body.landmarks), world: Float32Array.from(body.world), presence: body.presence } : null
      }
      frame.pose = pose
    }
    for (const listener of [...listeners]) listener(frame)
  }

  const end = (reason: string) => {
    if (stopped) return
    stop()
    for (const listener of [...endListeners]) listener(reason)
  }

  const stop = () => {
    stopped = true
    if (timer !== null) clearInterval(timer)
    timer = null
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'stopped')
    socket = null
    pending.clear()
  }

  return {
    kind: 'server',

    start (element) {
      const key = apiKey.get()
      if (!key) return Promise.reject(new Error('sign in first: live analysis on the server needs your API key'))
      video = element
      canvas = document.createElement('canvas')
      stopped = false
      return new Promise<void>((resolve, reject) => {
        const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`
        const ws = new WebSocket(url)
        socket = ws
        let started = false
        ws.onopen = () => {
          const hello: Record<string, unknown> = { type: 'hello', key }
          if (element.videoWidth >= 16 && element.videoHeight >= 16) Object.assign(hello, { width: element.videoWidth, height: element.videoHeight })
          ws.send(JSON.stringify(hello))
        }
        ws.onmessage = (event: MessageEvent) => {
          if (typeof event.data !== 'string') return
          let message: ServerMessage
          try {
            message = JSON.parse(event.data) as ServerMessage
          } catch {
            return
          }
          if (message.type === 'ready') {
            ready = message
            started = true
            startedAt = performance.now()
            timer = setInterval(capture, 1000 / Math.min(SERVER_FPS, message.max_fps))
            resolve()
          } else if (message.type === 'frame') {
            received(message)
          } else if (message.type === 'stats') {
            droppedThere = message.dropped
          } else if (message.type === 'error') {
            if (message.t !== undefined && pending.delete(message.t)) droppedHere++
            lastError = message.message
          }
        }
        ws.onclose = (event: CloseEvent) => {
          const reason = event.reason || `connection closed (${event.code})`
          if (!started) {
            stopped = true
            socket = null
            reject(new Error(reason))
          } else {
            end(reason)
          }
        }
      })
    },

    onFrame (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },

    onEnd (listener) {
      endListeners.add(listener)
      return () => { endListeners.delete(listener) }
    },

    lastError: () => lastError,

    stats (): LiveSourceStats {
      const now = performance.now()
      const recent = analysedAt.filter((at) => at >= now - STATS_WINDOW_MS)
      const span = Math.min(STATS_WINDOW_MS, now - startedAt)
      const sorted = [...latencies].sort((a, b) => a - b)
      return {
        fps: span > 0 ? Math.round(recent.length / (span / 1000) * 10) / 10 : 0,
        dropped: droppedHere + droppedThere,
        latencyMs: sorted.length > 0 ? Math.round(sorted[Math.floor(sorted.length / 2)]!) : 0
      }
    },

    stop () {
      stop()
    }
  }
}
