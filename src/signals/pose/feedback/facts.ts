/**
 * The pose facts both feedback writers cite: the pose metrics reduced to rounded numbers and
 * mm:ss timestamps, and their English statements for the LLM prompt. Pure functions.
 *
 * What the recording shows decides what there is to say (`status`):
 *   measured            the body was in view (upper_body or full framing): posture, movement,
 *                       hands and the body-language score
 *   head_and_shoulders  only the head and shoulders: no posture below the shoulders, no
 *                       gestures, no score; face touches are still measured (a hand at the face
 *                       comes into the frame)
 *   not_visible         no body in view: nothing measured but face touches, if any were seen
 *   not_analysed        the pose stage did not run (null metrics)
 * Nothing is invented: a measure the metrics left null stays null here and is described as not
 * measured.
 */
import { round } from '../../../numbers.js'
import type { FactContext } from '../../../feedback/contribution.js'
import { formatTimestamp, timeRange, type TimeRange } from '../../../feedback/timestamps.js'
import type { FaceRegion, PoseMetrics, PoseVisibility } from '../metrics/index.js'
import { bodyLanguageBreakdown, type BodyLanguageBreakdown } from '../score.js'
import { POSE_THRESHOLDS as T } from '../thresholds.js'

export type PoseStatus = 'measured' | 'head_and_shoulders' | 'not_visible' | 'not_analysed'

export interface FaceTouchFact extends TimeRange {
  region: FaceRegion
  hand: 'left' | 'right' | 'both'
}

export interface NoGestureFact extends TimeRange {
  /** Speaking seconds in it without a gesture. */
  speakingSeconds: number
}

export interface PoseFacts {
  status: PoseStatus
  /** Null when not analysed. */
  visibility: PoseVisibility | null
  durationS: number
  /** The video's length as mm:ss. */
  duration: string
  /** Share of the recording with the body (shoulders with hips or elbows) in view. */
  bodyVisiblePercent: number
  /** Share of the recording with the shoulders in view. */
  shouldersVisiblePercent: number
  /** The body-language score and its parts (score.ts); null unless measured. */
  score: BodyLanguageBreakdown | null
  posture: {
    /** Each null when not measured (the hips-based ones need the hips in view). */
    slouchPercent: number | null
    slouchDeg: number | null
    /** Slouches of POSE_THRESHOLDS.posture.minSlouchMs or more. */
    slouches: TimeRange[]
    headForwardDeg: number | null
    headForwardPercent: number | null
    forwardLeanDeg: number | null
    sideLeanDeg: number | null
    sideLeanPercent: number | null
    shoulderTiltDeg: number | null
    tiltedPercent: number | null
    facingYawDeg: number | null
    facingPercent: number | null
  }
  movement: {
    swayTorsos: number | null
    rangeTorsos: number | null
    travelTorsosPerMinute: number | null
    pacing: boolean | null
  }
  hands: {
    visiblePercent: number
    /** Hands seen for at least POSE_THRESHOLDS.hands.minVisibleShare of the recording: gestures are judged. */
    enoughInView: boolean
    gestures: number
    gesturesPerMinute: number | null
    openPercent: number | null
    gesturingPercent: number | null
    fidgetPercent: number | null
    fidgets: TimeRange[]
    faceTouches: FaceTouchFact[]
    faceTouchesPerMinute: number
    armsCrossedPercent: number | null
    armsCrossed: TimeRange[]
    outOfView: TimeRange[]
    noGesture: NoGestureFact[]
    /** False without audio: the no-gesture stretches were counted over all of the time. */
    speakingKnown: boolean
  }
}

export const percent = (ratio: number) => Math.round(ratio * 100)
const pctOrNull = (ratio: number | null) => (ratio === null ? null : percent(ratio))
const degOrNull = (deg: number | null) => (deg === null ? null : round(deg))
const torsos = (value: number | null) => (value === null ? null : round(value, 2))

function emptyFacts (durationS: number, status: PoseStatus): PoseFacts {
  return {
    status,
    visibility: null,
    durationS: round(durationS, 1),
    duration: formatTimestamp(durationS * 1000),
    bodyVisiblePercent: 0,
    shouldersVisiblePercent: 0,
    score: null,
    posture: {
      slouchPercent: null, slouchDeg: null, slouches: [], headForwardDeg: null, headForwardPercent: null, forwardLeanDeg: null,
      sideLeanDeg: null, sideLeanPercent: null, shoulderTiltDeg: null, tiltedPercent: null, facingYawDeg: null, facingPercent: null
    },
    movement: { swayTorsos: null, rangeTorsos: null, travelTorsosPerMinute: null, pacing: null },
    hands: {
      visiblePercent: 0, enoughInView: false, gestures: 0, gesturesPerMinute: null, openPercent: null, gesturingPercent: null,
      fidgetPercent: null, fidgets: [], faceTouches: [], faceTouchesPerMinute: 0, armsCrossedPercent: null, armsCrossed: [],
      outOfView: [], noGesture: [], speakingKnown: false
    }
  }
}

export function poseFacts (metrics: PoseMetrics | null, context: Pick<FactContext, 'durationS'>): PoseFacts {
  if (!metrics) return emptyFacts(context.durationS, 'not_analysed')
  const durationS = context.durationS > 0 ? context.durationS : metrics.durationS
  const durationMs = durationS * 1000
  const range = (s: { startMs: number, endMs: number }) => timeRange(s.startMs, s.endMs, durationMs)
  const status: PoseStatus = metrics.bodyVisible ? 'measured' : metrics.visibility === 'head_and_shoulders' ? 'head_and_shoulders' : 'not_visible'
  const p = metrics.posture
  const h = metrics.hands
  const m = metrics.movement
  const minutes = Math.max(durationS / 60, 1 / 60)
  const measured = status === 'measured'
  // Outside a visible body only what was seen is kept: shoulders (head and shoulders) and face touches.
  const shoulders = status !== 'not_visible'
  const facts = emptyFacts(durationS, status)
  return {
    ...facts,
    visibility: metrics.visibility,
    bodyVisiblePercent: percent(metrics.bodyVisibleRatio),
    shouldersVisiblePercent: percent(metrics.shouldersVisibleRatio),
    score: bodyLanguageBreakdown(metrics),
    posture: {
      slouchPercent: measured ? pctOrNull(p.slouchRatio) : null,
      slouchDeg: measured ? degOrNull(p.slouchBendDeg) : null,
      slouches: measured ? p.slouches.map(range) : [],
      headForwardDeg: shoulders ? degOrNull(p.headForwardDeg) : null,
      headForwardPercent: shoulders ? pctOrNull(p.headForwardRatio) : null,
      forwardLeanDeg: measured ? degOrNull(p.forwardLeanDeg) : null,
      sideLeanDeg: measured ? degOrNull(p.sideLeanDeg) : null,
      sideLeanPercent: measured ? pctOrNull(p.sideLeanRatio) : null,
      shoulderTiltDeg: shoulders ? degOrNull(p.shoulderTiltDeg) : null,
      tiltedPercent: shoulders ? pctOrNull(p.tiltedRatio) : null,
      facingYawDeg: shoulders ? degOrNull(p.facingYawDeg) : null,
      facingPercent: shoulders ? pctOrNull(p.facingRatio) : null
    },
    movement: measured
      ? { swayTorsos: torsos(m.swayTorsos), rangeTorsos: torsos(m.rangeTorsos), travelTorsosPerMinute: torsos(m.travelTorsosPerMinute), pacing: m.pacing }
      : facts.movement,
    hands: {
      ...facts.hands,
      visiblePercent: percent(h.visibleRatio),
      enoughInView: measured && h.visibleRatio >= T.hands.minVisibleShare,
      gestures: measured ? h.gestures.length : 0,
      gesturesPerMinute: measured && h.gesturesPerMinute !== null ? round(h.gesturesPerMinute, 1) : null,
      openPercent: measured ? pctOrNull(h.openGestureRatio) : null,
      gesturingPercent: measured ? pctOrNull(h.gestureActiveRatio) : null,
      fidgetPercent: measured ? pctOrNull(h.fidgetRatio) : null,
      fidgets: measured ? h.fidgets.map(range) : [],
      faceTouches: h.faceTouches.map((f) => ({ ...range(f), region: f.region, hand: f.hand })),
      faceTouchesPerMinute: round(h.faceTouches.length / minutes, 1),
      armsCrossedPercent: measured ? pctOrNull(h.armsCrossedRatio) : null,
      armsCrossed: measured ? h.armsCrossed.map(range) : [],
      outOfView: measured ? h.outOfView.map(range) : [],
      noGesture: measured ? h.noGesture.map((g) => ({ ...range(g), speakingSeconds: round(g.speakingS, 1) })) : [],
      speakingKnown: metrics.speakingKnown
    }
  }
}

const list = (ranges: readonly TimeRange[]) => ranges.map((r) => r.label).join(', ')
const orNot = (value: number | null, text: (v: number) => string, why = 'not measured') => (value === null ? why : text(value))

/** The pose facts as English statements for the LLM prompt. */
export function describePoseFacts (f: PoseFacts): string[] {
  const touches = f.hands.faceTouches
  const touchText = touches.length
    ? `${touches.length} (${f.hands.faceTouchesPerMinute} per minute): ${touches.map((t) => `${t.label} at the ${t.region}, ${t.seconds} s`).join(', ')}`
    : 'none'
  if (f.status === 'not_analysed') return ['Body language: not analysed for this recording (no posture, gestures or body-language score).']
  if (f.status !== 'measured') {
    const what = f.status === 'head_and_shoulders'
      ? `only the head and shoulders were in view (the body below the shoulders was in view ${f.bodyVisiblePercent}% of the recording)`
      : `the body was not in view (shoulders seen ${f.shouldersVisiblePercent}% of the recording)`
    return [`Body language: ${what}, so posture, body movement and gestures were not measured and there is no body-language score; ` +
      `face touches (a hand at the face for ${T.hands.faceTouch.minMs / 1000} s or more) were still looked for: ${touchText}.`]
  }
  const p = f.posture
  const h = f.hands
  const m = f.movement
  const s = f.score!
  const noHips = 'not measured (hips not in view)'
  const lines = [
    `Body: ${f.visibility === 'full' ? 'full body' : 'upper body'} in view ${f.bodyVisiblePercent}% of the recording. Body-language score ${s.score}/100 ` +
      `(posture ${s.posture}, gestures ${s.gestures ?? 'not scored: hands rarely in view'}, composure ${s.composure}).`,
    `Posture: slouched ${orNot(p.slouchPercent, (v) => `${v}% of the measured time (median head bend ${p.slouchDeg} degrees)`, noHips)}` +
      (p.slouches.length ? `; slouches of ${T.posture.minSlouchMs / 1000} s or more: ${p.slouches.map((r) => `${r.label} (${r.seconds} s)`).join(', ')}` : '') +
      `; head forward ${orNot(p.headForwardDeg, (v) => `${v} degrees (median; forward over ${T.posture.headForwardDeg} degrees ${p.headForwardPercent}% of the time)`)}` +
      `; torso lean towards the camera ${orNot(p.forwardLeanDeg, (v) => `${v} degrees`, noHips)}` +
      `; leaning sideways over ${T.posture.sideLeanDeg} degrees ${orNot(p.sideLeanPercent, (v) => `${v}% of the time`, noHips)}` +
      `; shoulders tilted over ${T.posture.shoulderTiltDeg} degrees ${orNot(p.tiltedPercent, (v) => `${v}% of the time (median tilt ${p.shoulderTiltDeg} degrees)`)}` +
      `; shoulders square to the camera (turned under ${T.posture.facingYawDeg} degrees) ${orNot(p.facingPercent, (v) => `${v}% of the time`)}.`,
    `Movement: sway ${orNot(m.swayTorsos, (v) => `${v} torso lengths (calm up to ${T.movement.swayTorsos.calm}, restless over ${T.movement.swayTorsos.restless})`)}` +
      `; ${m.pacing === null ? 'pacing not measured' : m.pacing ? `pacing: moved over ${m.rangeTorsos} torso lengths, ${m.travelTorsosPerMinute} per minute` : 'no pacing'}.`,
    `Hands: in view ${h.visiblePercent}% of the recording` +
      (h.enoughInView
        ? `; ${h.gestures} gesture${h.gestures === 1 ? '' : 's'} (${h.gesturesPerMinute} per minute of hand-visible time; ${T.hands.gesturesPerMinute.min}-${T.hands.gesturesPerMinute.max} is engaged)` +
          (h.openPercent !== null ? `, ${h.openPercent}% open (away from the body)` : '') +
          `; gesturing ${h.gesturingPercent}% of the hand-visible time; fidgeting ${h.fidgetPercent}% of it` +
          (h.fidgets.length ? ` (${list(h.fidgets.slice(0, 6))})` : '') + '.'
        : `, too little (under ${percent(T.hands.minVisibleShare)}%) to judge gestures or fidgeting.`),
    `Face touches (a hand at the face for ${T.hands.faceTouch.minMs / 1000} s or more): ${touchText}.`
  ]
  if (h.armsCrossedPercent !== null) {
    lines.push(`Arms crossed: ${h.armsCrossedPercent}% of the time${h.armsCrossed.length ? ` (${list(h.armsCrossed)})` : ''}.`)
  }
  if (h.outOfView.length) lines.push(`Hands out of view for ${T.hands.outOfViewMs / 1000} s or more: ${h.outOfView.map((r) => `${r.label} (${r.seconds} s)`).join(', ')}.`)
  if (h.noGesture.length) {
    lines.push(`No gesture during ${T.hands.noGestureSpeakingMs / 1000} s or more of ${h.speakingKnown ? 'speaking' : 'the recording (no audio, so all of it counted)'} with a hand in view: ` +
      `${h.noGesture.map((g) => `${g.label} (${g.speakingSeconds} s)`).join(', ')}.`)
  }
  return lines
}
