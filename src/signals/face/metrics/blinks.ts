import type { FaceFrame } from './types.js'
import { BLINK_DETECTION } from '../thresholds.js'

/**
 * Blinks as events. A frame's eye closure is MediaPipe's eyeBlink score (mean of both eyes).
 * A blink starts when closure rises above `enter` and ends when it falls below `exit`
 * (hysteresis, so a noisy score near one threshold makes one event, not several). Both
 * thresholds sit above the person's own resting closure (its median), because squinting or
 * heavy lids raise the baseline. Closures longer than `maxBlinkMs` are eyes kept closed, not
 * blinks; a missing face ends an event.
 */
export interface BlinkOptions {
  /** Minimum absolute closure to start a blink. */
  enter: number
  /** A blink also needs closure this far above the resting median. */
  aboveRest: number
  /** Closure below enter - hysteresis ends the blink. */
  hysteresis: number
  maxBlinkMs: number
}

export const BLINK_DEFAULTS: BlinkOptions = { ...BLINK_DETECTION }

export interface BlinkEvent {
  startMs: number
  endMs: number
  durationMs: number
  /** Highest closure during the blink. */
  peak: number
  /** Frame index (in the series) of the peak. */
  peakIndex: number
  /** Time of the peak (ms). */
  peakMs: number
}

export interface BlinkSummary {
  count: number
  /** Blinks per minute of time with the face in view. */
  ratePerMinute: number
  meanDurationMs: number
  /** Closures longer than maxBlinkMs (eyes kept closed). */
  longClosures: number
  thresholds: { enter: number, exit: number }
  events: BlinkEvent[]
}

export function median (values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function detectBlinks (frames: readonly FaceFrame[], options: BlinkOptions = BLINK_DEFAULTS): BlinkSummary {
  const closures = frames.flatMap((f) => (f.face ? [f.face.blink] : []))
  const enter = Math.max(options.enter, median(closures) + options.aboveRest)
  const exit = enter - options.hysteresis
  const frameMs = typicalFrameMs(frames)
  const events: BlinkEvent[] = []
  let longClosures = 0
  let open: { start: number, peak: number, peakIndex: number, last: number } | null = null

  const close = (endIndex: number) => {
    if (!open) return
    const startMs = frames[open.start]!.t
    const endMs = frames[endIndex]!.t + frameMs // a blink occupies its last frame too
    if (endMs - startMs > options.maxBlinkMs) longClosures++
    else events.push({ startMs, endMs, durationMs: endMs - startMs, peak: open.peak, peakIndex: open.peakIndex, peakMs: frames[open.peakIndex]!.t })
    open = null
  }

  frames.forEach((frame, i) => {
    const closure = frame.face?.blink
    if (closure === undefined) {
      if (open) close(open.last)
      return
    }
    if (open) {
      if (closure < exit) close(open.last)
      else {
        open.last = i
        if (closure > open.peak) { open.peak = closure; open.peakIndex = i }
        return
      }
    }
    if (closure >= enter) open = { start: i, peak: closure, peakIndex: i, last: i }
  })
  if (open) close((open as { last: number }).last)

  const visibleMinutes = frames.filter((f) => f.face).length * frameMs / 60_000
  return {
    count: events.length,
    ratePerMinute: visibleMinutes > 0 ? events.length / visibleMinutes : 0,
    meanDurationMs: events.length ? events.reduce((s, e) => s + e.durationMs, 0) / events.length : 0,
    longClosures,
    thresholds: { enter, exit },
    events
  }
}

/** Median spacing of frame times (ms); 1000/30 for fewer than two frames. */
export function typicalFrameMs (frames: readonly { t: number }[]): number {
  if (frames.length < 2) return 1000 / 30
  const gaps: number[] = []
  for (let i = 1; i < frames.length; i++) gaps.push(frames[i]!.t - frames[i - 1]!.t)
  return median(gaps) || 1000 / 30
}
