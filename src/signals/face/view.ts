/** The face's sections of GET /analysis/:id and its frames in /frames?kind=face (snake_case, seconds, percentages). */
import { Type } from 'typebox'
import { Nullable, Probabilities } from '../../schemas/common.js'
import { round } from '../../numbers.js'
import type { SignalView } from '../contract.js'
import { EMOTIONS, type FaceFrame, type FaceMetrics } from './metrics/index.js'

const roundAll = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, round(v, 4)]))

const FaceSignalsSchema = Type.Object({
  box: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'x, y, width, height in 0..1 of the frame' }),
  pose: Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() }),
  gaze: Type.Object({ yaw: Type.Number(), pitch: Type.Number() }),
  eye_opening: Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }),
  blink: Type.Number(),
  blendshapes: Type.Record(Type.String(), Type.Number())
})

export const faceView: SignalView<FaceFrame, FaceMetrics> = {
  fields: {
    emotion_analysis: Type.Object({
      interview_score: Type.Number({ minimum: 0, maximum: 60 }),
      dominant_emotion: Nullable(Type.String()),
      emotions: Probabilities,
      timeline: Type.Array(Type.Object({ start_s: Type.Number(), end_s: Type.Number(), dominant: Type.String(), emotions: Probabilities }))
    }),
    eye_tracking: Type.Object({
      attention_score: Nullable(Type.Number({ minimum: 0, maximum: 100 })),
      eye_contact_ratio: Type.Number({ minimum: 0, maximum: 1 }),
      gaze_stability: Type.Number({ minimum: 0, maximum: 1 }),
      blink_frequency: Type.Number({ description: 'Blinks per minute of face time' }),
      blink_count: Type.Integer(),
      look_aways: Type.Integer({ description: 'Look-aways of 1 s or more' })
    }),
    head_movement: Type.Object({
      mean_speed_deg_per_s: Type.Number(),
      yaw_std_deg: Type.Number(),
      pitch_std_deg: Type.Number(),
      roll_std_deg: Type.Number(),
      large_movements_per_min: Type.Number()
    }),
    presence: Type.Object({
      face_missing_percent: Type.Number({ minimum: 0, maximum: 100 }),
      other_faces_percent: Type.Number({ minimum: 0, maximum: 100 })
    })
  },
  render: (m, { scores }) => ({
    emotion_analysis: {
      interview_score: scores.interviewScore,
      dominant_emotion: m.emotion.dominant,
      emotions: roundAll(m.emotion.distribution),
      timeline: m.emotion.timeline.map((b) => ({ start_s: b.startMs / 1000, end_s: b.endMs / 1000, dominant: b.dominant, emotions: roundAll(b.probabilities) }))
    },
    eye_tracking: {
      attention_score: scores.attentionScore,
      eye_contact_ratio: round(m.attention.eyeContactRatio, 3),
      gaze_stability: round(m.attention.gazeStability, 3),
      blink_frequency: round(m.blinks.ratePerMinute, 1),
      blink_count: m.blinks.count,
      look_aways: m.attention.lookAways.length
    },
    head_movement: {
      mean_speed_deg_per_s: round(m.head.meanSpeedDegPerSecond, 1),
      yaw_std_deg: round(m.head.std.yaw, 1),
      pitch_std_deg: round(m.head.std.pitch, 1),
      roll_std_deg: round(m.head.std.roll, 1),
      large_movements_per_min: round(m.head.largeMovementsPerMinute, 1)
    },
    presence: {
      face_missing_percent: round(m.presence.faceMissingRatio * 100, 1),
      other_faces_percent: round(m.presence.multipleFacesRatio * 100, 1)
    }
  }),
  frameDescription: 'face: every analysed frame (face box, head pose, gaze, eye opening, blink, blendshapes; emotion where estimated)',
  frameSchema: Type.Object({
    t_ms: Type.Number(),
    face: Nullable(FaceSignalsSchema),
    other_faces: Type.Integer(),
    emotion: Type.Optional(Probabilities)
  }),
  renderFrame: (frame) => ({
    t_ms: frame.t,
    other_faces: frame.otherFaces,
    face: frame.face && {
      box: frame.face.box, pose: frame.face.pose, gaze: frame.face.gaze,
      eye_opening: frame.face.eyeOpening, blink: frame.face.blink, blendshapes: frame.face.blendshapes
    },
    ...(frame.emotion ? { emotion: Object.fromEntries(EMOTIONS.map((e, k) => [e, frame.emotion![k]!])) } : {})
  })
}
