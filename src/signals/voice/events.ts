/**
 * The voice module's timeline events, ordered by start time, in whole milliseconds.
 *
 *   long_pause  a silence of LONG_PAUSE_SECONDS (2 s) or more inside the speech (between two
 *               words; the silence before the first and after the last is not a pause, see
 *               engine/pauses.ts): the listener hears a silence, not a breath. value: seconds.
 *               Key frame: the middle of the pause, which shows the speaker thinking (or
 *               looking for notes).
 * Short pauses and the speaking rate per second are in the voice frames, not on the timeline.
 */
import type { TimelineEvent } from '../contract.js'
import { round } from '../../numbers.js'
import type { VoiceSummary } from './summary.js'
import { LONG_PAUSE_SECONDS } from './thresholds.js'

export type VoiceEventKind = 'long_pause'

export const VOICE_EVENT_KINDS: readonly VoiceEventKind[] = ['long_pause']

export function voiceEvents (summary: VoiceSummary): TimelineEvent[] {
  const pauses = summary.metrics?.pauses.items ?? []
  return pauses
    .filter((p) => p.endMs - p.startMs >= LONG_PAUSE_SECONDS * 1000)
    .map((p) => {
      const startMs = Math.round(p.startMs)
      const endMs = Math.round(p.endMs)
      return { kind: 'long_pause', startMs, endMs, value: round((p.endMs - p.startMs) / 1000, 2), keyMs: Math.round((startMs + endMs) / 2) }
    })
    .sort((a, b) => a.startMs - b.startMs)
}
