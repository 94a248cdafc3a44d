/**
 * A simple skeleton generator for the pose tests: a seated person facing the camera, in metres
 * (MediaPipe's world convention: origin between the hips, x towards the person's left, which is
 * the image's right, y down, z away from the camera), posed by a few parameters and projected
 * orthographically into normalised image coordinates for a framing.
 */
import { POSE_LANDMARKS, POSE_LANDMARK_COUNT, type PoseFrame, type PoseLandmarkName } from '../../src/signals/pose/types.js'

export interface Vec { x: number, y: number, z: number }

/** Where a framing puts the hips' midpoint (height fractions) and how many frame heights a metre is. */
export const FRAMINGS = {
  /** Head to knees in view (knees seen unless hidden). */
  upper: { cx: 0.5, cy: 0.8, scale: 0.7 },
  /** Head and shoulders: hips, elbows and resting hands below the frame. */
  head: { cx: 0.5, cy: 1.55, scale: 1.6 }
} as const

export const ASPECT = 16 / 9

export interface PoseSpec {
  framing?: keyof typeof FRAMINGS
  /** Head bent forward of the torso, degrees (slouch). */
  bend?: number
  /** Whole upper body leaning towards the camera, degrees. */
  lean?: number
  /** Upper body leaning to the person's left, degrees. */
  sideLean?: number
  /** Shoulder line tilted (person's left shoulder down), degrees. */
  tilt?: number
  /** Body turned (left shoulder away from the camera), degrees. */
  yaw?: number
  /** Whole body shifted sideways, metres. */
  shift?: number
  /** Wrist positions in world metres; default resting on the lap. */
  left?: Vec
  right?: Vec
  /** Visibility of the knees (hidden under a desk: low). */
  knees?: number
  /** Visibility of every other landmark. */
  visibility?: number
  /** Visibility of the wrists and hand points (default: `visibility`). */
  handVisibility?: number
  /** Landmarks with visibility 0.05 (occluded). */
  hidden?: readonly PoseLandmarkName[]
  presence?: number
}

const v = (x: number, y: number, z: number): Vec => ({ x, y, z })

export const REST = { left: v(0.14, 0.02, -0.25), right: v(-0.14, 0.02, -0.25) }
/** The mouth's world position with no bend or lean. */
export const MOUTH = v(0, -0.655, -0.09)

const BASE: Partial<Record<PoseLandmarkName, Vec>> = {
  nose: v(0, -0.71, -0.11),
  left_eye_inner: v(0.015, -0.74, -0.09), left_eye: v(0.032, -0.74, -0.09), left_eye_outer: v(0.048, -0.74, -0.085),
  right_eye_inner: v(-0.015, -0.74, -0.09), right_eye: v(-0.032, -0.74, -0.09), right_eye_outer: v(-0.048, -0.74, -0.085),
  left_ear: v(0.075, -0.72, 0), right_ear: v(-0.075, -0.72, 0),
  mouth_left: v(0.025, -0.655, -0.09), mouth_right: v(-0.025, -0.655, -0.09),
  left_shoulder: v(0.18, -0.5, 0), right_shoulder: v(-0.18, -0.5, 0),
  left_elbow: v(0.22, -0.22, -0.05), right_elbow: v(-0.22, -0.22, -0.05),
  left_hip: v(0.1, 0, 0), right_hip: v(-0.1, 0, 0),
  left_knee: v(0.12, 0.05, -0.45), right_knee: v(-0.12, 0.05, -0.45),
  left_ankle: v(0.12, 0.5, -0.45), right_ankle: v(-0.12, 0.5, -0.45),
  left_heel: v(0.12, 0.55, -0.42), right_heel: v(-0.12, 0.55, -0.42),
  left_foot_index: v(0.12, 0.55, -0.6), right_foot_index: v(-0.12, 0.55, -0.6)
}

const HEAD = new Set<PoseLandmarkName>(['nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye', 'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left', 'mouth_right'])
const UPPER = new Set<PoseLandmarkName>([...HEAD, 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow'])

const rad = (deg: number) => deg * Math.PI / 180

/** Rotate p about pivot in the y-z plane, tipping points above the pivot towards the camera. */
function forward (p: Vec, pivot: Vec, deg: number): Vec {
  const a = rad(deg), dy = p.y - pivot.y, dz = p.z - pivot.z
  return v(p.x, pivot.y + dy * Math.cos(a) - dz * Math.sin(a), pivot.z + dz * Math.cos(a) + dy * Math.sin(a))
}

/** Rotate p about pivot in the x-y plane, tipping points above the pivot towards +x. */
function sideways (p: Vec, pivot: Vec, deg: number): Vec {
  const a = rad(deg), dy = p.y - pivot.y, dx = p.x - pivot.x
  return v(pivot.x + dx * Math.cos(a) - dy * Math.sin(a), pivot.y + dy * Math.cos(a) + dx * Math.sin(a), p.z)
}

/** Rotate p about the vertical axis: +x (the left side) moves away from the camera. */
function turn (p: Vec, deg: number): Vec {
  const a = rad(deg)
  return v(p.x * Math.cos(a) - p.z * Math.sin(a), p.y, p.z * Math.cos(a) + p.x * Math.sin(a))
}

export function skeleton (spec: PoseSpec = {}): Record<PoseLandmarkName, Vec> {
  const points = {} as Record<PoseLandmarkName, Vec>
  const shoulders = v(0, -0.5, 0)
  const hips = v(0, 0, 0)
  for (const name of POSE_LANDMARKS) {
    let p = BASE[name] ?? v(0, 0, 0)
    if (HEAD.has(name) && spec.bend) p = forward(p, shoulders, spec.bend)
    if (name === 'left_shoulder' && spec.tilt) p = v(p.x, p.y + 0.18 * Math.tan(rad(spec.tilt)), p.z)
    if (name === 'right_shoulder' && spec.tilt) p = v(p.x, p.y - 0.18 * Math.tan(rad(spec.tilt)), p.z)
    if (UPPER.has(name) && spec.lean) p = forward(p, hips, spec.lean)
    if (UPPER.has(name) && spec.sideLean) p = sideways(p, hips, spec.sideLean)
    points[name] = p
  }
  const wrists = { left: spec.left ?? REST.left, right: spec.right ?? REST.right }
  for (const side of ['left', 'right'] as const) {
    const w = wrists[side]
    const s = side === 'left' ? 1 : -1
    points[`${side}_wrist`] = w
    points[`${side}_index`] = v(w.x + 0.01 * s, w.y - 0.08, w.z)
    points[`${side}_pinky`] = v(w.x + 0.04 * s, w.y - 0.06, w.z)
    points[`${side}_thumb`] = v(w.x - 0.02 * s, w.y - 0.05, w.z)
  }
  if (spec.yaw) for (const name of POSE_LANDMARKS) points[name] = turn(points[name], spec.yaw)
  return points
}

export function poseFrame (t: number, spec: PoseSpec = {}): PoseFrame {
  const framing = FRAMINGS[spec.framing ?? 'upper']
  const points = skeleton(spec)
  const landmarks = new Float32Array(POSE_LANDMARK_COUNT * 4)
  const world = new Float32Array(POSE_LANDMARK_COUNT * 3)
  POSE_LANDMARKS.forEach((name, i) => {
    const p = points[name]
    landmarks[i * 4] = (framing.cx + framing.scale * (p.x + (spec.shift ?? 0))) / ASPECT
    landmarks[i * 4 + 1] = framing.cy + framing.scale * p.y
    landmarks[i * 4 + 2] = p.z * framing.scale
    const hand = /_(wrist|index|pinky|thumb)$/.test(name)
    landmarks[i * 4 + 3] = spec.hidden?.includes(name)
      ? 0.05
      : name.endsWith('_knee') ? (spec.knees ?? 0.9) : hand && spec.handVisibility !== undefined ? spec.handVisibility : (spec.visibility ?? 0.95)
    world[i * 3] = p.x
    world[i * 3 + 1] = p.y
    world[i * 3 + 2] = p.z
  })
  return { t, pose: { landmarks, world, presence: spec.presence ?? 0.99 } }
}

export const FRAME_MS = 100

/** Frames every FRAME_MS from `startMs` for `ms`, posed per time by `spec`. */
export function sequence (ms: number, spec: (t: number) => PoseSpec | null, startMs = 0): PoseFrame[] {
  const out: PoseFrame[] = []
  for (let t = startMs; t < startMs + ms; t += FRAME_MS) {
    const s = spec(t)
    out.push(s === null ? { t, pose: null } : poseFrame(t, s))
  }
  return out
}

export const at = (x: number, y: number, z: number) => v(x, y, z)

export const HIDDEN_HANDS: readonly PoseLandmarkName[] = [
  'left_wrist', 'right_wrist', 'left_index', 'right_index', 'left_pinky', 'right_pinky', 'left_thumb', 'right_thumb'
]

/** A hand waving sideways in front of the chest at `hz`, `amplitude` metres either side. */
export function wave (t: number, side: 'left' | 'right', hz = 1, amplitude = 0.15): Vec {
  const s = side === 'left' ? 1 : -1
  return v(s * 0.2 + amplitude * Math.sin(2 * Math.PI * hz * t / 1000), -0.3, -0.3)
}

/** A hand on the lap jiggling `amplitude` metres at `hz`. */
export function jiggle (t: number, side: 'left' | 'right', hz = 2, amplitude = 0.03): Vec {
  const rest = REST[side]
  return v(rest.x + amplitude * Math.sin(2 * Math.PI * hz * t / 1000), rest.y, rest.z)
}

/** The left hand's wrist placed so its index point sits at the mouth's corner. */
export function handAtMouth (spec: PoseSpec = {}): Vec {
  const mouth = skeleton(spec).mouth_left
  return v(mouth.x - 0.01, mouth.y + 0.08, mouth.z - 0.03)
}
