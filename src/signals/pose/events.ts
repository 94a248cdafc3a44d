/**
 * The pose module's timeline events, ordered by start time (then kind), so their position in
 * the list is stable for the same analysis. Times are whole milliseconds within the video;
 * keyMs (the frame that shows the event, its thumbnail) lies within start..end.
 *
 *   face_touch         a hand at the face for 0.5 s or more (metrics/hands.ts); any framing.
 *                      value: seconds. Key frame: the closest contact (a hand nearest a face point).
 *   slouch             slouched (head bent forward of the torso's line) for 3 s or more
 *                      (metrics/posture.ts); only where the hips were seen. value: mean slouch
 *                      angle in degrees; data.seconds. Key frame: the deepest slouch.
 *   hands_out_of_view  the body in view but neither hand for 5 s or more; only when the body is
 *                      visible (upper_body or full framing): in a head-and-shoulders framing the
 *                      hands are out of view by design. value: seconds. Key frame: the middle.
 *   no_gesture         30 s of speaking time with a hand in view and no gesture (without audio
 *                      all of the time counts as speaking). value: speaking seconds without a
 *                      gesture; the range runs from the first to the last such moment. Key
 *                      frame: the middle.
 */
import type { TimelineEvent } from '../contract.js'
import { round } from '../../numbers.js'
import type { PoseMetrics } from './metrics/index.js'

export type PoseEventKind = 'face_touch' | 'slouch' | 'hands_out_of_view' | 'no_gesture'

export const POSE_EVENT_KINDS: readonly PoseEventKind[] = ['face_touch', 'slouch', 'hands_out_of_view', 'no_gesture']

const seconds = (startMs: number, endMs: number) => round((endMs - startMs) / 1000, 2)

export function poseEvents (m: PoseMetrics): TimelineEvent[] {
  const durationMs = Math.round(m.durationS * 1000)
  /** Start, end and key frame (`keyAt`, else the middle) in whole ms, the key kept within the range. */
  const span = (s: { startMs: number, endMs: number }, keyAt?: number) => {
    const startMs = Math.round(s.startMs)
    const endMs = Math.max(startMs, Math.min(durationMs, Math.round(s.endMs)))
    const keyMs = Math.min(endMs, Math.max(startMs, Math.round(keyAt ?? (startMs + endMs) / 2)))
    return { startMs, endMs, keyMs }
  }
  const events: TimelineEvent[] = [
    ...m.hands.faceTouches.map((f) => ({ kind: 'face_touch', ...span(f, f.peakMs), value: seconds(f.startMs, f.endMs) })),
    ...m.posture.slouches.map((s) => ({ kind: 'slouch', ...span(s, s.deepestMs), value: round(s.meanBendDeg, 1), data: { seconds: seconds(s.startMs, s.endMs) } })),
    ...(m.bodyVisible ? m.hands.outOfView : []).map((o) => ({ kind: 'hands_out_of_view', ...span(o), value: seconds(o.startMs, o.endMs) })),
    ...m.hands.noGesture.map((g) => ({ kind: 'no_gesture', ...span(g), value: round(g.speakingS, 1) }))
  ]
  return events.filter((e) => e.startMs < durationMs || durationMs === 0).sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind))
}
