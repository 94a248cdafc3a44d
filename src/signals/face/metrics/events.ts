/**
 * Timeline events from the metrics: moments a coach would point at, each with a start and end
 * (whole milliseconds), ordered by start time (then kind), so their position in the list (seq)
 * is stable for the same analysis. `keyMs` is the frame that shows the event (its thumbnail);
 * an event without one gets no picture.
 *
 *   blink           one blink (blinks.ts). value: peak eye closure 0..1. No key frame: there
 *                   are 15-20 a minute and a closed eye says nothing on its own.
 *   blink_burst     rapid blinking: BLINK_BURST.minBlinks (4) or more blinks starting within
 *                   BLINK_BURST.withinMs (5 s), overlapping windows joined; from the first
 *                   blink's start to the last one's end. value: blinks; data.blinks,
 *                   data.perMinute (over the burst). Key frame: the peak of the middle blink
 *                   (eyes shut mid-burst is what rapid blinking looks like in a still).
 *   look_away       a look-away (attention.ts). value: mean gaze yaw (degrees); data.meanGazeYaw,
 *                   data.meanGazePitch. Key frame: the frame looking farthest from the camera.
 *   face_missing    no face for 0.5 s or more (presence.ts). value: seconds. Key frame:
 *                   FACE_MISSING_KEY_MS (1 s) in, or the middle of a shorter gap: it shows
 *                   why the face is gone (turned away, covered, leaving the seat) where a frame
 *                   minutes later may show only an empty chair, and it has no face, as the
 *                   event says.
 *   multiple_faces  other faces in view for 1 s or more (presence.ts). value: most faces in
 *                   view at once (the speaker included). Key frame: the first frame with that
 *                   many.
 *   emotion_shift   the expression changes clearly from one held emotion to another
 *                   (emotion.ts); runs while the new one lasts. value: the new emotion's peak
 *                   smoothed probability; data.from and data.to: indices in EMOTIONS (anger 0,
 *                   contempt 1, disgust 2, fear 3, happiness 4, neutral 5, sadness 6, surprise 7),
 *                   data.probability. Key frame: the new emotion's peak.
 */
import { round } from '../../../numbers.js'
import type { TimelineEvent } from '../../contract.js'
import type { AttentionSummary } from './attention.js'
import type { BlinkEvent, BlinkSummary } from './blinks.js'
import type { PresenceSummary } from './presence.js'
import { EMOTIONS } from './types.js'
import type { EmotionShift } from './emotion.js'
import { BLINK_BURST, FACE_MISSING_KEY_MS } from '../thresholds.js'

export type EventKind = 'blink' | 'blink_burst' | 'look_away' | 'face_missing' | 'multiple_faces' | 'emotion_shift'

export const FACE_EVENT_KINDS: readonly EventKind[] = ['blink', 'blink_burst', 'look_away', 'face_missing', 'multiple_faces', 'emotion_shift']

export interface FaceTimelineEvent extends TimelineEvent { kind: EventKind }

const ms = (value: number) => Math.round(value)

/** A key frame rounded into its event's range (rounding start, end and key separately could put it outside). */
function within (startMs: number, endMs: number, keyMs: number): number {
  return Math.min(endMs, Math.max(startMs, ms(keyMs)))
}

/** Runs of at least `minBlinks` blinks with every window of that many starting within `withinMs`. */
export function blinkBursts (blinks: readonly BlinkEvent[], options: { minBlinks: number, withinMs: number } = BLINK_BURST): BlinkEvent[][] {
  const bursts: BlinkEvent[][] = []
  const n = options.minBlinks
  let current: BlinkEvent[] | null = null
  let lastIn = -1
  for (let i = 0; i + n - 1 < blinks.length; i++) {
    if (blinks[i + n - 1]!.startMs - blinks[i]!.startMs > options.withinMs) continue
    if (current && i <= lastIn) {
      // Overlapping window: extend the burst to this window's last blink.
      current.push(...blinks.slice(lastIn + 1, i + n))
    } else {
      current = blinks.slice(i, i + n)
      bursts.push(current)
    }
    lastIn = i + n - 1
  }
  return bursts
}

/** From the face metrics (typed by their parts, so this file does not import index.ts, which re-exports it). */
export function timelineEvents (metrics: {
  blinks: BlinkSummary
  attention: AttentionSummary
  presence: PresenceSummary
  emotion: { shifts: EmotionShift[] }
}): FaceTimelineEvent[] {
  const events: FaceTimelineEvent[] = [
    ...metrics.blinks.events.map((b): FaceTimelineEvent => ({ kind: 'blink', startMs: ms(b.startMs), endMs: ms(b.endMs), value: b.peak })),
    ...blinkBursts(metrics.blinks.events).map((burst): FaceTimelineEvent => {
      const startMs = ms(burst[0]!.startMs)
      const endMs = ms(burst[burst.length - 1]!.endMs)
      const middle = burst[(burst.length - 1) >> 1]!
      const perMinute = round(burst.length / Math.max(1, endMs - startMs) * 60_000, 1)
      return { kind: 'blink_burst', startMs, endMs, value: burst.length, data: { blinks: burst.length, perMinute }, keyMs: within(startMs, endMs, middle.peakMs) }
    }),
    ...metrics.attention.lookAways.map((l): FaceTimelineEvent => {
      const startMs = ms(l.startMs)
      const endMs = ms(l.endMs)
      return {
        kind: 'look_away', startMs, endMs, value: round(l.meanYaw, 2), data: { meanGazeYaw: round(l.meanYaw, 2), meanGazePitch: round(l.meanPitch, 2) },
        keyMs: within(startMs, endMs, l.peakMs)
      }
    }),
    ...metrics.presence.missing.map((m): FaceTimelineEvent => {
      const startMs = ms(m.startMs)
      const endMs = ms(m.endMs)
      return { kind: 'face_missing', startMs, endMs, value: round((m.endMs - m.startMs) / 1000, 2), keyMs: within(startMs, endMs, m.startMs + Math.min(FACE_MISSING_KEY_MS, (m.endMs - m.startMs) / 2)) }
    }),
    ...metrics.presence.multipleFaces.map((f): FaceTimelineEvent => {
      const startMs = ms(f.startMs)
      const endMs = ms(f.endMs)
      return { kind: 'multiple_faces', startMs, endMs, value: f.maxFaces, keyMs: within(startMs, endMs, f.peakMs) }
    }),
    ...metrics.emotion.shifts.map((s): FaceTimelineEvent => {
      const startMs = ms(s.startMs)
      const endMs = ms(s.endMs)
      const probability = round(s.probability, 3)
      return {
        kind: 'emotion_shift', startMs, endMs, value: probability,
        data: { from: EMOTIONS.indexOf(s.from), to: EMOTIONS.indexOf(s.to), probability },
        keyMs: within(startMs, endMs, s.peakMs)
      }
    })
  ]
  return events.sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind))
}
