import fs from 'node:fs/promises'
import path from 'node:path'
import t, { type Test } from 'tap'
import { projectRoot } from '../../src/config.js'
import { YuNetDetector, type FaceDetection, type Rect } from '../../src/signals/face/engine/yunet.js'
import { decodeImage, openFrameStream, type RgbImage } from '../../src/media/frames.js'
import { probeVideo } from '../../src/media/ffprobe.js'
import { fixtures } from '../helpers/environment.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const detector = await YuNetDetector.load(path.join(projectRoot, 'models/face_detection_yunet_2023mar.onnx'))

const image = (file: string) => decodeImage(path.join(fixtures, file), tools)
const describe = (faces: FaceDetection[]) => faces.map((f) => `${f.score.toFixed(3)}@${Math.round(f.box.x)},${Math.round(f.box.y)}`).join(' ')

function contains (box: Rect, [x, y]: [number, number]): boolean {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height
}

interface LabelledImage { file: string, width: number, height: number, boxes: Rect[] }

/** dlib's imglab XML: <image file width height><box top left width height/>... */
async function readDlibBoxes (): Promise<LabelledImage[]> {
  const xml = await fs.readFile(path.join(fixtures, 'faces/dlib/boxes.xml'), 'latin1')
  const attribute = (tag: string, name: string) => Number(new RegExp(`${name}='([^']*)'`).exec(tag)![1])
  return [...xml.matchAll(/<image file='([^']+)'([^>]*)>([\s\S]*?)<\/image>/g)].map(([, file, attributes, body]) => ({
    file: file!,
    width: attribute(attributes!, 'width'),
    height: attribute(attributes!, 'height'),
    boxes: [...body!.matchAll(/<box [^>]*\/>/g)].map(([tag]) => ({
      x: attribute(tag, 'left'), y: attribute(tag, 'top'), width: attribute(tag, 'width'), height: attribute(tag, 'height')
    }))
  }))
}

/** Landmarks of an upright, roughly frontal face, in YuNet's order. */
function checkKeypoints (t: Test, face: FaceDetection, name: string): void {
  const [rightEye, leftEye, nose, rightMouth, leftMouth] = face.keypoints as Array<[number, number]>
  t.equal(face.keypoints.length, 5, `${name}: 5 keypoints`)
  t.ok(rightEye![0] < leftEye![0], `${name}: the subject's right eye is on the image's left`)
  t.ok(rightMouth![0] < leftMouth![0], `${name}: the right mouth corner is on the image's left`)
  t.ok(Math.max(rightEye![1], leftEye![1]) < nose![1] && nose![1] < Math.min(rightMouth![1], leftMouth![1]), `${name}: eyes above the nose above the mouth`)
  const margin = { x: face.box.x - face.box.width * 0.1, y: face.box.y - face.box.height * 0.1, width: face.box.width * 1.2, height: face.box.height * 1.2 }
  t.ok(face.keypoints.every((point) => contains(margin, point)), `${name}: keypoints inside the box`)
}

t.test('finds every hand-labelled face in the dlib photos, with at most one false detection each', async (t) => {
  const labelled = await readDlibBoxes()
  t.equal(labelled.length, 4)
  for (const entry of labelled) {
    const picture = await image(`faces/dlib/${entry.file}`)
    // decodeImage makes sides even (375 -> 376): the labels are scaled onto the decoded pixels.
    const sx = picture.width / entry.width, sy = picture.height / entry.height
    const centres = entry.boxes.map((b): [number, number] => [(b.x + b.width / 2) * sx, (b.y + b.height / 2) * sy])
    const faces = await detector.detect(picture)
    t.comment(`${entry.file}: ${entry.boxes.length} labelled, ${faces.length} detected: ${describe(faces)}`)
    const missed = centres.filter((centre) => !faces.some((face) => contains(face.box, centre)))
    t.same(missed, [], `${entry.file}: no labelled face missed`)
    const falseDetections = faces.filter((face) => !centres.some((centre) => contains(face.box, centre)))
    t.ok(falseDetections.length <= 1, `${entry.file}: ${falseDetections.length} false detections`)
    for (const [i, face] of faces.entries()) checkKeypoints(t, face, `${entry.file} face ${i}`)
    t.ok(faces.every((face, i) => i === 0 || faces[i - 1]!.score >= face.score), 'sorted by score')
  }
})

t.test('counts the faces in the other stills', async (t) => {
  const dogs = await detector.detect(await image('faces/dlib/no_human_faces_dogs.jpg'))
  t.same(describe(dogs), '', 'no human face among the dogs')
  const five = await detector.detect(await image('faces/five_faces.jpg'))
  t.equal(five.length, 5, `five_faces.jpg: ${describe(five)}`)
  const one = await detector.detect(await image('faces/one_face.jpg'))
  t.equal(one.length, 1, `one_face.jpg: ${describe(one)}`)
  for (const [i, face] of [...five, ...one].entries()) checkKeypoints(t, face, `face ${i}`)
  t.ok(one[0]!.score > 0.9 && one[0]!.score <= 1)
})

t.test('maps letterboxed detections back to image pixels', async (t) => {
  const picture = await image('faces/one_face.jpg')
  // In a 640x640 canvas the model sees the pixels unscaled.
  const [face] = await detector.detect(place(picture, 640, 640, { x: 0, y: 0 }))
  t.ok(face, 'found in the canvas')
  // Shifted by whole stride-32 cells, the network sees the same face at another anchor.
  const shift = { x: 32, y: 64 }
  const [shifted] = await detector.detect(place(picture, 640, 640, shift))
  t.ok(Math.abs(shifted!.box.x - shift.x - face!.box.x) < 1 && Math.abs(shifted!.box.y - shift.y - face!.box.y) < 1,
    `box moved by the shift: ${describe([shifted!])} vs ${describe([face!])}`)
  t.ok(shifted!.keypoints.every(([x, y], i) => Math.hypot(x - shift.x - face!.keypoints[i]![0], y - shift.y - face!.keypoints[i]![1]) < 1), 'keypoints moved by the shift')
  // Doubled by pixel replication, the letterbox halves it back to the very same tensor: the
  // detection must come back exactly doubled (boxes by edges, keypoints by pixel centres).
  const [doubled] = await detector.detect(double(place(picture, 640, 640, { x: 0, y: 0 })))
  const box = face!.box
  t.same([doubled!.box.x, doubled!.box.y, doubled!.box.width, doubled!.box.height].map((v) => v.toFixed(3)),
    [box.x * 2, box.y * 2, box.width * 2, box.height * 2].map((v) => v.toFixed(3)), 'box doubled')
  t.same(doubled!.keypoints.map(([x, y]) => [x.toFixed(3), y.toFixed(3)]),
    face!.keypoints.map(([x, y]) => [((x + 0.5) * 2 - 0.5).toFixed(3), ((y + 0.5) * 2 - 0.5).toFixed(3)]), 'keypoints doubled about pixel centres')
  t.equal(doubled!.score, face!.score)
})

t.test('concurrent calls share the input buffer safely', async (t) => {
  const [a, b] = await Promise.all([image('faces/five_faces.jpg'), image('faces/one_face.jpg')])
  const sequential = [await detector.detect(a), await detector.detect(b)]
  const concurrent = await Promise.all([detector.detect(a), detector.detect(b), detector.detect(a)])
  t.same(concurrent.map(describe), [...sequential, sequential[0]!].map(describe))
})

t.test('no face in any frame of no_face.mp4, one in every frame of single_face.mp4', async (t) => {
  for (const [file, expected, minFrames] of [['video/no_face.mp4', 0, 90], ['video/single_face.mp4', 1, 72]] as const) {
    const video = path.join(fixtures, file)
    const stream = await openFrameStream(video, await probeVideo(video, tools), tools)
    const wrong: string[] = []
    let frames = 0
    for await (const frame of stream.frames) {
      frames++
      const faces = await detector.detect(frame)
      if (faces.length !== expected) wrong.push(`frame ${frame.index}: ${describe(faces)}`)
      if (expected === 1 && faces[0] && frame.index % 24 === 0) checkKeypoints(t, faces[0], `${file} frame ${frame.index}`)
    }
    t.ok(frames >= minFrames, `${file}: ${frames} frames analysed`)
    t.same(wrong, [], `${file}: ${expected} face(s) in every frame`)
  }
})

/** A copy of `picture` at `offset` in a black canvas. */
function place (picture: RgbImage, width: number, height: number, offset: { x: number, y: number }): RgbImage {
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < picture.height; y++) {
    const row = picture.data.subarray(y * picture.width * 3, (y + 1) * picture.width * 3)
    data.set(row, ((y + offset.y) * width + offset.x) * 3)
  }
  return { width, height, data }
}

/** Every pixel repeated 2x2. */
function double (picture: RgbImage): RgbImage {
  const width = picture.width * 2, height = picture.height * 2
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = ((y >> 1) * picture.width + (x >> 1)) * 3
      data.set(picture.data.subarray(from, from + 3), (y * width + x) * 3)
    }
  }
  return { width, height, data }
}
