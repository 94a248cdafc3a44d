/**
 * Parity with the official MediaPipe PoseLandmarker (npm @mediapipe/tasks-vision in headless
 * Chromium, CPU delegate, IMAGE mode) running the .tflite models of the npm @mediapipe/pose
 * package, the ones the project's ONNX models were converted from (test/support/pose-reference).
 *
 * Each sampled frame goes on its own through both: the detector, the ROI from its keypoints,
 * the landmark model (the project's side is the PoseTracker's first frame of a track, in this
 * process). IMAGE mode because tasks-vision's VIDEO mode differs from the stage by design: it
 * smooths the landmarks and takes the next ROI from the raw auxiliary points, where the stage
 * (as the legacy pose graph) leaves the landmarks raw and smooths the ROI's points. The stage's
 * own tracked output against the same reference is printed, not bounded.
 *
 * Error: on frames where both find a body, the mean distance over the landmarks the reference
 * sees (inside the frame with visibility >= 0.5, as the pose metrics count a landmark seen), as a
 * fraction of the reference's torso size (shoulders' midpoint to hips' midpoint). Bound 2 % of
 * the torso on every video, street_demo.mp4's small walker included (the issue's requirement);
 * measured 0.01-0.02 % (README.md in test/support/pose-reference). Both must find the body on
 * at least 80 % of the frames.
 */
import path from 'node:path'
import t from 'tap'
import { projectRoot, loadConfigOrExit } from '../../src/config.js'
import { probeVideo } from '../../src/media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../../src/media/frames.js'
import { startPoseStage } from '../../src/signals/pose/stage.js'
import { PoseDetector, POSE_DETECTOR_FILE } from '../../src/signals/pose/engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES, toPoseSignals } from '../../src/signals/pose/engine/landmarks.js'
import { PoseTracker } from '../../src/signals/pose/engine/tracker.js'
import type { PoseSignals } from '../../src/signals/pose/types.js'
import { fixtures } from '../helpers/environment.js'
import { startPoseReference, type ReferencePose } from '../support/pose-reference/index.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const config = loadConfigOrExit()
const models = path.join(projectRoot, 'models')
const stage = await startPoseStage({ modelsDir: models, emotionModel: config.engine.emotionModel })
t.teardown(() => stage.close())
const detector = await PoseDetector.load(path.join(models, POSE_DETECTOR_FILE))

const BOUND = 0.02
const cases = [
  // The whole clip (1 s, 5 frames): a small walker near the right edge, torso about 80 px at 640 wide.
  { file: 'pose/street_demo.mp4', seconds: 10, poseFps: 5 },
  // The speakers at the stage's default rate.
  { file: 'video/sad_to_happy_pexels.mp4', seconds: 2, poseFps: 10 },
  // Head and shoulders in view (the close-up above has its shoulders just below the frame).
  { file: 'video/single_face.mp4', seconds: 3, poseFps: 10 }
]

async function videoFrames (file: string, seconds: number): Promise<VideoFrame[]> {
  const stream = await openFrameStream(file, await probeVideo(file, tools), tools, { maxWidth: 640 })
  const frames: VideoFrame[] = []
  for await (const frame of stream.frames) {
    if (frame.timeMs >= seconds * 1000) {
      await stream.frames.return(undefined)
      break
    }
    frames.push(frame)
  }
  return frames
}

/** The error of one frame as a fraction of the reference's torso; null when the reference sees no landmark. */
function frameError (mine: PoseSignals, reference: ReferencePose, width: number, height: number): number | null {
  const at = (k: number) => [reference.landmarks[k]![0] * width, reference.landmarks[k]![1] * height] as const
  const mid = (a: number, b: number) => [(at(a)[0] + at(b)[0]) / 2, (at(a)[1] + at(b)[1]) / 2] as const
  const [sx, sy] = mid(11, 12)
  const [hx, hy] = mid(23, 24)
  const torso = Math.hypot(sx - hx, sy - hy)
  let sum = 0
  let seen = 0
  for (let k = 0; k < 33; k++) {
    const [x, y, , visibility] = reference.landmarks[k]!
    if (visibility < 0.5 || x < 0 || x > 1 || y < 0 || y > 1) continue
    sum += Math.hypot(mine.landmarks[k * 4]! * width - at(k)[0], mine.landmarks[k * 4 + 1]! * height - at(k)[1])
    seen++
  }
  return seen > 0 ? sum / seen / torso : null
}

function compare (mine: Array<PoseSignals | null>, theirs: Array<ReferencePose | null>, frames: VideoFrame[]) {
  const errors: number[] = []
  let onlyMine = 0
  let onlyTheirs = 0
  for (const [i, frame] of frames.entries()) {
    const a = mine[i]
    const b = theirs[i]
    if (a && b) {
      const error = frameError(a, b, frame.width, frame.height)
      if (error !== null) errors.push(error)
    } else if (a) onlyMine++
    else if (b) onlyTheirs++
  }
  const mean = errors.reduce((x, y) => x + y, 0) / errors.length
  return { errors, onlyMine, onlyTheirs, mean, worst: Math.max(...errors) }
}

const percent = (x: number) => `${(x * 100).toFixed(2)} %`

for (const [index, variant] of (['lite', 'full'] as const).entries()) {
  t.test(`${variant}: landmarks match the official MediaPipe PoseLandmarker`, async (t) => {
    const reference = await startPoseReference(variant)
    t.teardown(() => reference.close())
    const model = await PoseLandmarkModel.load(path.join(models, POSE_LANDMARK_FILES[variant]))
    for (const { file, seconds, poseFps } of cases) {
      const frames = await videoFrames(path.join(fixtures, file), seconds)
      await stage.reset({ poseFps, poseModel: index as 0 | 1 })
      const sampled = frames.filter((frame) => stage.wants(frame.timeMs))
      const theirs = await reference.detect(sampled)

      const mine: Array<PoseSignals | null> = []
      for (const frame of sampled) {
        const result = await new PoseTracker(detector, model).next(frame, frame.timeMs, null)
        mine.push(result && toPoseSignals(result, frame.width, frame.height))
      }
      const { errors, onlyMine, onlyTheirs, mean, worst } = compare(mine, theirs, sampled)
      t.ok(errors.length >= sampled.length * 0.8, `${file}: both see the body in ${errors.length} of ${sampled.length} frames (only ours ${onlyMine}, only theirs ${onlyTheirs})`)
      t.ok(mean <= BOUND, `${file} at ${poseFps}/s, frame by frame: mean error ${percent(mean)} of the torso (bound ${percent(BOUND)}; worst frame ${percent(worst)})`)

      const tracked: Array<PoseSignals | null> = []
      for (const frame of sampled) tracked.push((await stage.process({ ...frame, data: frame.data.slice() }, new Map())).pose)
      const stageFigures = compare(tracked, theirs, sampled)
      t.comment(`${file}: the stage's tracked output against the same reference: mean ${percent(stageFigures.mean)}, worst frame ${percent(stageFigures.worst)} (ROI from the previous frame, not bounded)`)
    }
  })
}
