/**
 * Pose accuracy on COCO keypoint annotations (../shared/fixtures/pose/coco): each image as
 * MediaPipe's static mode sees it (detector, then the landmark model on the best detection),
 * scored by COCO's object keypoint similarity against the annotated person it matches best.
 * MODELS.md gives the raw models' figures measured on the same four images; the pipeline must
 * reproduce them, image by image within 0.1 and on average within 0.03.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import { decodeImage } from '../../src/media/frames.js'
import { PoseDetector, POSE_DETECTOR_FILE } from '../../src/signals/pose/engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES, type PoseModelVariant } from '../../src/signals/pose/engine/landmarks.js'
import { PoseTracker } from '../../src/signals/pose/engine/tracker.js'
import { fixtures } from '../helpers/environment.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const dir = path.join(fixtures, 'pose/coco')
const models = path.join(projectRoot, 'models')

/** COCO's per-keypoint OKS sigmas, in COCO's keypoint order. */
const SIGMAS = [0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89].map((s) => s / 10)
/** COCO's 17 keypoints (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles) among MediaPipe's 33. */
const COCO_TO_MEDIAPIPE = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]

/**
 * MODELS.md: "lite OKS 0.80/0.84/0.64/0.53, full 0.91/0.83/0.68/0.56". It does not name the
 * images; the order that fits both rows is 785, 196141, 40083, 197388. Lite's row is not what
 * the official runtime gives: MediaPipe's PoseLandmarker (tasks-vision, CPU, IMAGE mode, the
 * same .tflite files; test/support/pose-reference) scores lite 0.868/0.860/0.660/0.645 on these
 * images (197388: 0.645, not 0.53), which the pipeline reproduces; those figures are used.
 */
const EXPECTED: Record<PoseModelVariant, Record<string, number>> = {
  lite: { '000000000785.jpg': 0.868, '000000196141.jpg': 0.860, '000000040083.jpg': 0.660, '000000197388.jpg': 0.645 },
  full: { '000000000785.jpg': 0.91, '000000196141.jpg': 0.83, '000000040083.jpg': 0.68, '000000197388.jpg': 0.56 }
}

interface Annotation { image_id: number, keypoints: number[], area: number, num_keypoints: number }
const coco = JSON.parse(await fs.readFile(path.join(dir, 'test_coco.json'), 'utf8')) as { images: Array<{ id: number, file_name: string }>, annotations: Annotation[] }

/** OKS of 33 landmarks (x, y, z, visibility in pixels) against one annotated person. */
function oks (body: Float32Array, person: Annotation): number {
  let sum = 0
  let labelled = 0
  for (let k = 0; k < 17; k++) {
    if (person.keypoints[k * 3 + 2] === 0) continue
    const i = COCO_TO_MEDIAPIPE[k]! * 4
    const d2 = (body[i]! - person.keypoints[k * 3]!) ** 2 + (body[i + 1]! - person.keypoints[k * 3 + 1]!) ** 2
    sum += Math.exp(-d2 / (2 * person.area * (2 * SIGMAS[k]!) ** 2))
    labelled++
  }
  return labelled > 0 ? sum / labelled : 0
}

const detector = await PoseDetector.load(path.join(models, POSE_DETECTOR_FILE))
const images = await Promise.all(coco.images.map(async (image) => ({ ...image, pixels: await decodeImage(path.join(dir, image.file_name), tools) })))

for (const variant of ['lite', 'full'] as const) {
  t.test(`${variant}: OKS per image close to the reference figures`, async (t) => {
    const model = await PoseLandmarkModel.load(path.join(models, POSE_LANDMARK_FILES[variant]))
    const scores: number[] = []
    for (const image of images) {
      const body = await new PoseTracker(detector, model).next(image.pixels, 0, null)
      t.ok(body, `${image.file_name}: a body`)
      const people = coco.annotations.filter((a) => a.image_id === image.id && a.num_keypoints > 0)
      const score = body ? Math.max(...people.map((person) => oks(body.body, person))) : 0
      const expected = EXPECTED[variant][image.file_name]!
      scores.push(score)
      t.ok(Math.abs(score - expected) <= 0.1, `${image.file_name}: OKS ${score.toFixed(3)} (expected ${expected.toFixed(2)})`)
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length
    const expectedMean = Object.values(EXPECTED[variant]).reduce((a, b) => a + b, 0) / 4
    t.ok(Math.abs(mean - expectedMean) <= 0.03, `mean OKS ${mean.toFixed(3)} (expected ${expectedMean.toFixed(3)})`)
  })
}
