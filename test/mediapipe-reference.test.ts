/**
 * The reference harness: the official tasks-vision FaceLandmarker in headless Chromium, on real
 * fixtures with known content. Also prints the timings quoted in its README.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import t, { type Test } from 'tap'
import { probeVideo } from '../src/media/ffprobe.js'
import { decodeImage, openFrameStream, type RgbImage, type VideoFrame } from '../src/media/frames.js'
import { fixtures } from './helpers/environment.js'
import { startMediapipeReference, type ReferenceFace } from './support/mediapipe-reference/index.js'

const paths = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }

const started = Date.now()
const reference = await startMediapipeReference()
t.teardown(() => reference.close())
t.comment(`Chromium + FaceLandmarker ready in ${Date.now() - started} ms (${reference.info.glRenderer})`)

async function videoFrames (file: string): Promise<VideoFrame[]> {
  const stream = await openFrameStream(file, await probeVideo(file, paths), paths)
  const frames: VideoFrame[] = []
  for await (const frame of stream.frames) frames.push(frame)
  return frames
}

function smile (face: ReferenceFace): number {
  return face.blendshapes.mouthSmileLeft! + face.blendshapes.mouthSmileRight!
}

function checkFace (t: Test, face: ReferenceFace, what: string): void {
  t.equal(face.landmarks.length, 478, `${what}: 478 landmarks`)
  t.ok(face.landmarks.every(([x, y, z]) => x >= 0 && x <= 1 && y >= 0 && y <= 1 && Number.isFinite(z)), `${what}: landmarks inside the image`)
  const scores = Object.entries(face.blendshapes)
  t.equal(scores.length, 52, `${what}: 52 blendshapes`)
  t.ok(scores.every(([name, score]) => name !== '' && score >= 0 && score <= 1), `${what}: named scores in 0..1`)
}

t.test('single_face.mp4: one face in every frame, eyes open but at the blink, smiling later', async (t) => {
  const frames = await videoFrames(path.join(fixtures, 'video/single_face.mp4'))
  t.equal(frames.length, 72)
  const labels = JSON.parse(await fs.readFile(path.join(fixtures, 'blink/blink_labels.json'), 'utf8'))
  const blink = labels.clips['video/single_face.mp4'].blinks[0] as { start: number, end: number, peak: number }
  const sampled = frames.filter((frame) => frame.index % 6 === 0)

  await reference.detect(sampled.slice(0, 2)) // the first calls are slower: not timed
  const timer = performance.now()
  const results = await reference.detect(sampled)
  t.comment(`detect(): ${((performance.now() - timer) / sampled.length).toFixed(1)} ms a ${frames[0]!.width}x${frames[0]!.height} frame over ${sampled.length} frames`)

  for (const [i, faces] of results.entries()) {
    const index = sampled[i]!.index
    t.equal(faces.length, 1, `frame ${index}: one face`)
    const face = faces[0]!
    checkFace(t, face, `frame ${index}`)
    if (index < blink.start - 1 || index > blink.end + 1) {
      t.ok(face.blendshapes.eyeBlinkLeft! < 0.35 && face.blendshapes.eyeBlinkRight! < 0.35,
        `frame ${index}: eyes open (blink ${face.blendshapes.eyeBlinkLeft!.toFixed(2)}, ${face.blendshapes.eyeBlinkRight!.toFixed(2)})`)
    }
  }

  const [peak] = await reference.detect([frames[blink.peak]!])
  t.equal(peak!.length, 1)
  t.ok(peak![0]!.blendshapes.eyeBlinkLeft! > 0.4 && peak![0]!.blendshapes.eyeBlinkRight! > 0.4, `eyes closing at the labelled blink peak, frame ${blink.peak}`)

  const smiles = results.map((faces) => smile(faces[0]!))
  t.ok(smiles.slice(0, 2).every((s) => s < 0.2), `no smile in the first frames (${smiles.slice(0, 2).map((s) => s.toFixed(2))})`)
  t.ok(smiles.slice(-2).every((s) => s > 1), `smiling in the last frames (${smiles.slice(-2).map((s) => s.toFixed(2))})`)
})

t.test('a photo of dogs has no face', async (t) => {
  const image = await decodeImage(path.join(fixtures, 'faces/dlib/no_human_faces_dogs.jpg'), paths)
  t.same(await reference.detect([image]), [[]])
})

/** The rectangle x, y, width, height of an image. */
function crop (image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3)
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3
    data.set(image.data.subarray(from, from + width * 3), row * width * 3)
  }
  return { width, height, data }
}

t.test('five_faces.jpg: numFaces 5 finds the five, numFaces 1 one', async (t) => {
  const photo = await decodeImage(path.join(fixtures, 'faces/five_faces.jpg'), paths)
  t.equal(photo.width, 1000)
  // The FaceLandmarker's short-range detector sees the image at 128x128: the whole 1000 px photo
  // leaves each face about 15 px there and it finds one or two of them. Cutting away the sky at
  // both sides (every face stays whole) makes the faces large enough for all five.
  const group = crop(photo, 150, 0, 700, photo.height)
  const five = await startMediapipeReference({ numFaces: 5 })
  t.teardown(() => five.close())
  const [faces, whole] = await five.detect([group, photo])
  t.comment(`the uncropped photo: ${whole!.length} of 5 faces`)
  t.equal(faces!.length, 5)
  for (const [i, face] of faces!.entries()) checkFace(t, face, `face ${i}`)
  const centres = faces!.map((face) => face.landmarks.reduce((sum, [x]) => sum + x, 0) / face.landmarks.length).sort((a, b) => a - b)
  t.ok(centres.slice(1).every((centre, i) => centre - centres[i]! > 0.1), 'five different faces')
  const [one] = await reference.detect([group])
  t.equal(one!.length, 1, 'numFaces 1 by default')
})

t.test('bad input and page failures are errors with their message', async (t) => {
  await t.rejects(reference.detect([{ width: 4, height: 4, data: new Uint8Array(10) }]), /10 bytes is not 4x4 packed RGB/)
  t.same(await reference.detect([]), [])
  // Not a model: the wasm logs the failure to the page console, which becomes the error.
  await t.rejects(startMediapipeReference({ modelPath: path.join(fixtures, 'faces/one_face.jpg') }),
    /MediaPipe reference page: console error: .*zip archive/)
  await t.rejects(startMediapipeReference({ modelPath: '/nonexistent/face_landmarker.task' }), /model not found/)
})
