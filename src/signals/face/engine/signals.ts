/**
 * From one frame's mesh landmarks and blendshape scores to the FaceSignals stored per frame,
 * and the face region the emotion models crop.
 */
import { round } from '../../../numbers.js'
import { KEY_BLENDSHAPES, type FaceSignals, type RawFaceOutput } from '../metrics/index.js'
import { BLENDSHAPE_NAMES } from './blendshape-names.js'
import { faceAxes, headPose, eyes, gaze } from './geometry.js'
import type { FaceRegion } from '../emotion/classifier.js'

const BLEND_INDEX = Object.fromEntries(BLENDSHAPE_NAMES.map((name, i) => [name, i])) as Record<string, number>

/**
 * Where the iris sits, in half eye widths below the eye-corner line, when looking straight
 * ahead (measured on the frontal fixture faces: -0.16 to -0.21).
 */
const RESTING_IRIS_Y = -0.18

export function faceSignals (landmarks: Float32Array, scores: Float32Array, width: number, height: number): FaceSignals {
  const axes = faceAxes(landmarks)
  const pose = headPose(landmarks, axes)
  const eyeStates = eyes(landmarks, axes)
  const blendshapes = Object.fromEntries(KEY_BLENDSHAPES.map((name) => [name, round(scores[BLEND_INDEX[name]!]!, 3)])) as FaceSignals['blendshapes']
  const [x0, y0, x1, y1] = faceBounds(landmarks)
  const direction = gaze(pose, eyeStates, RESTING_IRIS_Y)
  return {
    box: [round(x0 / width, 4), round(y0 / height, 4), round((x1 - x0) / width, 4), round((y1 - y0) / height, 4)],
    pose: { yaw: round(pose.yaw, 2), pitch: round(pose.pitch, 2), roll: round(pose.roll, 2) },
    gaze: { yaw: round(direction.yaw, 2), pitch: round(direction.pitch, 2) },
    eyeOpening: [round(eyeStates.left.opening, 3), round(eyeStates.right.opening, 3)],
    blink: round((blendshapes.eyeBlinkLeft + blendshapes.eyeBlinkRight) / 2, 3),
    blendshapes
  }
}

/**
 * The mesh's landmarks normalised as tasks-vision gives them (x / width, y / height, z / width;
 * tasks-vision.ts converts the other way) and all 52 blendshape scores, copied.
 */
export function rawFaceOutput (landmarks: Float32Array, scores: Float32Array, width: number, height: number, presence: number): RawFaceOutput {
  const normalised = new Float32Array(landmarks.length)
  for (let i = 0; i < landmarks.length; i += 3) {
    normalised[i] = landmarks[i]! / width
    normalised[i + 1] = landmarks[i + 1]! / height
    normalised[i + 2] = landmarks[i + 2]! / width
  }
  return { landmarks: normalised, blendshapes: Float32Array.from(scores), presence }
}

/**
 * The face box and the 5 alignment points from the mesh, in YuNet's order: the person's right
 * eye (image left), left eye, nose tip, right and left mouth corners. The eyes are the iris
 * centres (landmarks 468 and 473), as the ArcFace template's eye points are pupils: aligning
 * on them rather than on the eye-corner midpoints took MobileFaceNet from 9 to 10 of the 13
 * labelled fixture faces.
 */
export function emotionRegion (landmarks: Float32Array): FaceRegion {
  const p = (i: number): [number, number] => [landmarks[i * 3]!, landmarks[i * 3 + 1]!]
  const [x0, y0, x1, y1] = faceBounds(landmarks)
  return {
    box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    keypoints: [p(468), p(473), p(1), p(61), p(291)]
  }
}

/** Bounds of the 468 face landmarks (the iris points lie inside them). */
export function faceBounds (landmarks: Float32Array): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
  for (let i = 0; i < 468 * 3; i += 3) {
    x0 = Math.min(x0, landmarks[i]!); x1 = Math.max(x1, landmarks[i]!)
    y0 = Math.min(y0, landmarks[i + 1]!); y1 = Math.max(y1, landmarks[i + 1]!)
  }
  return [x0, y0, x1, y1]
}
