/**
 * Live cues: the server's own pure metric functions (src/signals/*\/metrics, the voice engine's
 * summary) over sliding windows of the live frames, judged by the server's own thresholds.
 * Nothing is measured here; this module only picks windows and turns numbers into levels.
 */
import { detectBlinks, summarizeAttention, summarizeHead, type FaceFrame } from '../../../src/signals/face/metrics/index.js'
import { GAZE_CONE, JUDGING } from '../../../src/signals/face/thresholds.js'
import { summarizePose } from '../../../src/signals/pose/metrics/index.js'
import { POSE_THRESHOLDS } from '../../../src/signals/pose/thresholds.js'
import type { PoseFrame } from '../../../src/signals/pose/types.js'
import { LONG_PAUSE_SECONDS, PACE_SYLLABLES_PER_MINUTE } from '../../../src/signals/voice/thresholds.js'
import type { LiveFrame } from './source.js'
import type { VoiceWindow } from './voice.js'

/** "Now": eye contact over the last moment (a single frame flickers with every glance). */
export const NOW_MS = 1500
/** Eye contact, head movement and posture: the last 10 seconds. */
export const WINDOW_MS = 10_000
/** Blinks are rarer: their rate is counted over up to a minute. */
export const BLINK_WINDOW_MS = 60_000
/** Gestures per minute need more than 10 s of hands to mean anything. */
export const GESTURE_WINDOW_MS = 30_000
/** Keep this much history (the longest window). */
export const HISTORY_MS = BLINK_WINDOW_MS
/** A blink rate over less face time than this is not shown as a rate. */
export const MIN_BLINK_SECONDS = 10

export type Level = 'good' | 'watch' | 'attention' | 'none'

export interface LiveCues {
  /** Time of the newest frame (ms since the session started). */
  at: number
  faceInView: boolean
  eyeContact: { now: number | null, window: number | null, level: Level }
  blinks: { count: number, perMinute: number | null, faceSeconds: number, level: Level }
  head: { degPerSecond: number | null, level: Level }
  /** Null when the source does not track the body. */
  posture: { visibility: string, offShare: number | null, level: Level } | null
  gestures: { perMinute: number | null, faceTouches: number, level: Level } | null
  /** Null until the microphone's first analysis. */
  voice: { syllablesPerSecond: number, speakingRatio: number, silentForS: number, longPauses: number, level: Level } | null
}

export function since (frames: readonly LiveFrame[], ms: number): LiveFrame[] {
  if (frames.length === 0) return []
  const from = frames[frames.length - 1]!.t - ms
  let i = frames.length
  while (i > 0 && frames[i - 1]!.t > from) i--
  return frames.slice(i)
}

export const faceFrames = (frames: readonly LiveFrame[]): FaceFrame[] => frames.map((f) => f.face)
export const poseFrames = (frames: readonly LiveFrame[]): PoseFrame[] => frames.flatMap((f) => (f.pose ? [f.pose] : []))

/** Eye-contact share of the open-eyed in-view frames, null without any. */
export function eyeContactRatio (frames: readonly FaceFrame[]): number | null {
  if (!frames.some((f) => f.face && f.face.blink < GAZE_CONE.maxClosure)) return null
  return summarizeAttention(frames).eyeContactRatio
}

export function computeCues (history: readonly LiveFrame[], voice: VoiceWindow | null, options: { language: 'en' | 'ko', frameAspect: number }): LiveCues {
  const last = history[history.length - 1]
  const window = faceFrames(since(history, WINDOW_MS))
  const now = eyeContactRatio(faceFrames(since(history, NOW_MS)))
  const overWindow = eyeContactRatio(window)

  const blinkFrames = faceFrames(since(history, BLINK_WINDOW_MS))
  const blinks = detectBlinks(blinkFrames)
  const faceSeconds = (blinkFrames.filter((f) => f.face).length * typicalSpacing(blinkFrames)) / 1000
  const blinkRate = faceSeconds >= MIN_BLINK_SECONDS ? blinks.ratePerMinute : null

  const visible = window.filter((f) => f.face).length
  const head = visible >= 2 ? summarizeHead(window).meanSpeedDegPerSecond : null

  const hasPose = history.some((f) => f.pose !== undefined)
  return {
    at: last?.t ?? 0,
    faceInView: Boolean(last?.face.face),
    eyeContact: { now, window: overWindow, level: overWindow === null ? 'none' : higherIsBetter(overWindow * 100, JUDGING.eyeContactPercent) },
    blinks: {
      count: blinks.count,
      perMinute: blinkRate,
      faceSeconds,
      level: blinkRate === null ? 'none' : inRange(blinkRate, JUDGING.blinksPerMinute)
    },
    head: { degPerSecond: head, level: head === null ? 'none' : head <= JUDGING.headDegPerSecond.calm ? 'good' : head <= JUDGING.headDegPerSecond.restless ? 'watch' : 'attention' },
    posture: hasPose ? postureCue(poseFrames(since(history, WINDOW_MS)), options.frameAspect) : null,
    gestures: hasPose ? gestureCue(poseFrames(since(history, GESTURE_WINDOW_MS)), options.frameAspect) : null,
    voice: voice ? voiceCue(voice, options.language) : null
  }
}

function typicalSpacing (frames: readonly FaceFrame[]): number {
  if (frames.length < 2) return 0
  return (frames[frames.length - 1]!.t - frames[0]!.t) / (frames.length - 1)
}

function poseContext (frames: readonly PoseFrame[], frameAspect: number) {
  const span = frames.length > 1 ? frames[frames.length - 1]!.t - frames[0]!.t : 0
  return { durationS: span / 1000, frameAspect, speaking: null }
}

/** Rebased to start at 0 (the pose metrics measure ranges from the video's start). */
function rebased (frames: readonly PoseFrame[]): PoseFrame[] {
  const start = frames[0]?.t ?? 0
  return frames.map((f) => ({ ...f, t: f.t - start }))
}

export function postureCue (frames: readonly PoseFrame[], frameAspect: number): NonNullable<LiveCues['posture']> {
  if (frames.length < 2) return { visibility: 'not_visible', offShare: null, level: 'none' }
  const metrics = summarizePose(rebased(frames), poseContext(frames, frameAspect))
  const p = metrics.posture
  const shares = [p.tiltedRatio, p.sideLeanRatio, p.slouchRatio, p.headForwardRatio, p.facingRatio === null ? null : 1 - p.facingRatio].filter((x): x is number => x !== null)
  const offShare = shares.length > 0 ? Math.max(...shares) : null
  const { goodShare, poorShare } = POSE_THRESHOLDS.posture
  return {
    visibility: metrics.visibility,
    offShare,
    level: offShare === null ? 'none' : offShare <= goodShare ? 'good' : offShare < poorShare ? 'watch' : 'attention'
  }
}

export function gestureCue (frames: readonly PoseFrame[], frameAspect: number): NonNullable<LiveCues['gestures']> {
  if (frames.length < 2) return { perMinute: null, faceTouches: 0, level: 'none' }
  const hands = summarizePose(rebased(frames), poseContext(frames, frameAspect)).hands
  const rate = hands.gesturesPerMinute
  const range = POSE_THRESHOLDS.hands.gesturesPerMinute
  const touches = hands.faceTouches.length
  let level: Level = rate === null ? 'none' : rate >= range.min && rate <= range.max ? 'good' : rate < range.poorBelow || rate > range.poorAbove ? 'attention' : 'watch'
  if (touches > 0) level = 'attention'
  return { perMinute: rate, faceTouches: touches, level }
}

export function voiceCue (voice: VoiceWindow, language: 'en' | 'ko'): NonNullable<LiveCues['voice']> {
  const m = voice.metrics
  const lastNucleus = m.nucleiMs.length > 0 ? m.nucleiMs[m.nucleiMs.length - 1]! : 0
  const silentForS = (voice.durationMs - lastNucleus) / 1000
  const longPauses = m.pauses.items.filter((p) => p.endMs - p.startMs >= LONG_PAUSE_SECONDS * 1000).length
  const perMinute = m.syllablesPerMinuteTotal
  const range = PACE_SYLLABLES_PER_MINUTE[language]
  // Pace is judged only while speaking; a window of mostly silence says "pause" instead.
  const level: Level = m.speakingRatio < 0.2 ? 'none' : inRange(perMinute, range, 0.15)
  return { syllablesPerSecond: perMinute / 60, speakingRatio: m.speakingRatio, silentForS, longPauses, level }
}

function higherIsBetter (value: number, limits: { good: number, poor: number }): Level {
  return value >= limits.good ? 'good' : value >= limits.poor ? 'watch' : 'attention'
}

/** Inside the range is good, up to `slack` (a share of the range's edge) outside is watch. */
function inRange (value: number, range: { min: number, max: number }, slack = 0.25): Level {
  if (value >= range.min && value <= range.max) return 'good'
  if (value >= range.min * (1 - slack) && value <= range.max * (1 + slack)) return 'watch'
  return 'attention'
}
