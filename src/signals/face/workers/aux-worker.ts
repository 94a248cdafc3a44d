/**
 * Worker thread: turns a tracked frame into signals (blendshapes, pose, gaze), estimates
 * emotion and counts other faces when due. Runs beside the face worker, so the tracking
 * chain never waits for it.
 */
import path from 'node:path'
import { workerData } from 'node:worker_threads'
import { serve } from '../../../engine/workers/rpc.js'
import { BlendshapeModel } from '../engine/blendshapes.js'
import { EmotionClassifier } from '../emotion/classifier.js'
import { YuNetDetector, DETECTOR_FILE } from '../engine/yunet.js'
import { countOtherFaces } from '../engine/tracker.js'
import { faceSignals, emotionRegion, rawFaceOutput } from '../engine/signals.js'
import { StageTimer } from '../../../engine/timing.js'
import type { WorkerSetup, DescribeRequest, DescribeReply } from './protocol.js'

const setup = workerData as WorkerSetup
const loading = Promise.all([
  BlendshapeModel.load(setup.modelsDir),
  EmotionClassifier.load(setup.emotionModel, setup.modelsDir),
  YuNetDetector.load(path.join(setup.modelsDir, DETECTOR_FILE))
])
let timings = new StageTimer()

serve({
  ready: async () => {
    const [, emotion] = await loading
    return { result: { emotionModelFile: emotion.spec.file } }
  },
  reset: () => {
    timings = new StageTimer()
    return { result: true }
  },
  describe: async (request: DescribeRequest) => {
    const [blendshapes, emotion, detector] = await loading
    const reply: DescribeReply = { face: null }
    if (request.landmarks) {
      const landmarks = request.landmarks
      const scores = await timings.time('blendshapes', () => blendshapes.run(landmarks))
      reply.face = faceSignals(landmarks, scores, request.width, request.height)
      if (request.raw) reply.face.raw = rawFaceOutput(landmarks, scores, request.width, request.height, request.raw.presence)
      if (request.emotion && request.frame) {
        const frame = request.frame
        reply.emotion = await timings.time('emotion', () => emotion.classify(frame, emotionRegion(landmarks), { blendshapes: scores }))
      }
    }
    if (request.countFaces && request.frame) {
      const frame = request.frame
      reply.otherFaces = countOtherFaces(await timings.time('count_faces', () => detector.detect(frame)), request.roi)
    }
    return { result: reply }
  },
  timings: () => ({ result: timings.result() })
})
