/**
 * The per-frame signals every metric is computed from. Plain data: the server's engine and
 * the browser's live mode (tasks-vision) both produce it.
 */

/** Canonical emotion labels (HSEmotion's order); 7-class models give contempt 0. */
export const EMOTIONS = ['anger', 'contempt', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise'] as const
export type Emotion = typeof EMOTIONS[number]

/** Blendshapes kept per frame (of MediaPipe's 52): the ones coaching feedback uses. */
export const KEY_BLENDSHAPES = [
  'eyeBlinkLeft', 'eyeBlinkRight', 'eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft', 'eyeLookOutRight',
  'eyeLookUpLeft', 'eyeLookUpRight', 'eyeLookDownLeft', 'eyeLookDownRight', 'eyeSquintLeft', 'eyeSquintRight',
  'mouthSmileLeft', 'mouthSmileRight', 'mouthFrownLeft', 'mouthFrownRight', 'browDownLeft', 'browDownRight',
  'browInnerUp', 'jawOpen', 'mouthPressLeft', 'mouthPressRight'
] as const
export type KeyBlendshape = typeof KEY_BLENDSHAPES[number]

export interface FaceSignals {
  /** Face box, normalised to the frame (x, y, width, height in 0..1). */
  box: [number, number, number, number]
  /** Degrees; see engine/face/geometry.ts for the signs. */
  pose: { yaw: number, pitch: number, roll: number }
  /** Where the eyes point relative to the camera, degrees (head pose + eyes in head). */
  gaze: { yaw: number, pitch: number }
  /** Eyelid opening over eye width, per eye (person's left, right). */
  eyeOpening: [number, number]
  /** Eye closure 0..1: the mean of MediaPipe's eyeBlinkLeft and eyeBlinkRight. */
  blink: number
  blendshapes: Record<KeyBlendshape, number>
  /**
   * Only when the face stage's `landmarks` option is on (datasets, src/datasets): never stored
   * (the codec ignores it) and never set in an ordinary analysis.
   */
  raw?: RawFaceOutput
}

/** The models' own outputs for one face, as tasks-vision's FaceLandmarker gives them. */
export interface RawFaceOutput {
  /** 478 x (x, y, z), flat: x / frame width, y / frame height, z / frame width (tasks-vision's normalisation). */
  landmarks: Float32Array
  /** All 52 blendshape scores in BLENDSHAPE_NAMES order (engine/blendshape-names.ts). */
  blendshapes: Float32Array
  /** The mesh model's face presence score, 0..1. */
  presence: number
}

export interface FaceFrame {
  /** Milliseconds from the start of the video. */
  t: number
  /** The main speaker's face, or null when not in view. */
  face: FaceSignals | null
  /** Other faces in view (as of the latest detection). */
  otherFaces: number
  /** Emotion probabilities in EMOTIONS order, on the frames where emotion was computed. */
  emotion?: number[]
}
