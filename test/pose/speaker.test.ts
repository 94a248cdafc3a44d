/**
 * Following the speaker among several people, with the real models: two copies of a speaker
 * apart (the right one mirrored); the face box says which one speaks, and when it
 * moves to the other person the tracked body follows.
 */
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import { probeVideo } from '../../src/media/ffprobe.js'
import { openFrameStream, type RgbImage } from '../../src/media/frames.js'
import { PoseDetector, POSE_DETECTOR_FILE } from '../../src/signals/pose/engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES } from '../../src/signals/pose/engine/landmarks.js'
import { PoseTracker, POSE_TRACKER_DEFAULTS } from '../../src/signals/pose/engine/tracker.js'
import { fixtures } from '../helpers/environment.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const models = path.join(projectRoot, 'models')
const file = path.join(fixtures, 'video/sad_to_happy_pexels.mp4')
const stream = await openFrameStream(file, await probeVideo(file, tools), tools, { maxWidth: 640 })
const { value: frame } = await stream.frames.next()
await stream.frames.return(undefined)

/** The frame and its mirror image, a frame's width of grey between them (the speaker sits near the edge). */
function twoPeople (image: RgbImage): RgbImage {
  const { width, height } = image
  const data = new Uint8Array(width * 3 * height * 3).fill(128)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3
      data.set(image.data.subarray(from, from + 3), (y * width * 3 + x) * 3)
      data.set(image.data.subarray(from, from + 3), (y * width * 3 + (width * 3 - 1 - x)) * 3)
    }
  }
  return { width: width * 3, height, data }
}

t.test('the body followed is the one at the speaker\'s face', async (t) => {
  const detector = await PoseDetector.load(path.join(models, POSE_DETECTOR_FILE))
  const landmarks = await PoseLandmarkModel.load(path.join(models, POSE_LANDMARK_FILES.lite))
  const face = (await detector.detect(frame!))[0]!.face
  const image = twoPeople(frame!)
  const left = face
  const right = { ...face, x: image.width - face.x - face.width }
  const noseX = (body: Float32Array | undefined) => body?.[0] ?? NaN

  const people = await detector.detect(image)
  t.equal(people.length, 2, 'the detector sees both')

  for (const [name, box, side] of [['left', left, (x: number) => x < image.width / 2], ['right', right, (x: number) => x > image.width / 2]] as const) {
    const tracker = new PoseTracker(detector, landmarks)
    const body = await tracker.next(image, 0, box)
    t.ok(side(noseX(body?.body)), `face on the ${name}: the ${name} body (nose at x ${noseX(body?.body).toFixed(0)})`)
  }

  const tracker = new PoseTracker(detector, landmarks, POSE_TRACKER_DEFAULTS)
  t.ok(noseX((await tracker.next(image, 0, left))?.body) < image.width / 2, 'tracking the left speaker')
  t.ok(noseX((await tracker.next(image, 100, left))?.body) < image.width / 2, 'still the left one')
  t.ok(noseX((await tracker.next(image, 1200, right))?.body) > image.width / 2, 'the speaker\'s face moved to the right person: the body follows in the same frame')
  t.ok(noseX((await tracker.next(image, 1300, null))?.body) > image.width / 2, 'no face known: the track stays')
})
