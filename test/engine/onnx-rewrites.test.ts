/**
 * The graph rewrites createSession applies for speed (PRelu without branches, graphs cut to the
 * outputs read) must not change what the models compute: each is compared with the untouched
 * graph, on a small built graph and on the real models with a real face and body crop.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import onnxProto from 'onnx-proto'
import { projectRoot } from '../../src/config.js'
import { createSession, rewritePRelu, keepOutputs, ort, type SessionOptions } from '../../src/engine/onnx.js'
import { warpToTensor, rotatedSquareToAffine } from '../../src/engine/image.js'
import { decodeImage } from '../../src/media/frames.js'
import { buildModel, floatTensor, floatValue, node } from '../support/onnx-builder.js'
import { fixtures } from '../helpers/environment.js'

const { onnx } = onnxProto
const modelsDir = path.join(projectRoot, 'models')
const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-onnx-'))
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))

async function run (file: string, options: SessionOptions, feeds: Record<string, ort.Tensor>, outputs?: string[]): Promise<Record<string, Float32Array>> {
  const session = await createSession(file, options)
  try {
    const result = await session.run(feeds, outputs ?? session.outputNames)
    return Object.fromEntries(Object.entries(result).map(([name, tensor]) => [name, tensor.data as Float32Array]))
  } finally {
    await session.release()
  }
}

function maxDifference (a: Float32Array, b: Float32Array): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

const opTypes = (file: string) => onnx.ModelProto.decode(fs.readFileSync(file)).graph!.node!.map((n) => n.opType)

t.test('PRelu rewritten: per-channel slopes (depthwise) and a shared slope (Min) give the PRelu values', async (t) => {
  const channels = 4
  const file = path.join(dir, 'prelu.onnx')
  fs.writeFileSync(file, buildModel({
    inputs: [floatValue('x', [1, channels, 5, 5])],
    outputs: [floatValue('y', [1, channels, 5, 5]), floatValue('z', [1, channels, 5, 5])],
    nodes: [node('PRelu', ['x', 'slopes'], ['y']), node('PRelu', ['x', 'shared'], ['z'])],
    // Slopes of both signs and beyond 1, as the face mesh has (-5.4 to 19.8).
    initializers: [floatTensor('slopes', [1, channels, 1, 1], [0.25, -5.4, 19.8, 0]), floatTensor('shared', [1], [0.1])]
  }))
  const x = Float32Array.from({ length: channels * 25 }, (_, i) => Math.sin(i * 1.7) * 3)
  const feeds = { x: new ort.Tensor('float32', x, [1, channels, 5, 5]) }
  const slopes = [0.25, -5.4, 19.8, 0]
  const expected = x.map((v, i) => (v >= 0 ? v : v * slopes[Math.floor(i / 25)]!))
  const rewritten = await run(file, {}, feeds)
  t.ok(maxDifference(rewritten.y!, expected) < 1e-5, 'per-channel PRelu values')
  t.ok(maxDifference(rewritten.z!, x.map((v) => (v >= 0 ? v : v * 0.1))) < 1e-6, 'shared-slope PRelu values')

  const model = rewritePRelu(onnx.ModelProto.decode(fs.readFileSync(file)))
  const ops = model.graph!.node!.map((n) => n.opType)
  t.notOk(ops.includes('PRelu'), 'no PRelu left')
  t.equal(ops.filter((op) => op === 'Conv').length, 2, 'per-channel slopes: two 1x1 depthwise convolutions')
  t.ok(ops.includes('Min'), 'shared slope: Relu + slope * Min(x, 0)')
  t.notOk(model.graph!.initializer!.some((i) => i.name === 'slopes'), 'the replaced slopes are dropped')
})

t.test('the face mesh and the emotion model give the same answers rewritten', async (t) => {
  const picture = await decodeImage(path.join(fixtures, 'faces/one_face.jpg'), tools)
  const side = Math.min(picture.width, picture.height) * 0.6
  const crop = (size: number) => {
    const tensor = new Float32Array(3 * size * size)
    warpToTensor(picture, rotatedSquareToAffine(picture.width / 2, picture.height * 0.4, side, 0, size), { width: size, height: size, layout: 'nchw', channels: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] }, tensor)
    return tensor
  }
  const mesh = path.join(modelsDir, 'face_landmarks_detector.onnx')
  t.ok(opTypes(mesh).includes('PRelu'), 'the mesh has PRelu nodes to rewrite')
  const feeds = { input_12: new ort.Tensor('float32', crop(256), [1, 3, 256, 256]) }
  const plain = await run(mesh, { fp16ToFp32: true, branchlessPRelu: false }, feeds)
  const rewritten = await run(mesh, { fp16ToFp32: true }, feeds)
  const difference = maxDifference(plain.Identity!, rewritten.Identity!)
  t.ok(difference < 0.01, `mesh landmarks within 0.01 px of 256 (${difference.toExponential(2)})`)
  t.ok(Math.abs(plain.Identity_1![0]! - rewritten.Identity_1![0]!) < 1e-3, 'mesh face presence')

  const emotion = path.join(modelsDir, 'facial_expression_recognition_mobilefacenet_2022july_int8.onnx')
  const emotionSession = await createSession(emotion)
  const input = emotionSession.inputNames[0]!
  await emotionSession.release()
  const emotionFeeds = { [input]: new ort.Tensor('float32', crop(112).map((v) => (v - 0.5) / 0.5), [1, 3, 112, 112]) }
  const before = await run(emotion, { branchlessPRelu: false }, emotionFeeds)
  const after = await run(emotion, {}, emotionFeeds)
  const name = Object.keys(before)[0]!
  t.ok(maxDifference(before[name]!, after[name]!) < 1e-3, 'emotion logits')
})

t.test('the pose landmark model cut to the outputs read gives the same values', async (t) => {
  const file = path.join(modelsDir, 'pose_landmark_lite.onnx')
  const read = ['Identity', 'Identity_1', 'Identity_3', 'Identity_4']
  const picture = await decodeImage(path.join(fixtures, 'pose/coco/000000000785.jpg'), tools)
  const tensor = new Float32Array(256 * 256 * 3)
  warpToTensor(picture, rotatedSquareToAffine(picture.width / 2, picture.height / 2, Math.max(picture.width, picture.height), 0, 256), { width: 256, height: 256, layout: 'nhwc', channels: 'rgb', mean: [0, 0, 0], std: [255, 255, 255], border: 'replicate' }, tensor)
  const feeds = { input_1: new ort.Tensor('float32', tensor, [1, 256, 256, 3]) }
  const whole = await run(file, {}, feeds, read)
  const cut = await run(file, { outputs: read }, feeds)
  for (const name of read) t.same(Array.from(cut[name]!), Array.from(whole[name]!), `${name} unchanged`)

  const model = onnx.ModelProto.decode(fs.readFileSync(file))
  const before = model.graph!.node!.length
  keepOutputs(model, read)
  t.ok(model.graph!.node!.length < before, `segmentation head dropped (${before} -> ${model.graph!.node!.length} nodes)`)
  t.same(model.graph!.output!.map((o) => o.name), read, 'only the outputs read')
  t.throws(() => keepOutputs(onnx.ModelProto.decode(fs.readFileSync(file)), ['Identity', 'mask']), /model has no output mask/)
})
