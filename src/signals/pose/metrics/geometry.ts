/**
 * Per-frame geometry shared by the pose metrics: which parts of the body are seen, image points
 * with x scaled to the frame's aspect (so both axes are fractions of the frame's height), world
 * points in metres, and a few statistics helpers. Pure functions.
 *
 * A landmark is *seen* when its visibility is at least POSE_THRESHOLDS.visibility.landmark and
 * its image position lies inside the frame: the model also estimates parts outside the frame
 * (hips below a head-and-shoulders framing), and those estimates are never used as seen.
 */
import { POSE_LANDMARKS, type PoseFrame, type PoseLandmarkName } from '../types.js'
import { POSE_THRESHOLDS } from '../thresholds.js'

export const LANDMARK = Object.fromEntries(POSE_LANDMARKS.map((name, i) => [name, i])) as Record<PoseLandmarkName, number>

export interface Point { x: number, y: number }
export interface Point3 { x: number, y: number, z: number }
export type Side = 'left' | 'right'
export const SIDES: readonly Side[] = ['left', 'right']

/** One frame with a body (presence above the threshold), ready to measure. */
export class BodyFrame {
  /** Both shoulders seen. */
  readonly shoulders: boolean
  /** Both hips seen. */
  readonly hips: boolean
  /** Both elbows seen. */
  readonly elbows: boolean
  /** Both knees seen. */
  readonly knees: boolean

  constructor (readonly t: number, private readonly landmarks: Float32Array, private readonly worldPoints: Float32Array, private readonly aspect: number) {
    this.shoulders = this.seen(LANDMARK.left_shoulder) && this.seen(LANDMARK.right_shoulder)
    this.hips = this.seen(LANDMARK.left_hip) && this.seen(LANDMARK.right_hip)
    this.elbows = this.seen(LANDMARK.left_elbow) && this.seen(LANDMARK.right_elbow)
    this.knees = this.seen(LANDMARK.left_knee) && this.seen(LANDMARK.right_knee)
  }

  /** Inside the frame with at least `minVisibility` (seen uses POSE_THRESHOLDS.visibility.landmark). */
  visible (index: number, minVisibility: number): boolean {
    const x = this.landmarks[index * 4]!
    const y = this.landmarks[index * 4 + 1]!
    return this.landmarks[index * 4 + 3]! >= minVisibility && x >= 0 && x <= 1 && y >= 0 && y <= 1
  }

  seen (index: number): boolean {
    return this.visible(index, POSE_THRESHOLDS.visibility.landmark)
  }

  /** Image position (x scaled by the aspect ratio, y), fractions of the frame's height. */
  point (index: number): Point {
    return { x: this.landmarks[index * 4]! * this.aspect, y: this.landmarks[index * 4 + 1]! }
  }

  /** World position in metres (origin between the hips, y down, z away from the camera). */
  world (index: number): Point3 {
    return { x: this.worldPoints[index * 3]!, y: this.worldPoints[index * 3 + 1]!, z: this.worldPoints[index * 3 + 2]! }
  }
}

export function bodyFrame (frame: PoseFrame, aspect: number): BodyFrame | null {
  const pose = frame.pose
  if (!pose || !(pose.presence >= POSE_THRESHOLDS.visibility.presence)) return null
  return new BodyFrame(frame.t, pose.landmarks, pose.world, aspect)
}

export const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 })
export const mid3 = (a: Point3, b: Point3): Point3 => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, z: (a.z + b.z) / 2 })
export const distance = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y)
export const degrees = (radians: number) => radians * 180 / Math.PI

export function shoulderMid (b: BodyFrame): Point {
  return mid(b.point(LANDMARK.left_shoulder), b.point(LANDMARK.right_shoulder))
}

export function hipMid (b: BodyFrame): Point {
  return mid(b.point(LANDMARK.left_hip), b.point(LANDMARK.right_hip))
}

export function shoulderWidth (b: BodyFrame): number {
  return distance(b.point(LANDMARK.left_shoulder), b.point(LANDMARK.right_shoulder))
}

export function median (values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const m = sorted.length >> 1
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2
}

/** The p-th quantile (0..1) by linear interpolation; 0 for no values. */
export function quantile (values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const at = p * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo)
}

/** Median spacing of frame times (ms); 100 (the engine's ~10/s) for fewer than two frames. */
export function frameSpacingMs (frames: readonly { t: number }[]): number {
  const gaps: number[] = []
  for (let i = 1; i < frames.length; i++) {
    const gap = frames[i]!.t - frames[i - 1]!.t
    if (gap > 0) gaps.push(gap)
  }
  return gaps.length ? median(gaps) : 100
}

export interface Span { startMs: number, endMs: number }

/**
 * Runs of frames where `on` holds, as time spans: a frame covers [t, t + frameMs); gaps of up to
 * `bridgeMs` between on-frames (off or missing frames) join two runs; runs shorter than `minMs`
 * are dropped. A frame where `on` does not hold (or is not measured) ends a run once the gap
 * since the run's last frame exceeds `bridgeMs`.
 */
export function runs<T extends { t: number }> (
  frames: readonly T[], on: (frame: T, index: number) => boolean, frameMs: number, minMs: number, bridgeMs: number
): Array<Span & { first: number, last: number }> {
  const out: Array<Span & { first: number, last: number }> = []
  let open: { first: number, last: number } | null = null
  const close = () => {
    if (!open) return
    const startMs = frames[open.first]!.t
    const endMs = frames[open.last]!.t + frameMs
    if (endMs - startMs >= minMs) out.push({ startMs, endMs, first: open.first, last: open.last })
    open = null
  }
  frames.forEach((frame, i) => {
    const state = on(frame, i)
    if (state) {
      if (open && frame.t - (frames[open.last]!.t + frameMs) > bridgeMs) close()
      if (open) open.last = i
      else open = { first: i, last: i }
    } else if (open && frame.t - (frames[open.last]!.t + frameMs) > bridgeMs) {
      close()
    }
  })
  close()
  return out
}

/** Total length of spans after merging overlaps. */
export function unionMs (spans: readonly Span[]): number {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs)
  let total = 0
  let end = -Infinity
  for (const s of sorted) {
    const start = Math.max(s.startMs, end)
    if (s.endMs > start) total += s.endMs - start
    end = Math.max(end, s.endMs)
  }
  return total
}
