import type { FaceFrame } from './types.js'
import { typicalFrameMs } from './blinks.js'
import { MIN_MISSING_MS } from '../thresholds.js'

/**
 * Presence: the share of frames without the main speaker's face, the share with other faces
 * in view, and the stretches (at least `minGapMs`) with no face, for the timeline.
 */
export interface PresenceSummary {
  faceVisibleRatio: number
  faceMissingRatio: number
  multipleFacesRatio: number
  missing: Array<{ startMs: number, endMs: number }>
}

export function summarizePresence (frames: readonly FaceFrame[], minGapMs = MIN_MISSING_MS): PresenceSummary {
  const n = frames.length
  const frameMs = typicalFrameMs(frames)
  const missing: PresenceSummary['missing'] = []
  let start: number | null = null
  frames.forEach((frame, i) => {
    if (!frame.face) start ??= frame.t
    if ((frame.face || i === n - 1) && start !== null) {
      const end = frame.face ? frame.t : frame.t + frameMs
      if (end - start >= minGapMs) missing.push({ startMs: start, endMs: end })
      start = null
    }
  })
  const visible = frames.filter((f) => f.face).length
  return {
    faceVisibleRatio: n ? visible / n : 0,
    faceMissingRatio: n ? (n - visible) / n : 0,
    multipleFacesRatio: n ? frames.filter((f) => f.otherFaces > 0).length / n : 0,
    missing
  }
}
