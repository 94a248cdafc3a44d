/** Body language in GET /analysis/:id and pose frames in /frames?kind=pose (snake_case, seconds, percentages). */
import { Type } from 'typebox'
import { Nullable, StringEnum } from '../../schemas/common.js'
import { round } from '../../numbers.js'
import type { SignalView } from '../contract.js'
import type { PoseMetrics } from './metrics/index.js'
import { bodyLanguageScore } from './score.js'
import type { PoseFrame } from './types.js'

const NullableNumber = (description?: string) => Nullable(Type.Number(description ? { description } : {}))
const span = Type.Object({ start_s: Type.Number(), end_s: Type.Number() })
const percentOrNull = (ratio: number | null) => (ratio === null ? null : round(ratio * 100, 1))
const degreesOrNull = (value: number | null) => (value === null ? null : round(value, 1))
const spans = (items: ReadonlyArray<{ startMs: number, endMs: number }>) => items.map((s) => ({ start_s: round(s.startMs / 1000, 2), end_s: round(s.endMs / 1000, 2) }))

const NOTES: Record<PoseMetrics['visibility'], string | null> = {
  full: null,
  upper_body: null,
  head_and_shoulders: 'head-and-shoulders framing: posture below the shoulders, movement, gestures and the body-language score were not measured',
  not_visible: 'the body was not visible: posture, movement, gestures and the body-language score were not measured'
}

export const poseView: SignalView<PoseFrame, PoseMetrics> = {
  fields: {
    body_language: Type.Object({
      visibility: StringEnum(['full', 'upper_body', 'head_and_shoulders', 'not_visible'], { description: 'What the framing shows of the body (README: Body language)' }),
      body_visible: Type.Boolean({ description: 'True for full and upper_body: posture, movement and gestures are judged' }),
      note: Nullable(Type.String({ description: 'What was not measured and why' })),
      score: NullableNumber('0-100 body-language score; null when the body was not visible'),
      body_visible_percent: Type.Number({ minimum: 0, maximum: 100 }),
      posture: Type.Object({
        shoulder_tilt_deg: NullableNumber(),
        tilted_percent: NullableNumber(),
        facing_yaw_deg: NullableNumber('Shoulder line turned from the camera'),
        turned_away_percent: NullableNumber(),
        head_forward_deg: NullableNumber(),
        slouch_percent: NullableNumber(),
        side_lean_percent: NullableNumber(),
        slouches: Type.Array(span, { description: 'Slouching for 3 s or more' })
      }),
      movement: Type.Object({
        sway_torsos: NullableNumber('Side-to-side sway, in torso lengths'),
        travel_torsos_per_min: NullableNumber(),
        pacing: Nullable(Type.Boolean())
      }),
      hands: Type.Object({
        visible_percent: Type.Number({ minimum: 0, maximum: 100 }),
        gestures: Type.Integer(),
        gestures_per_min: NullableNumber('Per minute of hand-visible time'),
        open_gesture_percent: NullableNumber(),
        fidget_percent: NullableNumber(),
        face_touches: Type.Array(Type.Object({ start_s: Type.Number(), end_s: Type.Number(), region: Type.String() })),
        arms_crossed_percent: NullableNumber()
      })
    })
  },
  render: (m) => ({
    body_language: {
      visibility: m.visibility,
      body_visible: m.bodyVisible,
      note: m.bodyVisible || NOTES[m.visibility] ? NOTES[m.visibility] : 'the body was in view for too short a time: posture, movement, gestures and the body-language score were not measured',
      score: bodyLanguageScore(m),
      body_visible_percent: round(m.bodyVisibleRatio * 100, 1),
      posture: {
        shoulder_tilt_deg: degreesOrNull(m.posture.shoulderTiltDeg),
        tilted_percent: percentOrNull(m.posture.tiltedRatio),
        facing_yaw_deg: degreesOrNull(m.posture.facingYawDeg),
        turned_away_percent: percentOrNull(m.posture.facingRatio),
        head_forward_deg: degreesOrNull(m.posture.headForwardDeg),
        slouch_percent: percentOrNull(m.posture.slouchRatio),
        side_lean_percent: percentOrNull(m.posture.sideLeanRatio),
        slouches: spans(m.posture.slouches)
      },
      movement: {
        sway_torsos: m.movement.swayTorsos === null ? null : round(m.movement.swayTorsos, 3),
        travel_torsos_per_min: m.movement.travelTorsosPerMinute === null ? null : round(m.movement.travelTorsosPerMinute, 2),
        pacing: m.movement.pacing
      },
      hands: {
        visible_percent: round(m.hands.visibleRatio * 100, 1),
        gestures: m.hands.gestures.length,
        gestures_per_min: m.hands.gesturesPerMinute === null ? null : round(m.hands.gesturesPerMinute, 1),
        open_gesture_percent: percentOrNull(m.hands.openGestureRatio),
        fidget_percent: percentOrNull(m.hands.fidgetRatio),
        face_touches: m.hands.faceTouches.map((f) => ({ start_s: round(f.startMs / 1000, 2), end_s: round(f.endMs / 1000, 2), region: f.region })),
        arms_crossed_percent: percentOrNull(m.hands.armsCrossedRatio)
      }
    }
  }),
  frameDescription: 'pose: the body at the pose rate (33 landmarks with visibility, world landmarks in metres)',
  frameSchema: Type.Object({
    t_ms: Type.Number(),
    pose: Nullable(Type.Object({
      presence: Type.Number({ minimum: 0, maximum: 1 }),
      landmarks: Type.Array(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }), { description: '33 x [x, y, z, visibility]; x and y in 0..1 of the frame (MediaPipe order)' }),
      world: Type.Array(Type.Array(Type.Number(), { minItems: 3, maxItems: 3 }), { description: '33 x [x, y, z] in metres, origin between the hips' })
    }))
  }),
  renderFrame: (frame) => ({
    t_ms: frame.t,
    pose: frame.pose && {
      presence: frame.pose.presence,
      landmarks: groups(frame.pose.landmarks, 4),
      world: groups(frame.pose.world, 3)
    }
  })
}

function groups (values: Float32Array, size: number): number[][] {
  const out: number[][] = []
  for (let i = 0; i < values.length; i += size) out.push(Array.from(values.subarray(i, i + size), (v) => round(v, 4)))
  return out
}
