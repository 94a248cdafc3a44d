/**
 * Where live signals come from. The page's own MediaPipe (tasks-vision, in-page) and the
 * server path (frames over a WebSocket to Candor's engine) both deliver the same per-frame
 * records the server's metrics are computed from (FaceFrame, PoseFrame), so the live cues are
 * the same pure metric functions over either.
 */
import type { FaceFrame } from '../../../src/signals/face/metrics/types.js'
import type { PoseFrame } from '../../../src/signals/pose/types.js'

export interface LiveFrame {
  /** Milliseconds since the live session started (the same clock for face and pose). */
  t: number
  face: FaceFrame
  /** Present when the source tracks the body too. */
  pose?: PoseFrame
}

export interface LiveSourceStats {
  /** Frames analysed per second over the last few seconds. */
  fps: number
  /** Frames skipped because analysis could not keep up (never queued). */
  dropped: number
  /** Median milliseconds from capture to signals. */
  latencyMs: number
}

export interface LiveSource {
  readonly kind: 'page' | 'server'
  /** Starts analysing the camera shown in `video`; resolves once the first model is ready. */
  start (video: HTMLVideoElement): Promise<void>
  /** Each analysed frame, in order. Returns an unsubscribe function. */
  onFrame (listener: (frame: LiveFrame) => void): () => void
  stats (): LiveSourceStats
  stop (): void
}
