/**
 * Parity with the official MediaPipe Pose solution (npm @mediapipe/pose, the package the ONNX
 * models were converted from) in headless Chromium: the same frames, in order, through the
 * project's pose stage (worker thread, ROI tracking) and through the solution (its landmark
 * smoothing off, as the stage's output is unsmoothed; both always smooth the ROI's points).
 *
 * Error: on frames where both find a body, the mean distance over the landmarks the reference
 * sees (inside the frame with visibility >= 0.5, as the pose metrics count a landmark seen; a
 * speaker's hands and hips below the frame are guesses, off by up to 150 px between the two
 * runtimes), as a fraction of the reference's torso size (shoulders' midpoint to hips'
 * midpoint). Both must find the body on at least 80 % of the frames: on a close-up lite's
 * presence hovers near the 0.5 cut, where either runtime may drop a frame.
 *
 * Bounds: 2 % of the torso for the speaker (the product's case). street_demo.mp4's walker is
 * small (torso about 80 px at 640 wide), where the models themselves are unsteady: moving the
 * ROI by 1 px moves lite's landmarks by 3.4 % of that torso and full's by 2.2 % (measured), and
 * the solution runs the models on WebGL's GPU delegate, not on the CPU in fp32 as here. The
 * bound there is 5 %; the figures are printed for both.
 */
import path from 'node:path'
import t from 'tap'
import { projectRoot, loadConfigOrExit } from '../../src/config.js'
import { probeVideo } from '../../src/media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../../src/media/frames.js'
import { startPoseStage } from '../../src/signals/pose/stage.js'
import type { PoseSignals } from '../../src/signals/pose/types.js'
import { fixtures } from '../helpers/environment.js'
import { startPoseReference, type ReferencePose } from '../support/pose-reference/index.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const config = loadConfigOrExit()
const stage = await startPoseStage({ modelsDir: path.join(projectRoot, 'models'), emotionModel: config.engine.emotionModel })
t.teardown(() => stage.close())

const cases = [
  { file: 'pose/street_demo.mp4', seconds: 10, poseFps: 5, bound: 0.05 },
  { file: 'video/sad_to_happy_pexels.mp4', seconds: 2, poseFps: 10, bound: 0.02 },
  // Head and shoulders in view (the close-up above has its shoulders just below the frame).
  { file: 'video/single_face.mp4', seconds: 3, poseFps: 10, bound: 0.02 }
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

for (const variant of [0, 1] as const) {
  t.test(`${variant === 0 ? 'lite' : 'full'}: landmarks match the official MediaPipe Pose`, async (t) => {
    const reference = await startPoseReference({ modelComplexity: variant, smoothLandmarks: false })
    t.teardown(() => reference.close())
    for (const { file, seconds, poseFps, bound } of cases) {
      const frames = await videoFrames(path.join(fixtures, file), seconds)
      await stage.reset({ poseFps, poseModel: variant })
      const sampled = frames.filter((frame) => stage.wants(frame.timeMs))
      const mine: Array<PoseSignals | null> = []
      for (const frame of sampled) mine.push((await stage.process({ ...frame, data: frame.data.slice() }, new Map())).pose)
      await reference.reset()
      const theirs = await reference.track(sampled)

      const errors: number[] = []
      let onlyMine = 0
      let onlyTheirs = 0
      for (const [i, frame] of sampled.entries()) {
        const a = mine[i]
        const b = theirs[i]
        if (a && b) {
          const error = frameError(a, b, frame.width, frame.height)
          if (error !== null) errors.push(error)
        } else if (a) onlyMine++
        else if (b) onlyTheirs++
      }
      const mean = errors.reduce((x, y) => x + y, 0) / errors.length
      t.ok(errors.length >= sampled.length * 0.8, `${file}: both see the body in ${errors.length} of ${sampled.length} frames (only ours ${onlyMine}, only theirs ${onlyTheirs})`)
      t.ok(mean <= bound, `${file} at ${poseFps}/s: mean error ${(mean * 100).toFixed(2)} % of the torso (bound ${bound * 100} %; worst frame ${(Math.max(...errors) * 100).toFixed(2)} %)`)
    }
  })
}
