/**
 * From what tasks-vision's PoseLandmarker returns to the PoseSignals the pose metrics read.
 * Pure, no Node APIs: the browser's live mode calls it on every pose frame.
 *
 * tasks-vision already gives the engine's conventions (types.ts): x, y normalised to the frame,
 * z on the scale of x, visibility 0..1; world landmarks in metres around the hips. It reports no
 * presence score: a pose is only returned when its presence passed `minPosePresenceConfidence`,
 * which the caller passes as `presence` (a lower bound; the metrics only ask presence >= 0.5).
 */
import { POSE_LANDMARK_COUNT, type PoseSignals } from './types.js'

export interface TasksVisionPoseLandmark { x: number, y: number, z: number, visibility?: number }

export function poseSignalsFromTasksVision (landmarks: readonly TasksVisionPoseLandmark[], world: readonly TasksVisionPoseLandmark[], presence: number): PoseSignals {
  if (landmarks.length !== POSE_LANDMARK_COUNT) throw new Error(`tasks-vision pose: ${landmarks.length} landmarks, expected ${POSE_LANDMARK_COUNT}`)
  if (world.length !== POSE_LANDMARK_COUNT) throw new Error(`tasks-vision pose: ${world.length} world landmarks, expected ${POSE_LANDMARK_COUNT}`)
  const flat = new Float32Array(POSE_LANDMARK_COUNT * 4)
  const metres = new Float32Array(POSE_LANDMARK_COUNT * 3)
  for (let i = 0; i < POSE_LANDMARK_COUNT; i++) {
    const p = landmarks[i]!
    flat.set([p.x, p.y, p.z, p.visibility ?? 0], i * 4)
    const w = world[i]!
    metres.set([w.x, w.y, w.z], i * 3)
  }
  return { landmarks: flat, world: metres, presence }
}
