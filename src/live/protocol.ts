/**
 * The live practice protocol on `GET /live` (a WebSocket), for clients that cannot run
 * MediaPipe in the page: they send camera frames, Candor's engine analyses them and answers
 * with the same per-frame records its metrics are computed from.
 *
 * 1. Client: a text message `{"type":"hello","key":"cnd_...","width":640,"height":360}` within
 *    HELLO_TIMEOUT_MS (browsers cannot set Authorization on a WebSocket). The key needs the
 *    scope analyses:write; width and height (the client's frame size, optional) are checked
 *    but only informational. No other field is accepted.
 * 2. Server: `{"type":"ready", ...LiveReady}` once the engine is loaded (the first session of a
 *    process waits for the models, a few seconds), or a close (codes below).
 * 3. Client: binary messages, each one frame: 8 bytes capture time (float64, little-endian,
 *    milliseconds on the client's clock from the session start, strictly increasing), then
 *    one baseline or progressive JPEG (at most LIVE_MAX_FRAME_BYTES, LIVE_MAX_FRAME_PIXELS).
 * 4. Server, per analysed frame: `{"type":"frame", t, face, pose?, latency_ms}` where `face` is
 *    a FaceFrame and `pose` (on the frames pose ran on, LIVE_POSE_FPS) a PoseFrame with its
 *    Float32Arrays as arrays of numbers (landmarks to 4 decimals, world to 4 decimals of a
 *    metre); latency_ms is from the frame's arrival to the reply. A refused frame gets
 *    `{"type":"error", code, message, t?}` and the session goes on. About once a second while
 *    frames come: `{"type":"stats", received, analysed, dropped, rejected}`.
 *
 * Back-pressure: one frame is analysed at a time per session and one waits; a newer frame
 * replaces the waiting one (dropped). Frames faster than LIVE_MAX_FPS are dropped on arrival.
 * Nothing else is queued.
 */
import type { FaceFrame } from '../signals/face/metrics/types.js'

/** Close codes (1000-1015 are the WebSocket standard's; 4000-4999 are Candor's). */
export const CLOSE = {
  /** Server shutting down. */
  goingAway: 1001,
  /** Server error (the engine could not start). */
  internalError: 1011,
  /** A message over the WebSocket's payload limit (sent by the ws library itself). */
  tooBig: 1009,
  /** Too many live sessions on this server or for this tenant, or live practice is off: try later. */
  tryAgainLater: 1013,
  /** Protocol violation: no or a malformed hello, a binary message before it. */
  badHello: 4000,
  /** Missing, malformed, unknown or revoked API key. */
  unauthorized: 4001,
  /** The key lacks the scope analyses:write. */
  forbidden: 4003,
  /** No hello within HELLO_TIMEOUT_MS, or no frame for LIVE_IDLE_SECONDS. */
  timeout: 4008,
  /** The client does not read the replies (more than MAX_UNSENT_BYTES waiting to be sent). */
  notReading: 4009
} as const

export const HELLO_TIMEOUT_MS = 10_000
/** Capture time header of each binary frame message. */
export const FRAME_HEADER_BYTES = 8
/** Capture times beyond a day are refused (a session is never that long). */
export const MAX_CAPTURE_MS = 86_400_000
/** Replies waiting in the socket's send buffer beyond this close the session (4009). */
export const MAX_UNSENT_BYTES = 4 * 1024 * 1024

export interface Hello { type: 'hello', key: string, width?: number, height?: number }

export interface LiveReady {
  type: 'ready'
  session: string
  /** Frames per second the server takes; faster ones are dropped. */
  max_fps: number
  /** Frames are analysed at this width at most (send this width: wider frames are scaled down). */
  width: number
  max_frame_bytes: number
  max_frame_pixels: number
  emotion_fps: number
  pose_fps: number
}

export interface PoseFrameJson {
  t: number
  pose: { landmarks: number[], world: number[], presence: number } | null
}

export interface LiveFrameReply {
  type: 'frame'
  t: number
  face: FaceFrame
  pose?: PoseFrameJson
  latency_ms: number
}

export interface LiveStats { type: 'stats', received: number, analysed: number, dropped: number, rejected: number }

export type LiveErrorCode = 'bad_message' | 'bad_frame' | 'frame_too_large' | 'not_jpeg' | 'engine_error'
export interface LiveError { type: 'error', code: LiveErrorCode, message: string, t?: number }

export type ServerMessage = LiveReady | LiveFrameReply | LiveStats | LiveError

/** Parses and checks the hello; throws an Error whose message says what is wrong. */
export function parseHello (text: string): Hello {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error('the first message must be JSON: {"type":"hello","key":"cnd_..."}')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the hello must be a JSON object')
  const hello = value as Record<string, unknown>
  if (hello.type !== 'hello') throw new Error('the first message must have type "hello"')
  const unknown = Object.keys(hello).filter((k) => !['type', 'key', 'width', 'height'].includes(k))
  if (unknown.length > 0) throw new Error(`unknown hello field ${unknown.join(', ')}`)
  if (typeof hello.key !== 'string' || hello.key.length === 0 || hello.key.length > 200) throw new Error('the hello needs key: an API key string')
  for (const side of ['width', 'height'] as const) {
    const v = hello[side]
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 16 || v > 8192)) throw new Error(`hello ${side} must be an integer from 16 to 8192`)
  }
  return hello as unknown as Hello
}

/** A close reason within the WebSocket limit of 123 UTF-8 bytes (cut at a character boundary). */
export function closeReason (text: string): string {
  if (Buffer.byteLength(text) <= 123) return text
  let cut = text.slice(0, 120)
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1)
  return `${cut}...`
}

/** A refused frame: the code and message sent back in an error message. */
export class FrameError extends Error {
  constructor (readonly code: LiveErrorCode, message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

/**
 * Splits a binary frame message into its capture time and JPEG, checking both (not the JPEG's
 * pixels: those are checked when it is decoded). `previousT` is the last accepted frame's time.
 */
export function parseFrameMessage (data: Buffer, maxFrameBytes: number, previousT: number): { t: number, jpeg: Buffer } {
  if (data.length < FRAME_HEADER_BYTES + 3) throw new FrameError('bad_frame', `a frame message is ${FRAME_HEADER_BYTES} bytes of capture time (float64 LE) then a JPEG; got ${data.length} bytes`)
  const t = data.readDoubleLE(0)
  if (!Number.isFinite(t) || t < 0 || t > MAX_CAPTURE_MS) throw new FrameError('bad_frame', `capture time must be milliseconds from 0 to ${MAX_CAPTURE_MS}, got ${t}`)
  if (t <= previousT) throw new FrameError('bad_frame', `capture times must increase: ${t} after ${previousT}`)
  const jpeg = data.subarray(FRAME_HEADER_BYTES)
  if (jpeg.length > maxFrameBytes) throw new FrameError('frame_too_large', `frame is ${jpeg.length} bytes, more than the ${maxFrameBytes} allowed (LIVE_MAX_FRAME_BYTES)`)
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) throw new FrameError('not_jpeg', 'frame is not a JPEG (it must start with FF D8 FF)')
  return { t, jpeg }
}

/** The 8-byte header and the JPEG as one message (clients in Node; the browser builds a Blob). */
export function frameMessage (t: number, jpeg: Uint8Array): Buffer {
  const message = Buffer.allocUnsafe(FRAME_HEADER_BYTES + jpeg.length)
  message.writeDoubleLE(t, 0)
  message.set(jpeg, FRAME_HEADER_BYTES)
  return message
}
