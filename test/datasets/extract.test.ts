/**
 * Per-video extraction on the real engine and real fixture videos: the arrays hold exactly
 * the numbers the engine's own pose (and face) frames give for the same options, timestamps
 * are the engine's frame times, the confidence filter keeps what it says (a higher threshold a
 * subset), and the .npz loads in NumPy with the landmarks matching. Speed and sizes are printed.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { AnalysisEngine } from '../../src/engine/analyze.js'
import { createExtractor, type ExtractedSequence, type ExtractOptions } from '../../src/datasets/extract.js'
import { encodeSequenceNpz } from '../../src/datasets/npz.js'
import { pose as poseModule } from '../../src/signals/pose/index.js'
import { face as faceModule } from '../../src/signals/face/index.js'
import { KEY_BLENDSHAPES, type FaceFrame } from '../../src/signals/face/metrics/index.js'
import { BLENDSHAPE_NAMES } from '../../src/signals/face/engine/blendshape-names.js'
import { encodeFaceFrame } from '../../src/signals/face/codec.js'
import type { PoseFrame } from '../../src/signals/pose/types.js'
import type { SignalModule } from '../../src/signals/contract.js'
import { round } from '../../src/numbers.js'
import { fixtures } from '../helpers/environment.js'
import { modelsDir, tools } from '../helpers/engine.js'
import { loadNpz } from './numpy.js'

const PEXELS = path.join(fixtures, 'video/sad_to_happy_pexels.mp4')
const GRID = path.join(fixtures, 'video/grid/bbaf2n.mpg')
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-extract-'))
const extractor = await createExtractor({ modelsDir, emotionModel: 'mobilefacenet', tools, maxWidth: 640 })
t.teardown(async () => {
  await extractor.close()
  await fs.rm(dir, { recursive: true, force: true })
})

/** The header fields the tests read (the header is plain JSON). */
interface Header { source: { file: string }, frames: Record<string, number>, models: Record<string, string>, options: Record<string, unknown>, pose_landmark_names: string[], blendshape_names: string[] }
const poseOptions: ExtractOptions = { signals: ['pose'], fps: 10, minConfidence: 0.5, model: 'lite' }
const f32 = (seq: ExtractedSequence, name: string) => seq.arrays[name]!.data as Float32Array
const list = (seq: ExtractedSequence, name: string) => [...seq.arrays[name]!.data]

async function reference<Frame> (module: SignalModule, file: string, options: Parameters<AnalysisEngine['analyze']>[2]): Promise<Frame[]> {
  const engine = await AnalysisEngine.load({ modelsDir, emotionModel: 'mobilefacenet', signals: [module] })
  try {
    const result = await engine.analyze(file, tools, { maxWidth: 640, ...options })
    return result.signals[module.kind]!.frames as Frame[]
  } finally {
    await engine.close()
  }
}

function measure (t: { comment: (message: string) => void }, label: string, seq: ExtractedSequence, npz: Uint8Array, wallS: number) {
  const source = (seq.header.source as { size_bytes: number }).size_bytes
  t.comment(`${label}: ${seq.durationS.toFixed(1)} s of video in ${wallS.toFixed(1)} s (${(seq.durationS / wallS).toFixed(2)} video s per wall s), ${seq.framesSeen} frames analysed, ${seq.framesKept} kept; .npz ${npz.length} bytes = ${(100 * npz.length / source).toFixed(1)} % of the video's ${source}`)
}

t.test('pose: the engine\'s own numbers, its frame times, the confidence filter, and numpy', async (t) => {
  const progress: Array<[number, number]> = []
  const started = performance.now()
  const seq = await extractor.extract(PEXELS, { ...poseOptions, onProgress: (done, total) => progress.push([done, total]) })
  const wallS = (performance.now() - started) / 1000
  const frames = await reference<PoseFrame>(poseModule, PEXELS, { kinds: ['pose'], signals: { pose: { poseFps: 10, poseModel: 0 } } })

  t.equal(seq.framesSeen, frames.length, 'every pose frame the engine analysed is counted')
  t.ok(frames.length >= 190 && frames.length <= 200, `10 a second over ~19.7 s: ${frames.length}`)
  t.same(list(seq, 'frame_timestamps'), frames.map((f) => f.t), 'frame_timestamps are the engine\'s frame times')
  const expectedKept = frames.flatMap((f, i) => (f.pose && f.pose.presence >= 0.5 ? [i] : []))
  t.same(list(seq, 'kept_indices'), expectedKept, 'kept: a body with presence >= 0.5')
  t.ok(expectedKept.length > 0.5 * frames.length, `most frames have a body (${expectedKept.length}/${frames.length})`)
  t.equal(seq.framesKept, expectedKept.length)
  const times = list(seq, 'timestamps')
  t.same(times, expectedKept.map((i) => frames[i]!.t), 'timestamps: the kept frames\' own times (ms)')
  t.ok(times.every((v, k) => k === 0 || v > times[k - 1]!), 'timestamps increase')
  t.same(seq.arrays.landmarks!.shape, [expectedKept.length, 33, 3])
  t.same(seq.arrays.world!.shape, [expectedKept.length, 33, 3])
  t.same(seq.arrays.visibility!.shape, [expectedKept.length, 33])
  let mismatches = 0
  expectedKept.forEach((i, k) => {
    const pose = frames[i]!.pose!
    for (let j = 0; j < 33; j++) {
      for (let c = 0; c < 3; c++) {
        if (f32(seq, 'landmarks')[(k * 33 + j) * 3 + c] !== pose.landmarks[j * 4 + c]) mismatches++
        if (f32(seq, 'world')[(k * 33 + j) * 3 + c] !== pose.world[j * 3 + c]) mismatches++
      }
      if (f32(seq, 'visibility')[k * 33 + j] !== pose.landmarks[j * 4 + 3]) mismatches++
    }
    if (f32(seq, 'presence')[k] !== Math.fround(pose.presence)) mismatches++
  })
  t.equal(mismatches, 0, 'landmarks, world, visibility and presence are the engine\'s numbers exactly')
  t.ok(progress.length > 2 && progress.at(-1)![0] === frames.length && progress.at(-1)![1] === frames.length, `progress reported (${progress.length} calls, last ${JSON.stringify(progress.at(-1))})`)
  t.ok(progress.slice(0, -1).every(([done], k) => k === 0 || done >= progress[k - 1]![0]), 'progress never goes back before the final (seen, seen)')

  const header = seq.header as unknown as Header
  t.equal(header.source.file, 'sad_to_happy_pexels.mp4')
  t.same(header.frames, { seen: frames.length, pose_kept: expectedKept.length })
  t.equal(header.models.pose_landmarks, 'pose_landmark_lite.onnx')
  t.equal(header.pose_landmark_names.length, 33)

  // A higher threshold keeps a subset, row for row the same numbers.
  const strict = await extractor.extract(PEXELS, { ...poseOptions, minConfidence: 0.99 })
  const strictKept = list(strict, 'kept_indices')
  t.same(strictKept, frames.flatMap((f, i) => (f.pose && f.pose.presence >= 0.99 ? [i] : [])))
  t.ok(strictKept.every((i) => expectedKept.includes(i)), `0.99 keeps a subset of 0.5: ${strictKept.length} of ${expectedKept.length}`)
  t.ok(strictKept.length < expectedKept.length, 'and drops some')
  const row = (s: ExtractedSequence, k: number) => [...f32(s, 'landmarks').subarray(k * 99, (k + 1) * 99)]
  t.ok(strictKept.every((i, k) => JSON.stringify(row(strict, k)) === JSON.stringify(row(seq, expectedKept.indexOf(i)))), 'the same rows')
  t.same(list(strict, 'frame_timestamps'), list(seq, 'frame_timestamps'), 'the analysed frames do not depend on the threshold')

  // The .npz in numpy: the landmarks match the engine's.
  const npz = encodeSequenceNpz(seq)
  const file = path.join(dir, 'pexels.npz')
  await fs.writeFile(file, npz)
  const loaded = loadNpz(file)
  t.same(loaded.arrays.landmarks!.shape, [expectedKept.length, 33, 3])
  t.equal(loaded.arrays.landmarks!.dtype, '<f4')
  const numpyLandmarks = loaded.arrays.landmarks!.values as number[][][]
  t.ok(expectedKept.every((i, k) => numpyLandmarks[k]!.every((p, j) => p[0] === frames[i]!.pose!.landmarks[j * 4] && p[1] === frames[i]!.pose!.landmarks[j * 4 + 1] && p[2] === frames[i]!.pose!.landmarks[j * 4 + 2])), 'numpy.load landmarks == the engine\'s pose landmarks')
  t.same(loaded.arrays.timestamps!.values, times)
  t.same(loaded.arrays.kept_indices!.values, expectedKept)
  t.equal(loaded.arrays.timestamps!.dtype, '<f8')
  t.same((loaded.header as unknown as Header).frames, header.frames, 'the header reads back')
  measure(t, 'sad_to_happy_pexels.mp4 pose lite 10/s', seq, npz, wallS)
})

t.test('maxFrames stops early with the first frames; bad options are refused', async (t) => {
  const seq = await extractor.extract(PEXELS, { ...poseOptions, maxFrames: 25 })
  t.equal(seq.framesSeen, 25)
  const all = await extractor.extract(PEXELS, { ...poseOptions, fps: 5 })
  t.equal(all.framesSeen, (all.arrays.frame_timestamps!.shape[0]))
  t.ok(Math.abs(all.framesSeen - 99) <= 2, `5 a second: ${all.framesSeen} frames`)
  const times = list(seq, 'frame_timestamps')
  t.equal(times.length, 25)
  // Frame i is the first frame at or after i x 100 ms (the video's own frames, ~30/s).
  t.ok(times.every((v, i) => v >= i * 100 - 1e-6 && v < i * 100 + 1000 / 20), `on the 10/s grid: ${times.slice(0, 5).join(', ')}...`)
  t.equal((seq.header as unknown as Header).options.max_frames, 25)
  for (const [bad, message] of [
    [{ signals: [] }, /signals must be a non-empty list of pose and\/or face/],
    [{ signals: ['hands'] }, /signals must be/],
    [{ fps: 0 }, /fps must be a number above 0 and at most 60, got 0/],
    [{ fps: 61 }, /fps must be/],
    [{ maxFrames: 1.5 }, /maxFrames must be a whole number >= 1, got 1.5/],
    [{ minConfidence: 2 }, /minConfidence must be a number from 0 to 1, got 2/],
    [{ model: 'heavy' }, /model must be lite or full, got heavy/]
  ] as const) {
    await t.rejects(extractor.extract(PEXELS, { ...poseOptions, ...(bad as object) }), message, JSON.stringify(bad))
  }
  await t.rejects(extractor.extract(path.join(fixtures, 'README.md'), poseOptions), /not a video|no video stream|invalid/i, 'a file that is not a video')
  await t.rejects(extractor.extract(path.join(dir, 'missing.mp4'), poseOptions), /not found|no such file/i)
  const after = await extractor.extract(PEXELS, { ...poseOptions, maxFrames: 3 })
  t.equal(after.framesSeen, 3, 'the extractor still works after errors')
})

t.test('face: 478 landmarks and 52 blendshapes, the same face the engine tracks in an ordinary analysis', async (t) => {
  const started = performance.now()
  const seq = await extractor.extract(GRID, { signals: ['pose', 'face'], fps: 25, minConfidence: 0.5, model: 'lite' })
  const wallS = (performance.now() - started) / 1000
  // The ordinary analysis (face option landmarks off): no raw outputs on its frames.
  const frames = await reference<FaceFrame>(faceModule, GRID, { kinds: ['face'], fps: 25 })
  t.ok(frames.every((f) => f.face === null || f.face.raw === undefined), 'off by default: an analysis keeps no raw landmarks')
  t.equal(seq.framesSeen, frames.length, `every frame of the 25 fps clip (${frames.length})`)
  t.same(list(seq, 'frame_timestamps'), frames.map((f) => f.t))
  const kept = list(seq, 'face_kept_indices')
  t.same(kept, frames.flatMap((f, i) => (f.face ? [i] : [])), 'a face in every frame the engine saw one (presence is over the tracker\'s own cut)')
  t.same(list(seq, 'face_timestamps'), kept.map((i) => frames[i]!.t))
  const F = kept.length
  t.same(seq.arrays.face_landmarks!.shape, [F, 478, 3])
  t.same(seq.arrays.blendshapes!.shape, [F, 52])
  const lm = f32(seq, 'face_landmarks')
  const bs = f32(seq, 'blendshapes')
  let boxOff = 0
  let blendOff = 0
  kept.forEach((i, k) => {
    const face = frames[i]!.face!
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
    for (let p = 0; p < 468; p++) {
      const x = lm[(k * 478 + p) * 3]!, y = lm[(k * 478 + p) * 3 + 1]!
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y)
    }
    const box = [x0, y0, x1 - x0, y1 - y0]
    boxOff = Math.max(boxOff, ...box.map((v, c) => Math.abs(v - face.box[c]!)))
    for (const name of KEY_BLENDSHAPES) blendOff = Math.max(blendOff, Math.abs(round(bs[k * 52 + BLENDSHAPE_NAMES.indexOf(name)]!, 3) - face.blendshapes[name]))
  })
  t.ok(boxOff <= 1e-4, `the normalised mesh's bounds are the engine's face box (max difference ${boxOff})`)
  t.ok(blendOff <= 1e-3, `the 52 blendshapes hold the engine's key blendshapes (max difference ${blendOff})`)
  // Pose on the same analysed frames, its own kept set.
  t.ok(list(seq, 'kept_indices').every((i) => i < frames.length))
  t.same(list(seq, 'timestamps'), list(seq, 'kept_indices').map((i) => frames[i]!.t))
  const npz = encodeSequenceNpz(seq)
  const file = path.join(dir, 'grid.npz')
  await fs.writeFile(file, npz)
  const loaded = loadNpz(file)
  t.same(loaded.arrays.face_landmarks!.shape, [F, 478, 3])
  t.same(loaded.arrays.blendshapes!.shape, [F, 52])
  t.equal((loaded.header as unknown as Header).blendshape_names.length, 52)
  measure(t, 'grid/bbaf2n.mpg pose+face 25/s', seq, npz, wallS)
})

t.test('the face codec ignores the raw outputs', async (t) => {
  const face = { box: [0, 0, 1, 1], pose: { yaw: 0, pitch: 0, roll: 0 }, gaze: { yaw: 0, pitch: 0 }, eyeOpening: [0.3, 0.3], blink: 0.1, blendshapes: Object.fromEntries(KEY_BLENDSHAPES.map((n) => [n, 0.5])) } as NonNullable<FaceFrame['face']>
  const plain = encodeFaceFrame({ t: 40, face, otherFaces: 0 })
  const withRaw = encodeFaceFrame({ t: 40, face: { ...face, raw: { landmarks: new Float32Array(1434), blendshapes: new Float32Array(52), presence: 0.9 } }, otherFaces: 0 })
  t.same(withRaw, plain)
})
