/**
 * Head pose, eye openness and gaze from the 478 mesh landmarks (x, y, z in image pixels; z
 * grows away from the camera). Pure functions of one frame's landmarks.
 *
 * Conventions (from the camera's point of view, degrees):
 *   yaw   > 0: the face turns towards the right of the image (the person's left)
 *   pitch > 0: the face tilts up
 *   roll  > 0: the head leans clockwise on screen (towards the person's left shoulder)
 * Gaze adds the eyes' rotation in the head to the head's pose, with the same signs.
 */

export interface HeadPose { yaw: number, pitch: number, roll: number }
export interface Gaze { yaw: number, pitch: number }
export interface EyeState {
  /** Eyelid opening over eye width (about 0.25-0.35 open, below ~0.1 closed). */
  opening: number
  /** Iris centre relative to the eye centre, in half eye widths, in the head's frame: x > 0 towards image right, y > 0 down. */
  iris: { x: number, y: number }
}

// Landmark indices (MediaPipe face mesh). "Right" is the person's right (image left).
const RIGHT_EYE = { outer: 33, inner: 133, upper: 159, lower: 145, iris: 468 }
const LEFT_EYE = { outer: 263, inner: 362, upper: 386, lower: 374, iris: 473 }
const FOREHEAD = 10
const CHIN = 152
const CHEEK_RIGHT = 234
const CHEEK_LEFT = 454

/**
 * Degrees of eye rotation per half eye width of iris displacement. The iris travels about
 * half the eye's width between looking straight and looking ~35 degrees aside.
 */
export const EYE_DEGREES_PER_HALF_WIDTH = 35

type Vec3 = [number, number, number]

function point (landmarks: Float32Array, index: number): Vec3 {
  return [landmarks[index * 3]!, landmarks[index * 3 + 1]!, landmarks[index * 3 + 2]!]
}
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s]
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const normalize = (a: Vec3): Vec3 => scale(a, 1 / (Math.hypot(a[0], a[1], a[2]) || 1))
const DEG = 180 / Math.PI

/**
 * The face's axes in camera space: x from the person's right to left (across eyes and cheeks),
 * y from forehead to chin, z = x cross y (into the face, away from the camera when frontal).
 */
export function faceAxes (landmarks: Float32Array): { x: Vec3, y: Vec3, z: Vec3 } {
  const across = add(
    sub(point(landmarks, LEFT_EYE.outer), point(landmarks, RIGHT_EYE.outer)),
    sub(point(landmarks, CHEEK_LEFT), point(landmarks, CHEEK_RIGHT)))
  const x = normalize(across)
  const down = sub(point(landmarks, CHIN), point(landmarks, FOREHEAD))
  const y = normalize(sub(down, scale(x, dot(down, x))))
  return { x, y, z: cross(x, y) }
}

type Axes = ReturnType<typeof faceAxes>

export function headPose (landmarks: Float32Array, axes: Axes = faceAxes(landmarks)): HeadPose {
  const { x, z } = axes
  // The face looks along -z (towards the camera when frontal).
  const forward = scale(z, -1)
  return {
    yaw: Math.atan2(forward[0], -forward[2]) * DEG,
    pitch: Math.atan2(-forward[1], Math.hypot(forward[0], forward[2])) * DEG,
    roll: Math.atan2(x[1], x[0]) * DEG
  }
}

function eyeState (landmarks: Float32Array, eye: typeof RIGHT_EYE, axes: { x: Vec3, y: Vec3 }): EyeState {
  const outer = point(landmarks, eye.outer)
  const inner = point(landmarks, eye.inner)
  const width = Math.hypot(inner[0] - outer[0], inner[1] - outer[1]) || 1
  const lids = sub(point(landmarks, eye.lower), point(landmarks, eye.upper))
  const centre = scale(add(outer, inner), 0.5)
  const offset = sub(point(landmarks, eye.iris), centre)
  const half = width / 2
  return {
    opening: Math.abs(dot(lids, axes.y)) / width,
    iris: { x: dot(offset, axes.x) / half, y: dot(offset, axes.y) / half }
  }
}

export function eyes (landmarks: Float32Array, axes: Axes = faceAxes(landmarks)): { left: EyeState, right: EyeState } {
  return { left: eyeState(landmarks, LEFT_EYE, axes), right: eyeState(landmarks, RIGHT_EYE, axes) }
}

/**
 * Where the person looks, relative to the camera: head pose plus the eyes' rotation in the
 * head, estimated from the iris offsets averaged over both eyes. The vertical iris offset is
 * measured from the eye-corner line, where the iris sits slightly below centre when looking
 * straight, so it is read relative to a resting offset.
 */
export function gaze (pose: HeadPose, eyeStates: { left: EyeState, right: EyeState }, restingIrisY = 0): Gaze {
  const irisX = (eyeStates.left.iris.x + eyeStates.right.iris.x) / 2
  const irisY = (eyeStates.left.iris.y + eyeStates.right.iris.y) / 2 - restingIrisY
  return {
    yaw: pose.yaw + irisX * EYE_DEGREES_PER_HALF_WIDTH,
    pitch: pose.pitch - irisY * EYE_DEGREES_PER_HALF_WIDTH
  }
}
