/**
 * What the pose measures mean, for the LLM prompt's {{metric_definitions}}: built from
 * thresholds.ts and score.ts, so the prompt quotes the limits the metrics, the score and the
 * rules use.
 */
import { ACTIVE_GESTURE_SHARE, BODY_LANGUAGE_PARTS as W, BODY_LANGUAGE_WEIGHT } from '../score.js'
import { POSE_THRESHOLDS as T } from '../thresholds.js'

const s = (ms: number) => `${ms / 1000}`
const pct = (share: number) => `${Math.round(share * 100)}%`
const G = T.hands.gesturesPerMinute

export const POSE_DEFINITIONS: readonly string[] = [
  `Body framing: "upper body" or "full body" when the shoulders and the hips (or both elbows) were in view in at least ${pct(T.visibility.minShare)} of the frames; "head and shoulders" when only the shoulders were. Posture below the shoulders, body movement, gestures and the body-language score are only measured with the body in view; otherwise the facts say they were not measured, and nothing about them may be claimed.`,
  `Distances are in torso lengths (shoulder midpoint to hip midpoint, about half a metre), so they do not depend on the distance to the camera.`,
  `Slouching: the head bent forward of the torso's line by more than ${T.posture.slouchBendDeg} degrees (the angle at the shoulders between the hip-shoulder and shoulder-ear lines, seen from the side); a slouch on the timeline lasts ${s(T.posture.minSlouchMs)} s or more. Leaning in with a straight back is not slouching. Head forward: the ear-shoulder line tilted forward of vertical by more than ${T.posture.headForwardDeg} degrees.`,
  `Leaning sideways: the torso more than ${T.posture.sideLeanDeg} degrees from vertical; shoulders tilted: the shoulder line more than ${T.posture.shoulderTiltDeg} degrees from level; facing the camera: the shoulder line turned less than ${T.posture.facingYawDeg} degrees away. Under ${pct(T.posture.goodShare)} of the time is fine for each, over ${pct(T.posture.poorShare)} is a habit worth correcting.`,
  `Sway: side-to-side rocking of the shoulders (root mean square around a ${s(T.movement.swayWindowMs)} s average) in torso lengths: up to ${T.movement.swayTorsos.calm} is calm, over ${T.movement.swayTorsos.restless} restless. Pacing: moving over ${T.movement.pacingRangeTorsos} torso length or more and ${T.movement.pacingTravelTorsosPerMinute} or more per minute.`,
  `Gesture: a hand above the waist moving at ${T.hands.gestureSpeed} torso lengths per second or faster for ${T.hands.minGestureMs} ms or more, covering ${T.hands.minGestureAmplitude} torso lengths or more; both hands together count once. ${G.min}-${G.max} per minute of hand-visible time is engaged; under ${G.poorBelow} looks stiff, over ${G.poorAbove} busy. Open gesture: the hand reached ${T.hands.openShoulderWidths} shoulder widths or more from the body's midline. Gestures are only judged with the hands in view ${pct(T.hands.minVisibleShare)} of the recording or more.`,
  `Fidgeting: small fast repeated hand motion (${T.hands.fidget.minSwings} or more back-and-forth movements of ${T.hands.fidget.minSwing}-${T.hands.fidget.maxSwing} torso lengths, each within ${s(T.hands.fidget.maxSwingGapMs)} s of the last), as a share of the hand-visible time: up to ${pct(T.hands.fidgetShare.good)} is fine, over ${pct(T.hands.fidgetShare.poor)} distracting.`,
  `Face touch: a hand at the nose, mouth, eyes, cheek or ears for ${s(T.hands.faceTouch.minMs)} s or more; measured in any framing. More than ${T.hands.maxFaceTouchesPerMinute} per minute reads as nervous to an interviewer.`,
  `Arms crossed: both wrists past the body's midline at chest height for ${s(T.hands.armsCrossed.minMs)} s or more; over ${pct(T.hands.armsCrossedShare.poor)} of the time reads as closed. Hands out of view: the body in view but neither hand for ${s(T.hands.outOfViewMs)} s or more. No gesture: ${s(T.hands.noGestureSpeakingMs)} s of speaking with a hand in view and no gesture (without audio, all of the time counts).`,
  `Body-language score, 0-100 (category body_language, weight ${Math.round(BODY_LANGUAGE_WEIGHT * 100)} of the interview score, only when the body is in view): posture (${W.posture}: 100 minus 60 x slouched share, 20 x each of side-lean, tilted and turned-away shares), gestures (${W.gestures}: 100 within ${G.min}-${G.max} per minute or when gesturing ${pct(ACTIVE_GESTURE_SHARE)} of the time, less for fewer or many more; left out with the hands rarely in view) and composure (${W.composure}: 100 minus face touches, fidgeting, crossed arms, sway and pacing).`
]
