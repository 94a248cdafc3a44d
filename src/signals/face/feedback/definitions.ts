/**
 * What the face measures mean, for the LLM prompt's {{metric_definitions}}: built from
 * thresholds.ts, so the prompt quotes the limits the metrics, the scores and the rules use.
 */
import {
  BLINK_DETECTION, CALM_HEAD_DEG_PER_SECOND, CATEGORY_WEIGHTS, EMOTION_SMOOTHING_MS, GAZE_CONE, GAZE_SPREAD_FOR_ZERO_STABILITY_DEG,
  JUDGING as J, LARGE_HEAD_MOVEMENT_DEG, MIN_MISSING_MS, NORMAL_BLINK_RATE, SCORE_FORMULA as F
} from '../thresholds.js'

const s = (ms: number) => `${ms / 1000}`
const weight = (key: keyof typeof CATEGORY_WEIGHTS) => `weight ${Math.round(CATEGORY_WEIGHTS[key] * 100)}`
const blinkRange = `${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max}`

export const FACE_DEFINITIONS: readonly string[] = [
  `Eye contact %: of the time the face was in view with the eyes open, the share in which the gaze (head pose plus eye direction) pointed within ${GAZE_CONE.maxYaw} degrees sideways and ${GAZE_CONE.maxPitch} degrees up or down of the camera. ${J.eyeContactPercent.good}% or more is good; under ${J.eyeContactPercent.poor}% reads as avoiding the camera.`,
  `Look-away: a stretch of ${s(GAZE_CONE.minLookAwayMs)} second or more with the gaze outside that cone (a blink does not end it). An occasional glance away to think is natural; more than ${J.lookAways.maxPerMinute} per minute distracts. "To their left/right" is from the candidate's point of view.`,
  `Gaze stability, 0 to 1: 1 is a steady gaze, 0 a gaze wandering over ${GAZE_SPREAD_FOR_ZERO_STABILITY_DEG} degrees or more. ${J.gazeStability.good} or more is steady, under ${J.gazeStability.poor} restless.`,
  `Blinks: counted events; the rate is per minute of time with the face in view. ${blinkRange} per minute is normal. Far more often comes with nerves or dry eyes, far fewer looks like staring. Over a short recording the rate is only a rough estimate; the facts say so.`,
  `Eyes kept closed: closures longer than ${s(BLINK_DETECTION.maxBlinkMs)} s, not counted as blinks (looking down at notes can also read as closed eyes).`,
  `Head movement: the head's mean turning speed in degrees per second (up to ${J.headDegPerSecond.calm} is calm, over ${J.headDegPerSecond.restless} restless) and large movements: seconds with more than ${LARGE_HEAD_MOVEMENT_DEG} degrees of turning (nods, shakes, turning away), per minute (over ${J.largeMovementsPerMinute.restless} per minute is a lot).`,
  `Presence: the share of time the face was in view, stretches of ${s(MIN_MISSING_MS)} s or more without the face, and the share of time other people were in view.`,
  `Expression: a facial-expression classifier's probabilities (anger, contempt, disgust, fear, happiness, neutral, sadness, surprise), smoothed over about ${s(EMOTION_SMOOTHING_MS)} second. Shares are mean probabilities over the video; the parts give the dominant expression per stretch. Happiness and neutral are fine for an interview; lasting sadness, anger, fear or disgust reads as negative to an interviewer.`,
  `Face scores, 0-100 each: eye_contact (${weight('eye_contact')}; eye contact times time in view, minus ${F.lookAwayPenalty} per look-away per minute), expression (${weight('expression')}; positive minus negative expression), composure (${weight('composure')}; gaze stability, minus head speed over ${CALM_HEAD_DEG_PER_SECOND} degrees/s and blink rates outside ${blinkRange}), presence (${weight('presence')}; face in view, alone).`
]
