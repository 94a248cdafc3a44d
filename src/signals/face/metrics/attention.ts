import { clamp } from '../../../numbers.js'
import type { FaceFrame } from './types.js'
import { typicalFrameMs } from './blinks.js'
import { GAZE_CONE, GAZE_SPREAD_FOR_ZERO_STABILITY_DEG } from '../thresholds.js'

/**
 * Eye contact and gaze stability.
 *
 * A frame counts as eye contact when the face is in view, the eyes are open (closure below
 * `maxClosure`, so blinks are neither contact nor looking away), and the gaze (head pose plus
 * eyes in head, degrees) is within `maxYaw` sideways and `maxPitch` up or down of the camera.
 * `pitchOffset` allows for the landmark geometry reading a frontal face ~6 degrees downward.
 * Eye contact ratio = contact frames / frames with the face in view and the eyes open.
 *
 * A look-away is a run of open-eyed, in-view frames outside the contact cone lasting at least
 * `minLookAwayMs`; its peak is the frame farthest from the camera (the angle of the gaze from
 * the cone's centre, yaw and pitch combined). Gaze stability is 1 - (spread of the gaze / 30 degrees), clamped to 0..1,
 * where the spread is the root of the summed variances of gaze yaw and pitch: 1 means a
 * steady gaze, 0 a gaze wandering over 30 degrees or more.
 */
export interface AttentionOptions {
  maxYaw: number
  maxPitch: number
  pitchOffset: number
  maxClosure: number
  minLookAwayMs: number
}

export const ATTENTION_DEFAULTS: AttentionOptions = { ...GAZE_CONE }

export interface LookAway {
  startMs: number
  endMs: number
  meanYaw: number
  meanPitch: number
  /** Time of the frame looking farthest away (the timeline's key frame). */
  peakMs: number
}

export interface AttentionSummary {
  eyeContactRatio: number
  gazeStability: number
  gazeSpreadDeg: number
  meanGaze: { yaw: number, pitch: number }
  lookAways: LookAway[]
}

export function onCamera (frame: FaceFrame, options: AttentionOptions = ATTENTION_DEFAULTS): boolean | null {
  const face = frame.face
  if (!face || face.blink >= options.maxClosure) return null
  return Math.abs(face.gaze.yaw) <= options.maxYaw && Math.abs(face.gaze.pitch - options.pitchOffset) <= options.maxPitch
}

export function summarizeAttention (frames: readonly FaceFrame[], options: AttentionOptions = ATTENTION_DEFAULTS): AttentionSummary {
  const frameMs = typicalFrameMs(frames)
  let counted = 0
  let contact = 0
  const yaws: number[] = []
  const pitches: number[] = []
  const lookAways: LookAway[] = []
  let run: { start: number, end: number, yaw: number, pitch: number, n: number, peak: number, peakMs: number } | null = null
  const endRun = () => {
    if (run && run.end + frameMs - run.start >= options.minLookAwayMs) {
      lookAways.push({ startMs: run.start, endMs: run.end + frameMs, meanYaw: run.yaw / run.n, meanPitch: run.pitch / run.n, peakMs: run.peakMs })
    }
    run = null
  }
  for (const frame of frames) {
    const state = onCamera(frame, options)
    if (state === null) {
      // A blink does not interrupt a look-away; a missing face does.
      if (!frame.face) endRun()
      continue
    }
    counted++
    yaws.push(frame.face!.gaze.yaw)
    pitches.push(frame.face!.gaze.pitch)
    if (state) {
      contact++
      endRun()
    } else {
      run ??= { start: frame.t, end: frame.t, yaw: 0, pitch: 0, n: 0, peak: -1, peakMs: frame.t }
      run.end = frame.t
      const off = Math.hypot(frame.face!.gaze.yaw, frame.face!.gaze.pitch - options.pitchOffset)
      if (off > run.peak) { run.peak = off; run.peakMs = frame.t }
      run.yaw += frame.face!.gaze.yaw
      run.pitch += frame.face!.gaze.pitch
      run.n++
    }
  }
  endRun()
  const spread = Math.sqrt(variance(yaws) + variance(pitches))
  return {
    eyeContactRatio: counted ? contact / counted : 0,
    gazeStability: counted ? clamp(1 - spread / GAZE_SPREAD_FOR_ZERO_STABILITY_DEG, 0, 1) : 0,
    gazeSpreadDeg: spread,
    meanGaze: { yaw: mean(yaws), pitch: mean(pitches) },
    lookAways
  }
}

export function mean (values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0
}

export function variance (values: readonly number[]): number {
  if (values.length < 2) return 0
  const m = mean(values)
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1)
}
