/**
 * Posture, frame by frame, then summarised over the frames where each part can be measured.
 *
 *   shoulder tilt   the shoulder line's angle from horizontal in the image (aspect-corrected);
 *                   needs both shoulders seen. Tilted above shoulderTiltDeg (6).
 *   facing          the shoulder line's rotation out of the image plane, from the world
 *                   landmarks: atan2(depth difference, left-right difference) of the shoulders;
 *                   0 is square to the camera. Turned away above facingYawDeg (25); needs shoulders.
 *   head forward    the ear-shoulder line's forward tilt from vertical seen from the side (world
 *                   y-z plane: ear midpoint over shoulder midpoint, positive with the ears nearer
 *                   the camera); needs shoulders and an ear seen. Forward above headForwardDeg (20).
 *   forward lean    the same for the hip-shoulder line (positive leaning towards the camera);
 *                   needs shoulders and hips seen.
 *   slouch          the head bent forward of the torso's line: head forward - forward lean, i.e.
 *                   the angle at the shoulders between the hip-shoulder and shoulder-ear lines
 *                   (ear-shoulder-hip geometry). Leaning in with a straight back is not a slouch;
 *                   the difference also cancels a camera tilted up or down. Slouched above
 *                   slouchBendDeg (20); a slouch on the timeline lasts minSlouchMs (3 s) or more
 *                   (gaps up to bridgeMs joined). Needs shoulders, hips and an ear seen.
 *   side lean       the hip-shoulder line's angle from vertical in the image; needs shoulders
 *                   and hips seen. Leaning above sideLeanDeg (8).
 * Angles are reported as the median over the measured frames (absolute for tilt, facing and side
 * lean; signed for head forward, forward lean and slouch), shares as the fraction of measured
 * frames past the threshold. A part measured over less than minMeasuredMs (2 s) is null: the
 * hips-based parts are null for a head-and-shoulders framing, never guessed from the model's
 * estimates outside the frame.
 */
import { POSE_THRESHOLDS } from '../thresholds.js'
import { LANDMARK, degrees, median, mid3, runs, type BodyFrame, type Point3, type Span } from './geometry.js'
import type { PoseSeries } from './visibility.js'

export interface Slouch extends Span {
  /** Mean slouch angle over the slouch, degrees. */
  meanBendDeg: number
  /** Time of the deepest slouch (largest angle; the timeline's key frame). */
  deepestMs: number
}

export interface PostureMetrics {
  /** Seconds with both shoulders seen. */
  shouldersMeasuredS: number
  /** Seconds with shoulders and hips seen. */
  torsoMeasuredS: number
  shoulderTiltDeg: number | null
  tiltedRatio: number | null
  facingYawDeg: number | null
  /** Share of the measured time the shoulders faced the camera (within facingYawDeg). */
  facingRatio: number | null
  headForwardDeg: number | null
  headForwardRatio: number | null
  forwardLeanDeg: number | null
  sideLeanDeg: number | null
  sideLeanRatio: number | null
  slouchBendDeg: number | null
  slouchRatio: number | null
  slouches: Slouch[]
}

/** Forward tilt from vertical (degrees) of a vector going up, in the world y-z plane. */
function forwardTilt (from: Point3, to: Point3): number {
  return degrees(Math.atan2(-(to.z - from.z), -(to.y - from.y)))
}

export interface PostureFrame {
  tilt: number | null
  yaw: number | null
  headForward: number | null
  forwardLean: number | null
  sideLean: number | null
  bend: number | null
}

export function postureFrame (b: BodyFrame | null): PostureFrame {
  const none: PostureFrame = { tilt: null, yaw: null, headForward: null, forwardLean: null, sideLean: null, bend: null }
  if (!b?.shoulders) return none
  const ls = b.point(LANDMARK.left_shoulder)
  const rs = b.point(LANDMARK.right_shoulder)
  let tilt = Math.abs(degrees(Math.atan2(ls.y - rs.y, ls.x - rs.x)))
  if (tilt > 90) tilt = 180 - tilt
  const lw = b.world(LANDMARK.left_shoulder)
  const rw = b.world(LANDMARK.right_shoulder)
  const yaw = Math.abs(degrees(Math.atan2(lw.z - rw.z, lw.x - rw.x)))
  const shoulders = mid3(lw, rw)
  const ears = [LANDMARK.left_ear, LANDMARK.right_ear].filter((i) => b.seen(i))
  const ear = ears.length ? mid3(b.world(LANDMARK.left_ear), b.world(LANDMARK.right_ear)) : null
  const headForward = ear ? forwardTilt(shoulders, ear) : null
  if (!b.hips) return { ...none, tilt, yaw, headForward }
  const hips = mid3(b.world(LANDMARK.left_hip), b.world(LANDMARK.right_hip))
  const forwardLean = forwardTilt(hips, shoulders)
  const li = b.point(LANDMARK.left_hip)
  const ri = b.point(LANDMARK.right_hip)
  const sideLean = Math.abs(degrees(Math.atan2((ls.x + rs.x - li.x - ri.x) / 2, (li.y + ri.y - ls.y - rs.y) / 2)))
  return { tilt, yaw, headForward, forwardLean, sideLean, bend: headForward === null ? null : headForward - forwardLean }
}

export function summarizePosture (series: PoseSeries): PostureMetrics {
  const t = POSE_THRESHOLDS.posture
  const frameMs = series.frameMs
  const perFrame = series.bodies.map(postureFrame)
  const enough = (n: number) => n * frameMs >= POSE_THRESHOLDS.visibility.minMeasuredMs
  const cache = new Map<keyof PostureFrame, number[]>()
  const values = (k: keyof PostureFrame) => {
    let list = cache.get(k)
    if (!list) {
      list = perFrame.flatMap((p) => (p[k] === null ? [] : [p[k]]))
      cache.set(k, list)
    }
    return list
  }
  const med = (k: keyof PostureFrame) => {
    const v = values(k)
    return enough(v.length) ? median(v) : null
  }
  const ratio = (k: keyof PostureFrame, past: (v: number) => boolean) => {
    const v = values(k)
    return enough(v.length) ? v.filter(past).length / v.length : null
  }
  const bendRatio = ratio('bend', (v) => v > t.slouchBendDeg)
  const slouches = bendRatio === null
    ? []
    : runs(series.frames, (_f, i) => (perFrame[i]!.bend ?? -Infinity) > t.slouchBendDeg, frameMs, t.minSlouchMs, POSE_THRESHOLDS.bridgeMs)
      .map((r) => {
        const bends = perFrame.slice(r.first, r.last + 1).flatMap((p) => (p.bend !== null && p.bend > t.slouchBendDeg ? [p.bend] : []))
        let deepest = r.first
        for (let i = r.first; i <= r.last; i++) if ((perFrame[i]!.bend ?? -Infinity) > (perFrame[deepest]!.bend ?? -Infinity)) deepest = i
        return { startMs: r.startMs, endMs: Math.min(r.endMs, series.durationMs), meanBendDeg: bends.reduce((s, v) => s + v, 0) / bends.length, deepestMs: series.frames[deepest]!.t }
      })
  const facing = ratio('yaw', (v) => v <= t.facingYawDeg)
  return {
    shouldersMeasuredS: values('tilt').length * frameMs / 1000,
    torsoMeasuredS: values('sideLean').length * frameMs / 1000,
    shoulderTiltDeg: med('tilt'),
    tiltedRatio: ratio('tilt', (v) => v > t.shoulderTiltDeg),
    facingYawDeg: med('yaw'),
    facingRatio: facing,
    headForwardDeg: med('headForward'),
    headForwardRatio: ratio('headForward', (v) => v > t.headForwardDeg),
    forwardLeanDeg: med('forwardLean'),
    sideLeanDeg: med('sideLean'),
    sideLeanRatio: ratio('sideLean', (v) => v > t.sideLeanDeg),
    slouchBendDeg: med('bend'),
    slouchRatio: bendRatio,
    slouches
  }
}
