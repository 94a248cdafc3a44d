/**
 * Parity with the official runtime: the engine's own face tracking (YuNet, then the ONNX face
 * mesh on its own landmarks' ROI, frame after frame) and ONNX blendshapes, against
 * @mediapipe/tasks-vision's FaceLandmarker in headless Chromium on the very same decoded
 * frames. Targets: mean landmark distance <= 2 % of the face box width, mean absolute
 * blendshape difference <= 0.05 over the blendshapes the metrics use.
 */
import path from 'node:path'
import t from 'tap'
import { probeVideo } from '../../src/media/ffprobe.js'
import { openFrameStream, type VideoFrame } from '../../src/media/frames.js'
import { YuNetDetector, DETECTOR_FILE } from '../../src/signals/face/engine/yunet.js'
import { FaceMeshModel } from '../../src/signals/face/engine/mesh.js'
import { BlendshapeModel, BLENDSHAPE_NAMES } from '../../src/signals/face/engine/blendshapes.js'
import { FaceTracker } from '../../src/signals/face/engine/tracker.js'
import { startMediapipeReference } from '../support/mediapipe-reference/index.js'
import { fixtures } from '../helpers/environment.js'
import { modelsDir, tools } from '../helpers/engine.js'

const COMPARED = BLENDSHAPE_NAMES.filter((name) => /^(eyeBlink|eyeLook|mouthSmile|browDown|jawOpen)/.test(name))

const clips: Array<[string, number]> = [
  ['video/single_face.mp4', 6],
  ['video/sad_to_happy_pexels.mp4', 24],
  ['video/grid/bbaf2n.mpg', 6],
  ['video/grid/lbax4n.mpg', 6]
]

t.test('the ONNX pipeline matches tasks-vision on fixture frames', async (t) => {
  const [detector, mesh, blendshapes] = await Promise.all([
    YuNetDetector.load(path.join(modelsDir, DETECTOR_FILE)), FaceMeshModel.load(modelsDir), BlendshapeModel.load(modelsDir)
  ])
  const reference = await startMediapipeReference()
  t.teardown(() => reference.close())
  t.comment(`reference: ${reference.info.userAgent}; WebGL ${reference.info.glRenderer}`)

  let landmarkErrors: number[] = []
  let blendErrors: number[] = []
  for (const [clip, every] of clips) {
    const file = path.join(fixtures, clip)
    const stream = await openFrameStream(file, await probeVideo(file, tools), tools)
    const tracker = new FaceTracker(detector, mesh)
    const sampled: VideoFrame[] = []
    const ours: Array<{ landmarks: Float32Array, scores: Float32Array } | null> = []
    for await (const frame of stream.frames) {
      // Every frame is tracked (the crop follows the landmarks); every n-th is compared.
      const { main } = await tracker.next(frame)
      if (frame.index % every !== 0) continue
      sampled.push(frame)
      ours.push(main && { landmarks: main.landmarks, scores: await blendshapes.run(main.landmarks) })
    }
    const official = await reference.detect(sampled)
    const clipLandmarks: number[] = []
    const clipBlend: number[] = []
    sampled.forEach((frame, i) => {
      const theirs = official[i]!
      const mine = ours[i]
      t.equal(theirs.length, 1, `${clip} frame ${frame.index}: the reference finds one face`)
      t.ok(mine, `${clip} frame ${frame.index}: the engine tracks one face`)
      if (theirs.length !== 1 || !mine) return
      const points = theirs[0]!.landmarks.map(([x, y]) => [x * frame.width, y * frame.height] as const)
      const xs = points.map(([x]) => x)
      const faceWidth = Math.max(...xs) - Math.min(...xs)
      let distance = 0
      points.forEach(([x, y], k) => { distance += Math.hypot(mine.landmarks[k * 3]! - x, mine.landmarks[k * 3 + 1]! - y) })
      clipLandmarks.push(distance / points.length / faceWidth)
      const blend = COMPARED.map((name) => Math.abs(mine.scores[BLENDSHAPE_NAMES.indexOf(name)]! - theirs[0]!.blendshapes[name]!))
      clipBlend.push(blend.reduce((a, b) => a + b, 0) / blend.length)
    })
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
    t.comment(`${clip}: ${sampled.length} frames, landmarks ${(mean(clipLandmarks) * 100).toFixed(2)} % of face width (max ${(Math.max(...clipLandmarks) * 100).toFixed(2)} %), blendshapes ${mean(clipBlend).toFixed(3)} (max ${Math.max(...clipBlend).toFixed(3)})`)
    landmarkErrors = [...landmarkErrors, ...clipLandmarks]
    blendErrors = [...blendErrors, ...clipBlend]
  }
  const meanLandmark = landmarkErrors.reduce((a, b) => a + b, 0) / landmarkErrors.length
  const meanBlend = blendErrors.reduce((a, b) => a + b, 0) / blendErrors.length
  t.ok(landmarkErrors.length >= 30, `${landmarkErrors.length} frames compared`)
  t.ok(meanLandmark <= 0.02, `mean landmark distance ${(meanLandmark * 100).toFixed(2)} % of the face width (<= 2 %)`)
  t.ok(meanBlend <= 0.05, `mean absolute blendshape difference ${meanBlend.toFixed(3)} over ${COMPARED.length} blendshapes (<= 0.05)`)
})
