/**
 * Worker thread: the pose tracking chain (BlazePose detector when needed, then the landmark
 * model on the ROI from the previous frame). The lite landmark model loads at start; full only
 * when an analysis asks for it.
 */
import path from 'node:path'
import { workerData } from 'node:worker_threads'
import { serve } from '../../engine/workers/rpc.js'
import { StageTimer } from '../../engine/timing.js'
import type { VideoFrame } from '../../media/frames.js'
import { PoseDetector, POSE_DETECTOR_FILE } from './engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES, toPoseSignals, type PoseModelVariant } from './engine/landmarks.js'
import { PoseTracker, POSE_TRACKER_DEFAULTS } from './engine/tracker.js'

export interface PoseWorkerSetup { modelsDir: string }
export interface PoseResetRequest { model: PoseModelVariant }
export interface PoseTrackRequest {
  frame: VideoFrame
  /** The speaker's face box normalised to the frame (x, y, width, height), or null. */
  face: [number, number, number, number] | null
}

const { modelsDir } = workerData as PoseWorkerSetup
const detector = PoseDetector.load(path.join(modelsDir, POSE_DETECTOR_FILE))
const landmarkModels = new Map<PoseModelVariant, Promise<PoseLandmarkModel>>()
const landmarkModel = (variant: PoseModelVariant) => {
  let model = landmarkModels.get(variant)
  if (!model) {
    model = PoseLandmarkModel.load(path.join(modelsDir, POSE_LANDMARK_FILES[variant]))
    landmarkModels.set(variant, model)
  }
  return model
}
let timings = new StageTimer()
let tracker: PoseTracker | null = null

serve({
  ready: async () => {
    await Promise.all([detector, landmarkModel('lite')])
    return { result: true }
  },
  /** A new video: a new track with the chosen model, and fresh timings. */
  reset: async ({ model }: PoseResetRequest) => {
    timings = new StageTimer()
    tracker = new PoseTracker(await detector, await landmarkModel(model), POSE_TRACKER_DEFAULTS, timings)
    return { result: true }
  },
  track: async ({ frame, face }: PoseTrackRequest) => {
    if (!tracker) throw new Error('track() before reset()')
    const { width, height } = frame
    const box = face && { x: face[0] * width, y: face[1] * height, width: face[2] * width, height: face[3] * height }
    const result = await tracker.next(frame, frame.timeMs, box)
    if (!result) return { result: null }
    const pose = toPoseSignals(result, width, height)
    return { result: pose, transfer: [pose.landmarks.buffer as ArrayBuffer, pose.world.buffer as ArrayBuffer] }
  },
  timings: () => ({ result: timings.result() })
})
