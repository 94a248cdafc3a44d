/**
 * What of the body the recording shows, and the person's size in the frame.
 *
 * Each frame with a body (the model's presence >= 0.5) reaches a framing level by the landmarks
 * seen in it (visibility >= 0.5 and inside the frame; see geometry.ts):
 *   full                 shoulders, hips and knees (a standing or full-length framing)
 *   upper_body           shoulders, and the hips or both elbows (a desk framing that shows the
 *                        arms counts: gestures and most of the posture can be measured)
 *   head_and_shoulders   shoulders only (a webcam close-up such as the GRID clips)
 * The recording's `visibility` is the highest level reached (or exceeded) in at least half of
 * all frames, else `not_visible`. The body counts as visible (`bodyVisible`: posture, movement
 * and gestures are judged and the body-language score is given) for `full` and `upper_body`
 * seen for at least visibility.minMeasuredMs (2 s): a second of a body is not a posture.
 * `bodyVisibleRatio` is the share of frames at upper_body or above.
 *
 * The torso length (the unit of image distances) is the median shoulder-midpoint to hip-
 * midpoint distance over the frames with shoulders and hips seen; when the hips are never seen,
 * the median shoulder width / shoulderWidthPerTorso (0.75); null without shoulders.
 */
import type { PoseFrame } from '../types.js'
import { POSE_THRESHOLDS } from '../thresholds.js'
import { bodyFrame, distance, frameSpacingMs, hipMid, median, shoulderMid, shoulderWidth, type BodyFrame } from './geometry.js'

export type PoseVisibility = 'full' | 'upper_body' | 'head_and_shoulders' | 'not_visible'

/** The frames prepared once for every metric. */
export interface PoseSeries {
  frames: readonly PoseFrame[]
  /** Per frame, null without a body. */
  bodies: ReadonlyArray<BodyFrame | null>
  /** Milliseconds one frame stands for (the median spacing of frame times). */
  frameMs: number
  durationMs: number
  /** Torso length in fractions of the frame's height (the unit of "torsos"), or null. */
  torso: number | null
  /** Whether `torso` was measured from the hips (else estimated from the shoulder width). */
  torsoFromHips: boolean
  /** Median shoulder width in fractions of the frame's height, or null. */
  shoulderWidth: number | null
  /** Speaking time from the voice analysis, sorted; null without audio. */
  speaking: ReadonlyArray<{ startMs: number, endMs: number }> | null
}

export interface VisibilitySummary {
  visibility: PoseVisibility
  bodyVisible: boolean
  /** Frames with a body found (presence >= 0.5), of all frames. */
  bodyFoundRatio: number
  /** Frames at upper_body or above, of all frames. */
  bodyVisibleRatio: number
  shouldersVisibleRatio: number
  hipsVisibleRatio: number
}

const LEVELS: readonly PoseVisibility[] = ['not_visible', 'head_and_shoulders', 'upper_body', 'full']

export function frameLevel (b: BodyFrame | null): number {
  if (!b || !b.shoulders) return 0
  if (b.hips && b.knees) return 3
  if (b.hips || b.elbows) return 2
  return 1
}

export function prepareSeries (
  input: readonly PoseFrame[], aspect: number, durationS: number, speaking: ReadonlyArray<{ startMs: number, endMs: number }> | null
): PoseSeries {
  const frames = [...input].sort((a, b) => a.t - b.t)
  const safeAspect = Number.isFinite(aspect) && aspect > 0 ? aspect : 1
  const bodies = frames.map((f) => bodyFrame(f, safeAspect))
  const frameMs = frameSpacingMs(frames)
  const durationMs = Number.isFinite(durationS) && durationS > 0
    ? durationS * 1000
    : frames.length ? frames[frames.length - 1]!.t + frameMs : 0
  const torsos = bodies.flatMap((b) => (b?.shoulders && b.hips ? [distance(shoulderMid(b), hipMid(b))] : []))
  const widths = bodies.flatMap((b) => (b?.shoulders ? [shoulderWidth(b)] : []))
  const width = widths.length ? median(widths) : null
  const fromHips = torsos.length > 0 && median(torsos) > 0
  const torso = fromHips ? median(torsos) : width ? width / POSE_THRESHOLDS.torso.shoulderWidthPerTorso : null
  const sortedSpeaking = speaking ? [...speaking].filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs) : null
  return { frames, bodies, frameMs, durationMs, torso: torso || null, torsoFromHips: fromHips, shoulderWidth: width || null, speaking: sortedSpeaking }
}

export function summarizeVisibility (series: PoseSeries): VisibilitySummary {
  const n = series.bodies.length
  const levels = series.bodies.map(frameLevel)
  const share = (count: number) => (n ? count / n : 0)
  let level = 0
  for (let l = 3; l >= 1; l--) {
    if (n && share(levels.filter((x) => x >= l).length) >= POSE_THRESHOLDS.visibility.minShare) { level = l; break }
  }
  const visibility = LEVELS[level]!
  // Judging posture and gestures needs the body in view long enough, not just the framing.
  const bodySeenMs = levels.filter((x) => x >= 2).length * series.frameMs
  return {
    visibility,
    bodyVisible: level >= 2 && bodySeenMs >= POSE_THRESHOLDS.visibility.minMeasuredMs,
    bodyFoundRatio: share(series.bodies.filter((b) => b !== null).length),
    bodyVisibleRatio: share(levels.filter((x) => x >= 2).length),
    shouldersVisibleRatio: share(levels.filter((x) => x >= 1).length),
    hipsVisibleRatio: share(series.bodies.filter((b) => b?.hips).length)
  }
}
