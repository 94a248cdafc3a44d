/**
 * Worker thread of the live engine pool: the video engine's face and pose chains on single
 * frames, for several live sessions at once. The models are loaded once per thread; each
 * session has its own trackers (a face track and a body track follow one camera).
 *
 * It runs the engine's own modules in the order the engine's workers do (face-worker.ts, then
 * aux-worker.ts, then the pose worker): FaceTracker (YuNet, BlazeFace for close-ups, the face
 * mesh on the crop from the previous frame's landmarks), blendshapes and faceSignals, emotion
 * on the aligned crop with its blendshape prior and other faces counted when due, then
 * PoseTracker on the speaker's body. One thread does all of them for a frame: sessions, not
 * stages, spread the work over the pool's threads.
 */
import path from 'node:path'
import { workerData } from 'node:worker_threads'
import { serve } from '../engine/workers/rpc.js'
import { StageTimer } from '../engine/timing.js'
import type { VideoFrame } from '../media/frames.js'
import { YuNetDetector, DETECTOR_FILE } from '../signals/face/engine/yunet.js'
import { BlazeFaceDetector, BLAZEFACE_FILE } from '../signals/face/engine/blazeface.js'
import { FaceMeshModel } from '../signals/face/engine/mesh.js'
import { BlendshapeModel } from '../signals/face/engine/blendshapes.js'
import { FaceTracker, TRACKER_DEFAULTS, countOtherFaces } from '../signals/face/engine/tracker.js'
import { faceSignals, emotionRegion } from '../signals/face/engine/signals.js'
import { EmotionClassifier } from '../signals/face/emotion/classifier.js'
import type { FaceSignals } from '../signals/face/metrics/index.js'
import { PoseDetector, POSE_DETECTOR_FILE } from '../signals/pose/engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES, toPoseSignals } from '../signals/pose/engine/landmarks.js'
import { PoseTracker, POSE_TRACKER_DEFAULTS } from '../signals/pose/engine/tracker.js'
import type { PoseSignals } from '../signals/pose/types.js'

export interface LiveWorkerSetup { modelsDir: string, emotionModel: string }

export interface AnalyseRequest {
  session: string
  frame: VideoFrame
  /** Estimate emotion on this frame (the session's emotion grid is due). */
  emotion: boolean
  /** Count other faces in view (once a second, as the video engine does). */
  countFaces: boolean
  /** Run the body pose on this frame (the session's pose grid is due). */
  pose: boolean
}

export interface AnalyseReply {
  face: FaceSignals | null
  emotion?: number[]
  /** Faces besides the speaker, when the detector ran on this frame (tracking or counting). */
  otherFaces: number | null
  /** Set when pose ran: the body, or null when none was found. */
  pose?: PoseSignals | null
}

const setup = workerData as LiveWorkerSetup
const { modelsDir } = setup
const loading = Promise.all([
  YuNetDetector.load(path.join(modelsDir, DETECTOR_FILE)),
  FaceMeshModel.load(modelsDir),
  BlazeFaceDetector.load(path.join(modelsDir, BLAZEFACE_FILE)),
  BlendshapeModel.load(modelsDir),
  EmotionClassifier.load(setup.emotionModel, modelsDir),
  PoseDetector.load(path.join(modelsDir, POSE_DETECTOR_FILE)),
  PoseLandmarkModel.load(path.join(modelsDir, POSE_LANDMARK_FILES.lite))
])

const timings = new StageTimer()
const sessions = new Map<string, { face: FaceTracker, pose: PoseTracker }>()

serve({
  ready: async () => {
    const [, , , , emotion] = await loading
    return { result: { emotionModelFile: emotion.spec.file } }
  },
  open: async ({ session }: { session: string }) => {
    const [detector, mesh, closeup, , , poseDetector, poseLandmarks] = await loading
    sessions.set(session, {
      face: new FaceTracker(detector, mesh, TRACKER_DEFAULTS, timings, closeup),
      pose: new PoseTracker(poseDetector, poseLandmarks, POSE_TRACKER_DEFAULTS, timings)
    })
    return { result: true }
  },
  close: ({ session }: { session: string }) => ({ result: sessions.delete(session) }),
  analyse: async (request: AnalyseRequest) => {
    const [detector, , , blendshapes, emotion] = await loading
    const state = sessions.get(request.session)
    if (!state) throw new Error(`no live session ${request.session} on this worker`)
    const { frame } = request
    const tracked = await state.face.next(frame)
    const reply: AnalyseReply = { face: null, otherFaces: tracked.otherFaces }
    const main = tracked.main
    if (main) {
      const scores = await timings.time('blendshapes', () => blendshapes.run(main.landmarks))
      reply.face = faceSignals(main.landmarks, scores, frame.width, frame.height)
      if (request.emotion) reply.emotion = await timings.time('emotion', () => emotion.classify(frame, emotionRegion(main.landmarks), { blendshapes: scores }))
      if (request.countFaces) reply.otherFaces = countOtherFaces(await timings.time('count_faces', () => detector.detect(frame)), main.roi)
    }
    if (request.pose) {
      const box = reply.face?.box ?? null
      const { width, height } = frame
      const facePx = box && { x: box[0] * width, y: box[1] * height, width: box[2] * width, height: box[3] * height }
      const result = await state.pose.next(frame, frame.timeMs, facePx)
      reply.pose = result ? toPoseSignals(result, width, height) : null
    }
    return { result: reply }
  },
  /** Milliseconds per step since the thread started (every session's frames). */
  timings: () => ({ result: timings.result() })
})
