import type { FaceFrame } from './types.js'
import { typicalFrameMs } from './blinks.js'
import { MIN_MISSING_MS, MIN_MULTIPLE_FACES_MS } from '../thresholds.js'

/**
 * Presence: the share of frames without the main speaker's face, the share with other faces
 * in view, the stretches (at least `minGapMs`) with no face, and the stretches (at least
 * `minOthersMs`) with other faces in view, for the timeline. The faces in a frame are the other
 * faces plus the speaker's when seen.
 */
export interface MultipleFaces {
  startMs: number
  endMs: number
  /** Most faces in view at once. */
  maxFaces: number
  /** Time of the first frame with that many (the timeline's key frame). */
  peakMs: number
}

export interface PresenceSummary {
  faceVisibleRatio: number
  faceMissingRatio: number
  multipleFacesRatio: number
  missing: Array<{ startMs: number, endMs: number }>
  multipleFaces: MultipleFaces[]
}

/** Stretches of frames with other faces in view lasting at least `minMs`. */
export function multipleFaceStretches (frames: readonly FaceFrame[], minMs = MIN_MULTIPLE_FACES_MS): MultipleFaces[] {
  const frameMs = typicalFrameMs(frames)
  const out: MultipleFaces[] = []
  let run: MultipleFaces | null = null
  const close = (endMs: number) => {
    if (run && endMs - run.startMs >= minMs) out.push({ ...run, endMs })
    run = null
  }
  for (const frame of frames) {
    if (frame.otherFaces <= 0) { close(frame.t); continue }
    const faces = frame.otherFaces + (frame.face ? 1 : 0)
    run ??= { startMs: frame.t, endMs: frame.t, maxFaces: 0, peakMs: frame.t }
    if (faces > run.maxFaces) { run.maxFaces = faces; run.peakMs = frame.t }
  }
  if (frames.length) close(frames[frames.length - 1]!.t + frameMs)
  return out
}

export function summarizePresence (frames: readonly FaceFrame[], minGapMs = MIN_MISSING_MS, minOthersMs = MIN_MULTIPLE_FACES_MS): PresenceSummary {
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
    missing,
    multipleFaces: multipleFaceStretches(frames, minOthersMs)
  }
}
