/** Worker thread: the face tracking chain (YuNet, and BlazeFace for close-ups, to start a track, then the face mesh). */
import path from 'node:path'
import { workerData } from 'node:worker_threads'
import { serve } from '../../../engine/workers/rpc.js'
import { YuNetDetector } from '../engine/yunet.js'
import { BlazeFaceDetector, BLAZEFACE_FILE } from '../engine/blazeface.js'
import { FaceMeshModel } from '../engine/mesh.js'
import { FaceTracker, TRACKER_DEFAULTS } from '../engine/tracker.js'
import { StageTimer } from '../../../engine/timing.js'
import { DETECTOR_FILE } from '../engine/yunet.js'
import type { WorkerSetup, TrackRequest, TrackReply } from './protocol.js'

const setup = workerData as WorkerSetup
const loading = Promise.all([
  YuNetDetector.load(path.join(setup.modelsDir, DETECTOR_FILE)),
  FaceMeshModel.load(setup.modelsDir),
  BlazeFaceDetector.load(path.join(setup.modelsDir, BLAZEFACE_FILE))
])
let timings = new StageTimer()
let tracker: FaceTracker | null = null

serve({
  ready: async () => {
    await loading
    return { result: true }
  },
  /** A new video: a new track and fresh timings. */
  reset: async () => {
    const [detector, mesh, closeup] = await loading
    timings = new StageTimer()
    tracker = new FaceTracker(detector, mesh, TRACKER_DEFAULTS, timings, closeup)
    return { result: true }
  },
  track: async ({ frame }: TrackRequest) => {
    if (!tracker) throw new Error('track() before reset()')
    const { main, otherFaces } = await tracker.next(frame)
    const reply: TrackReply = { main: main && { landmarks: main.landmarks, presence: main.presence, roi: main.roi }, otherFaces }
    return { result: reply, transfer: main ? [main.landmarks.buffer as ArrayBuffer] : [] }
  },
  timings: () => ({ result: timings.result() })
})
