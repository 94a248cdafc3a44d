/**
 * Timeline events from the metrics: moments a coach would point at, each with a start and end.
 * Ordered by start time, so their position in the list (seq) is stable for the same analysis.
 */
import { round } from '../../../numbers.js'
import type { AttentionSummary } from './attention.js'
import type { BlinkSummary } from './blinks.js'
import type { PresenceSummary } from './presence.js'

export type EventKind = 'blink' | 'look_away' | 'face_missing'

export interface TimelineEvent {
  kind: EventKind
  startMs: number
  endMs: number
  /** The event's measure: blink peak closure, look-away mean gaze yaw (degrees), missing seconds. */
  value: number | null
  data?: Record<string, number>
}

/** From the face metrics (typed by their parts, so this file does not import index.ts, which re-exports it). */
export function timelineEvents (metrics: { blinks: BlinkSummary, attention: AttentionSummary, presence: PresenceSummary }): TimelineEvent[] {
  const ms = (value: number) => Math.round(value)
  const events: TimelineEvent[] = [
    ...metrics.blinks.events.map((b) => ({ kind: 'blink' as const, startMs: ms(b.startMs), endMs: ms(b.endMs), value: b.peak })),
    ...metrics.attention.lookAways.map((l) => ({
      kind: 'look_away' as const, startMs: ms(l.startMs), endMs: ms(l.endMs), value: round(l.meanYaw, 2), data: { meanGazeYaw: round(l.meanYaw, 2), meanGazePitch: round(l.meanPitch, 2) }
    })),
    ...metrics.presence.missing.map((m) => ({ kind: 'face_missing' as const, startMs: ms(m.startMs), endMs: ms(m.endMs), value: round((m.endMs - m.startMs) / 1000, 2) }))
  ]
  return events.sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind))
}
