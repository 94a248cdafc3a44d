/**
 * Hands: when they are in view, how they move, and where they go. A hand is in view when its
 * wrist is seen (visibility >= 0.5, inside the frame). Its position is the wrist's, averaged over
 * smoothingMs (100 ms) either side against landmark jitter; its speed is the step between
 * consecutive frames in view (at most maxStepMs, 300 ms, apart) in torsos per second.
 *
 *   visible        share of the recording (of all frames) with at least one hand in view.
 *   gestures       a hand above the waist (waistTorsos, 0.8 torsos below the shoulder midpoint, or
 *                  the hips when nearer) moving at gestureSpeed (0.6 torso/s) or faster for at least
 *                  minGestureMs (200 ms; pauses up to mergeGestureMs, 300 ms, joined) and covering
 *                  minGestureAmplitude (0.2 torsos) or more. Both hands moving at once is one
 *                  gesture. Rate = gestures per minute of time with a hand in view; open = the
 *                  wrist reached openShoulderWidths (0.75) shoulder widths or more from the
 *                  body's midline (outside the shoulder line). Needs the shoulders seen.
 *   fidgeting      small fast repeated motion: the turns of each hand's path along x and along y
 *                  (a zigzag with a minimum swing of fidget.minSwing, 0.05 torsos, so jitter does
 *                  not turn it); a run of fidget.minSwings (4) or more swings no larger than
 *                  fidget.maxSwing (0.15 torsos, larger is a gesture), each ending within
 *                  fidget.maxSwingGapMs (700 ms) of the last, is fidgeting from the first swing's
 *                  start to the last one's end. Share = fidgeting time / hand-in-view time.
 *   face touch     a hand point (wrist, index, pinky or thumb) inside the frame with visibility
 *                  faceTouch.minHandVisibility (0.2) or more, not more than
 *                  faceTouch.maxBelowMouthFaceWidths (0.4) face widths below the mouth, within
 *                  faceTouch.radiusFaceWidths (0.5) face widths of the nose, a mouth corner, an
 *                  eye or an ear, for faceTouch.minMs (500 ms) or more (gaps up to
 *                  faceTouch.bridgeMs, 600 ms, joined). The head points need not be seen: when a
 *                  hand covers the face the model still places them. Face width = max(ear-to-
 *                  ear, 1.5 x outer eye corners). Measured in any framing (see thresholds.ts for
 *                  why the hand's visibility limit is lower here).
 *   arms crossed   both wrists seen, each beyond the midline on the other side by
 *                  armsCrossed.marginShoulderWidths (0.15) shoulder widths, at chest height
 *                  (-0.1 to 0.9 torsos below the shoulder midpoint), for armsCrossed.minMs (1 s)
 *                  or more. Share = of the time with shoulders seen.
 *   out of view    the shoulders seen but neither hand, for outOfViewMs (5 s) or more.
 *   no gesture     noGestureSpeakingMs (30 s) of speaking time with a hand in view and no gesture
 *                  between two gestures (or the start or end). Speaking time comes from the voice
 *                  analysis; without audio (speaking null) all of the time counts as speaking.
 */
import { POSE_THRESHOLDS } from '../thresholds.js'
import {
  LANDMARK, SIDES, distance, hipMid, runs, shoulderMid, unionMs, type BodyFrame, type Point, type Side, type Span
} from './geometry.js'
import type { PoseSeries } from './visibility.js'

export interface Gesture extends Span {
  hand: Side | 'both'
  /** Largest distance covered, torsos. */
  amplitude: number
  open: boolean
}

export type FaceRegion = 'nose' | 'mouth' | 'eye' | 'ear'

export interface FaceTouch extends Span {
  hand: Side | 'both'
  /** The face point the hand was nearest most often. */
  region: FaceRegion
  /** Time of the closest contact: the frame with a hand nearest a face point (the timeline's key frame). */
  peakMs: number
}

export interface NoGesture extends Span {
  /** Speaking seconds with a hand in view and no gesture. */
  speakingS: number
}

export interface HandMetrics {
  /** Share of the recording with at least one hand in view. */
  visibleRatio: number
  visibleS: number
  bothVisibleRatio: number
  gestures: Gesture[]
  /** Gestures per minute of hand-in-view time; null under minMeasuredMs of it. */
  gesturesPerMinute: number | null
  /** Share of gestures that were open; null without gestures. */
  openGestureRatio: number | null
  /** Share of hand-in-view time spent gesturing; null under minMeasuredMs of it. */
  gestureActiveRatio: number | null
  fidgets: Span[]
  fidgetRatio: number | null
  faceTouches: FaceTouch[]
  armsCrossed: Span[]
  /** Share of the time with shoulders seen; null under minMeasuredMs of it. */
  armsCrossedRatio: number | null
  outOfView: Span[]
  noGesture: NoGesture[]
}

const WRIST: Record<Side, number> = { left: LANDMARK.left_wrist, right: LANDMARK.right_wrist }
const HAND_POINTS: Record<Side, number[]> = {
  left: [LANDMARK.left_wrist, LANDMARK.left_index, LANDMARK.left_pinky, LANDMARK.left_thumb],
  right: [LANDMARK.right_wrist, LANDMARK.right_index, LANDMARK.right_pinky, LANDMARK.right_thumb]
}
const FACE_POINTS: Array<[number, FaceRegion]> = [
  [LANDMARK.nose, 'nose'], [LANDMARK.mouth_left, 'mouth'], [LANDMARK.mouth_right, 'mouth'],
  [LANDMARK.left_eye, 'eye'], [LANDMARK.right_eye, 'eye'], [LANDMARK.left_ear, 'ear'], [LANDMARK.right_ear, 'ear']
]

interface Track { t: number, at: Point }

/** The smoothed wrist positions of one hand, per frame (null out of view). */
function track (series: PoseSeries, side: Side): Array<Track | null> {
  const raw = series.bodies.map((b) => (b?.seen(WRIST[side]) ? { t: b.t, at: b.point(WRIST[side]) } : null))
  const span = POSE_THRESHOLDS.hands.smoothingMs
  return raw.map((r, i) => {
    if (!r) return null
    let x = 0, y = 0, n = 0
    for (let j = i; j >= 0 && raw[j] !== undefined && series.frames[j]!.t >= r.t - span; j--) {
      const o = raw[j]
      if (o) { x += o.at.x; y += o.at.y; n++ }
    }
    for (let j = i + 1; j < raw.length && series.frames[j]!.t <= r.t + span; j++) {
      const o = raw[j]
      if (o) { x += o.at.x; y += o.at.y; n++ }
    }
    return { t: r.t, at: { x: x / n, y: y / n } }
  })
}

/** Per frame, the hand's speed in torsos per second (null without a previous position near enough). */
function speeds (points: ReadonlyArray<Track | null>, torso: number): Array<number | null> {
  let last: Track | null = null
  return points.map((p) => {
    if (!p) return null
    const prev = last
    last = p
    if (!prev || p.t - prev.t > POSE_THRESHOLDS.hands.maxStepMs || p.t <= prev.t) return null
    return distance(p.at, prev.at) / torso / ((p.t - prev.t) / 1000)
  })
}

function waistY (b: BodyFrame, torso: number): number {
  const shoulders = shoulderMid(b).y
  const waist = shoulders + POSE_THRESHOLDS.torso.waistTorsos * torso
  return b.hips ? Math.min(waist, hipMid(b).y) : waist
}

function handGestures (series: PoseSeries, side: Side, points: ReadonlyArray<Track | null>, torso: number, shoulderWidth: number): Gesture[] {
  const h = POSE_THRESHOLDS.hands
  const speed = speeds(points, torso)
  const moving = (i: number) => {
    const b = series.bodies[i]
    const p = points[i]
    return !!b?.shoulders && !!p && (speed[i] ?? 0) >= h.gestureSpeed && p.at.y < waistY(b, torso)
  }
  return runs(series.frames, (_f, i) => moving(i), series.frameMs, h.minGestureMs, h.mergeGestureMs).flatMap((r) => {
    // The motion into the first moving frame starts at the position before it.
    const from = r.first > 0 && points[r.first - 1] ? r.first - 1 : r.first
    const path = points.slice(from, r.last + 1).filter((p): p is Track => p !== null)
    let amplitude = 0
    for (const a of path) for (const b of path) amplitude = Math.max(amplitude, distance(a.at, b.at) / torso)
    if (amplitude < h.minGestureAmplitude) return []
    let open = false
    for (let i = from; i <= r.last; i++) {
      const b = series.bodies[i]
      const p = points[i]
      if (b?.shoulders && p && Math.abs(p.at.x - shoulderMid(b).x) >= h.openShoulderWidths * shoulderWidth) open = true
    }
    return [{ startMs: points[from]!.t, endMs: Math.min(r.endMs, series.durationMs), hand: side, amplitude, open }]
  })
}

/** Both hands' gestures, overlapping ones joined into one. */
function mergeGestures (list: Gesture[]): Gesture[] {
  const sorted = [...list].sort((a, b) => a.startMs - b.startMs)
  const out: Gesture[] = []
  for (const g of sorted) {
    const last = out[out.length - 1]
    if (last && g.startMs < last.endMs) {
      last.endMs = Math.max(last.endMs, g.endMs)
      last.amplitude = Math.max(last.amplitude, g.amplitude)
      last.open ||= g.open
      if (last.hand !== g.hand) last.hand = 'both'
    } else {
      out.push({ ...g })
    }
  }
  return out
}

interface Swing { startMs: number, endMs: number, size: number }

/** The swings (movements between turns of at least `minSwing`) of one coordinate. */
export function swings (samples: ReadonlyArray<{ t: number, v: number }>, minSwing: number): Swing[] {
  const out: Swing[] = []
  if (samples.length === 0) return out
  let hi = samples[0]!
  let lo = samples[0]!
  let pivot = samples[0]!
  let extreme = samples[0]!
  let direction = 0
  for (const s of samples) {
    if (direction === 0) {
      if (s.v > hi.v) hi = s
      if (s.v < lo.v) lo = s
      if (s.v - lo.v >= minSwing) { pivot = lo; extreme = s; direction = 1 } else if (hi.v - s.v >= minSwing) { pivot = hi; extreme = s; direction = -1 }
      continue
    }
    if ((s.v - extreme.v) * direction > 0) { extreme = s; continue }
    if (Math.abs(extreme.v - s.v) >= minSwing) {
      out.push({ startMs: pivot.t, endMs: extreme.t, size: Math.abs(extreme.v - pivot.v) })
      pivot = extreme
      extreme = s
      direction = -direction
    }
  }
  return out
}

function handFidgets (points: ReadonlyArray<Track | null>, torso: number): Span[] {
  const f = POSE_THRESHOLDS.hands.fidget
  // Stretches in view without a long gap; the zigzag restarts after one.
  const stretches: Track[][] = []
  let current: Track[] = []
  for (const p of points) {
    if (!p) continue
    const last = current[current.length - 1]
    if (last && p.t - last.t > POSE_THRESHOLDS.hands.maxStepMs) { stretches.push(current); current = [] }
    current.push(p)
  }
  stretches.push(current)
  const out: Span[] = []
  for (const stretch of stretches) {
    const all = [
      ...swings(stretch.map((p) => ({ t: p.t, v: p.at.x / torso })), f.minSwing),
      ...swings(stretch.map((p) => ({ t: p.t, v: p.at.y / torso })), f.minSwing)
    ].sort((a, b) => a.endMs - b.endMs)
    let run: Swing[] = []
    const close = () => {
      if (run.length >= f.minSwings) out.push({ startMs: Math.min(...run.map((s) => s.startMs)), endMs: run[run.length - 1]!.endMs })
      run = []
    }
    for (const s of all) {
      if (s.size > f.maxSwing) { close(); continue }
      const last = run[run.length - 1]
      if (last && s.endMs - last.endMs > f.maxSwingGapMs) close()
      run.push(s)
    }
    close()
  }
  return out
}

/** The face point a hand is nearest and how near, in face widths; null when no hand point is seen. */
function nearestFacePoint (b: BodyFrame, side: Side): { region: FaceRegion, faceWidths: number } | null {
  const ft = POSE_THRESHOLDS.hands.faceTouch
  const ears = distance(b.point(LANDMARK.left_ear), b.point(LANDMARK.right_ear))
  const eyes = distance(b.point(LANDMARK.left_eye_outer), b.point(LANDMARK.right_eye_outer))
  const faceWidth = Math.max(ears, 1.5 * eyes)
  if (!(faceWidth > 0)) return null
  const mouthY = (b.point(LANDMARK.mouth_left).y + b.point(LANDMARK.mouth_right).y) / 2
  const hand = HAND_POINTS[side].filter((i) => b.visible(i, ft.minHandVisibility)).map((i) => b.point(i))
    .filter((p) => (p.y - mouthY) / faceWidth <= ft.maxBelowMouthFaceWidths)
  if (hand.length === 0) return null
  let best: { region: FaceRegion, faceWidths: number } | null = null
  for (const [index, region] of FACE_POINTS) {
    const at = b.point(index)
    for (const h of hand) {
      const d = distance(at, h) / faceWidth
      if (!best || d < best.faceWidths) best = { region, faceWidths: d }
    }
  }
  return best
}

function faceTouches (series: PoseSeries): FaceTouch[] {
  const ft = POSE_THRESHOLDS.hands.faceTouch
  const perFrame = series.bodies.map((b) => {
    if (!b) return null
    const touching = SIDES.flatMap((side) => {
      const near = nearestFacePoint(b, side)
      return near && near.faceWidths <= ft.radiusFaceWidths ? [{ side, region: near.region, faceWidths: near.faceWidths }] : []
    })
    return touching.length ? touching : null
  })
  return runs(series.frames, (_f, i) => perFrame[i] !== null, series.frameMs, ft.minMs, ft.bridgeMs).map((r) => {
    const hits = perFrame.slice(r.first, r.last + 1).flatMap((x) => x ?? [])
    const sides = new Set(hits.map((h) => h.side))
    const counts = new Map<FaceRegion, number>()
    for (const h of hits) counts.set(h.region, (counts.get(h.region) ?? 0) + 1)
    const region = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0]
    // Bridged frames without a touch are Infinity face widths away.
    const nearest = (i: number) => Math.min(...(perFrame[i] ?? []).map((h) => h.faceWidths))
    let peak = r.first
    for (let i = r.first + 1; i <= r.last; i++) if (nearest(i) < nearest(peak)) peak = i
    return { startMs: r.startMs, endMs: Math.min(r.endMs, series.durationMs), hand: sides.size === 2 ? 'both' : [...sides][0]!, region, peakMs: series.frames[peak]!.t }
  })
}

function crossed (b: BodyFrame | null, torso: number, shoulderWidth: number): boolean {
  if (!b?.shoulders || !b.seen(WRIST.left) || !b.seen(WRIST.right)) return false
  const a = POSE_THRESHOLDS.hands.armsCrossed
  const middle = shoulderMid(b)
  return SIDES.every((side) => {
    const shoulder = b.point(side === 'left' ? LANDMARK.left_shoulder : LANDMARK.right_shoulder)
    const wrist = b.point(WRIST[side])
    const own = Math.sign(shoulder.x - middle.x) || (side === 'left' ? 1 : -1)
    const below = (wrist.y - middle.y) / torso
    return (wrist.x - middle.x) * own <= -a.marginShoulderWidths * shoulderWidth && below >= a.chestFromTorsos && below <= a.chestToTorsos
  })
}

function inSpans (spans: readonly Span[], t: number): boolean {
  return spans.some((s) => t >= s.startMs && t < s.endMs)
}

function noGestureStretches (series: PoseSeries, handSeen: readonly boolean[], gestures: readonly Gesture[]): NoGesture[] {
  const out: NoGesture[] = []
  let speakingMs = 0
  let start: number | null = null
  let end = 0
  const close = () => {
    if (start !== null && speakingMs >= POSE_THRESHOLDS.hands.noGestureSpeakingMs) {
      out.push({ startMs: start, endMs: Math.min(end, series.durationMs), speakingS: speakingMs / 1000 })
    }
    speakingMs = 0
    start = null
  }
  series.frames.forEach((frame, i) => {
    if (inSpans(gestures, frame.t)) { close(); return }
    const speaking = series.speaking === null || inSpans(series.speaking, frame.t)
    if (!handSeen[i] || !speaking) return
    const next = series.frames[i + 1]
    speakingMs += next ? Math.min(series.frameMs, next.t - frame.t) : series.frameMs
    start ??= frame.t
    end = frame.t + series.frameMs
  })
  close()
  return out
}

export function summarizeHands (series: PoseSeries): HandMetrics {
  const h = POSE_THRESHOLDS.hands
  const n = series.frames.length
  const tracks = { left: track(series, 'left'), right: track(series, 'right') }
  const handSeen = series.frames.map((_f, i) => tracks.left[i] !== null || tracks.right[i] !== null)
  const seenCount = handSeen.filter(Boolean).length
  const visibleMs = seenCount * series.frameMs
  const measured = visibleMs >= POSE_THRESHOLDS.visibility.minMeasuredMs
  const torso = series.torso
  const width = series.shoulderWidth
  const gestures = torso !== null && width !== null
    ? mergeGestures(SIDES.flatMap((side) => handGestures(series, side, tracks[side], torso, width)))
    : []
  const fidgets = torso !== null ? SIDES.flatMap((side) => handFidgets(tracks[side], torso)).sort((a, b) => a.startMs - b.startMs) : []
  const shouldersMs = series.bodies.filter((b) => b?.shoulders).length * series.frameMs
  const armsCrossed = torso !== null && width !== null
    ? runs(series.frames, (_f, i) => crossed(series.bodies[i]!, torso, width), series.frameMs, h.armsCrossed.minMs, POSE_THRESHOLDS.bridgeMs)
      .map((r) => ({ startMs: r.startMs, endMs: Math.min(r.endMs, series.durationMs) }))
    : []
  const outOfView = runs(series.frames, (_f, i) => !!series.bodies[i]?.shoulders && !handSeen[i], series.frameMs, h.outOfViewMs, POSE_THRESHOLDS.bridgeMs)
    .map((r) => ({ startMs: r.startMs, endMs: Math.min(r.endMs, series.durationMs) }))
  const minutes = visibleMs / 60_000
  return {
    visibleRatio: n ? seenCount / n : 0,
    visibleS: visibleMs / 1000,
    bothVisibleRatio: n ? series.frames.filter((_f, i) => tracks.left[i] !== null && tracks.right[i] !== null).length / n : 0,
    gestures,
    gesturesPerMinute: measured && torso !== null ? gestures.length / minutes : null,
    openGestureRatio: gestures.length ? gestures.filter((g) => g.open).length / gestures.length : null,
    gestureActiveRatio: measured && torso !== null ? Math.min(1, unionMs(gestures) / visibleMs) : null,
    fidgets,
    fidgetRatio: measured && torso !== null ? Math.min(1, unionMs(fidgets) / visibleMs) : null,
    faceTouches: faceTouches(series),
    armsCrossed,
    armsCrossedRatio: shouldersMs >= POSE_THRESHOLDS.visibility.minMeasuredMs && torso !== null ? Math.min(1, unionMs(armsCrossed) / shouldersMs) : null,
    outOfView,
    noGesture: torso !== null ? noGestureStretches(series, handSeen, gestures) : []
  }
}
