/**
 * Voice activity from the contours, relative to the recording's own levels (microphones and
 * gains differ by tens of dB, so no absolute level could mean "speech"):
 *
 * 1. A frame is sounding when its intensity is at least the threshold: 25 dB below the
 *    recording's loud level (its 99th percentile: the loudest vowels, robust to a cough or a
 *    click), as in de Jong & Wempe (2009), but never less than 6 dB above its noise floor (5th
 *    percentile: the pauses; a noisy room would otherwise be all "speech") nor below -70 dBFS.
 * 2. A run of sounding frames is speech only with at least 30 ms of voicing (the pitch path's
 *    F0): noise, clicks and breaths are loud but not periodic.
 * 3. Silences shorter than 300 ms between speech runs are part of speech (stop closures, the
 *    breaks between words); speech shorter than 100 ms in all is dropped.
 * 4. A segment without a single syllable nucleus (nuclei.ts) is not speech either: applause or
 *    a crowd can be loud and intermittently periodic, but has no vowels.
 *
 * Pure function over contours, no Node APIs.
 */
import { MIN_PAUSE_MS } from '../thresholds.js'
import { quantileSorted } from './stats.js'

export interface ActivitySettings {
  loudQuantile: number
  floorQuantile: number
  /** Sounding: at least this close to the loud level (de Jong & Wempe's "silence threshold" of -25 dB). */
  belowLoudDb: number
  /** ... and at least this far above the noise floor. */
  aboveFloorDb: number
  /** Nothing quieter is ever sounding (about the self-noise of a quiet microphone chain). */
  absoluteFloorDb: number
  /** Voiced frames a sounding run needs to be speech. */
  minVoicedMs: number
  /** Shorter silences inside speech are bridged; longer ones are pauses (de Jong & Wempe's 0.3 s). */
  minPauseMs: number
  /** Shorter speech segments are dropped (Praat's minimum sounding interval, 0.1 s). */
  minSpeechMs: number
}

export const ACTIVITY_SETTINGS: ActivitySettings = {
  loudQuantile: 0.99,
  floorQuantile: 0.05,
  belowLoudDb: 25,
  aboveFloorDb: 6,
  absoluteFloorDb: -70,
  minVoicedMs: 30,
  minPauseMs: MIN_PAUSE_MS,
  minSpeechMs: 100
}

export interface Levels {
  /** The recording's loud level (dBFS). */
  loudDb: number
  /** Its noise floor (dBFS). */
  floorDb: number
  /** Frames at least this loud are sounding (dBFS). */
  thresholdDb: number
}

export interface Segment {
  /** First frame (inclusive). */
  start: number
  /** Last frame + 1 (exclusive). */
  end: number
}

export function recordingLevels (intensityDb: Float32Array, settings: ActivitySettings = ACTIVITY_SETTINGS): Levels {
  if (intensityDb.length === 0) return { loudDb: Number.NaN, floorDb: Number.NaN, thresholdDb: Number.POSITIVE_INFINITY }
  const sorted = Float32Array.from(intensityDb).sort()
  const loudDb = quantileSorted(sorted, settings.loudQuantile)
  const floorDb = quantileSorted(sorted, settings.floorQuantile)
  const thresholdDb = Math.max(loudDb - settings.belowLoudDb, floorDb + settings.aboveFloorDb, settings.absoluteFloorDb)
  return { loudDb, floorDb, thresholdDb }
}

/** Speech segments (frame ranges, in order, at least minPauseMs apart). */
export function detectSpeech (intensityDb: Float32Array, pitchHz: Float32Array, frameMs: number, levels: Levels, settings: ActivitySettings = ACTIVITY_SETTINGS): Segment[] {
  const minVoiced = Math.ceil(settings.minVoicedMs / frameMs)
  const voicedRuns: Segment[] = []
  let start = -1
  let voiced = 0
  for (let i = 0; i <= intensityDb.length; i++) {
    const sounding = i < intensityDb.length && intensityDb[i]! >= levels.thresholdDb
    if (sounding) {
      if (start < 0) { start = i; voiced = 0 }
      if (pitchHz[i]! > 0) voiced++
    } else if (start >= 0) {
      if (voiced >= minVoiced) voicedRuns.push({ start, end: i })
      start = -1
    }
  }
  const minGap = Math.round(settings.minPauseMs / frameMs)
  const joined: Segment[] = []
  for (const run of voicedRuns) {
    const last = joined[joined.length - 1]
    if (last && run.start - last.end < minGap) last.end = run.end
    else joined.push({ ...run })
  }
  const minSpeech = Math.round(settings.minSpeechMs / frameMs)
  return joined.filter((segment) => segment.end - segment.start >= minSpeech)
}

/** 1 for frames inside a segment, else 0. */
export function speechMask (segments: Segment[], frames: number): Uint8Array {
  const mask = new Uint8Array(frames)
  for (const segment of segments) mask.fill(1, segment.start, segment.end)
  return mask
}

/** Step 4: the segments holding at least one nucleus (frame indices, in order). */
export function segmentsWithNuclei (segments: Segment[], nuclei: number[]): Segment[] {
  let k = 0
  return segments.filter((segment) => {
    while (k < nuclei.length && nuclei[k]! < segment.start) k++
    return k < nuclei.length && nuclei[k]! < segment.end
  })
}
