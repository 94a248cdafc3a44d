/**
 * The per-frame pose record every pose metric is computed from: plain data that the server's
 * engine (BlazePose as ONNX) and the browser's live mode (tasks-vision PoseLandmarker) both
 * produce. Landmark order and names are MediaPipe's.
 */

export const POSE_LANDMARKS = [
  'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye', 'right_eye_outer',
  'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder', 'right_shoulder', 'left_elbow',
  'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky', 'right_pinky', 'left_index', 'right_index',
  'left_thumb', 'right_thumb', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
  'left_heel', 'right_heel', 'left_foot_index', 'right_foot_index'
] as const
export type PoseLandmarkName = typeof POSE_LANDMARKS[number]
export const POSE_LANDMARK_COUNT = POSE_LANDMARKS.length

export interface PoseSignals {
  /**
   * 33 x (x, y, z, visibility), flat. x and y are normalised to the analysed frame (0..1; may
   * lie outside when a part is out of frame), z is depth on roughly the scale of x (MediaPipe's
   * convention, the hips' midpoint at 0), visibility 0..1 (sigmoid of the model's logit).
   */
  landmarks: Float32Array
  /** 33 x (x, y, z) in metres, origin between the hips (MediaPipe's world landmarks), flat. */
  world: Float32Array
  /** The landmark model's confidence that a body is in the crop, 0..1. */
  presence: number
}

export interface PoseFrame {
  /** Milliseconds from the start of the video. */
  t: number
  /** The speaker's body, or null when no body was found. */
  pose: PoseSignals | null
}
