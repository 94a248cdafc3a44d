/** What the voice module reports for a recording: its metrics, or that there was no audio to measure. */
import type { VoiceMetrics } from './engine/index.js'

/** Bumped whenever a voice definition or threshold changes. */
export const VOICE_METRICS_VERSION = '1.0'

export interface VoiceSummary {
  /** False for a file without an audio stream: metrics null. */
  hasAudio: boolean
  /** The syllable nucleus times are left out: they are in the voice frames. */
  metrics: Omit<VoiceMetrics, 'nucleiMs'> | null
}

/** Speaking stretches (seconds with speech for at least half the second), merged, for other modules (pose). */
export function speakingStretches (frames: ReadonlyArray<{ t: number, speech: number }>): Array<{ startMs: number, endMs: number }> {
  const stretches: Array<{ startMs: number, endMs: number }> = []
  for (const frame of frames) {
    if (frame.speech < 0.5) continue
    const last = stretches[stretches.length - 1]
    if (last && last.endMs >= frame.t) last.endMs = frame.t + 1000
    else stretches.push({ startMs: frame.t, endMs: frame.t + 1000 })
  }
  return stretches
}
