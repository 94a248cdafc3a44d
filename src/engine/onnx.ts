/**
 * ONNX Runtime sessions for the engine. One intra-op thread per session: on a 2-core machine
 * threads inside one model fight ffmpeg and the other models, and parallelism is better spent
 * running the models side by side (measured: 2-3x faster than the default).
 */
import fs from 'node:fs/promises'
import ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'

export { ort }
export type Session = ort.InferenceSession

const { onnx } = onnxProto

export interface SessionOptions {
  /**
   * Rewrite an all-fp16 graph (MediaPipe's converted models) to fp32 at load time: ONNX
   * Runtime's x86 CPU kernels compute in fp32 anyway, so this removes casts, not precision.
   */
  fp16ToFp32?: boolean
  /**
   * Replace PRelu(x, s) by Relu(x) + s * Min(x, 0): the same numbers, but ONNX Runtime's
   * PRelu kernel branches on every element's sign and mispredicts on real activations
   * (measured: 4.4 ms vs 1.4 ms for 512k mixed-sign values), which made the face mesh ~1.7x
   * slower on real faces than on flat test input. On by default: the result is identical.
   */
  branchlessPRelu?: boolean
}

export async function createSession (modelPath: string, options: SessionOptions = {}): Promise<Session> {
  let model: Uint8Array
  try {
    model = await fs.readFile(modelPath)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`model file missing: ${modelPath} (run npm run models)`, { cause: error })
    }
    throw error
  }
  const proto = onnx.ModelProto.decode(model)
  if (options.fp16ToFp32) convertFp16ToFp32(proto)
  if (options.branchlessPRelu ?? true) replacePRelu(proto)
  model = onnx.ModelProto.encode(proto).finish()
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all'
  })
}

const FLOAT = 1
const FLOAT16 = 10

type Model = ReturnType<typeof onnx.ModelProto.decode>

/** Converts fp16 initializers, inputs, outputs and value infos of a model to fp32, in place. */
export function convertFp16ToFp32 (model: Model): Model {
  const graph = model.graph!
  for (const tensor of graph.initializer ?? []) {
    if (tensor.dataType !== FLOAT16) continue
    const raw = tensor.rawData
    const halves = raw && raw.length > 0
      ? new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length))
      : Uint16Array.from(tensor.int32Data ?? [])
    tensor.dataType = FLOAT
    tensor.rawData = new Uint8Array(Float32Array.from(halves, halfToFloat).buffer)
    tensor.int32Data = []
  }
  for (const value of [...graph.input ?? [], ...graph.output ?? [], ...graph.valueInfo ?? []]) {
    const tensorType = value.type?.tensorType
    if (tensorType?.elemType === FLOAT16) tensorType.elemType = FLOAT
  }
  for (const node of graph.node ?? []) {
    if (node.opType === 'Cast' && node.attribute?.some((a) => a.name === 'to' && Number(a.i) === FLOAT16)) {
      throw new Error('fp16 graph with Cast nodes to fp16: not supported by convertFp16ToFp32')
    }
  }
  return model
}

/** Rewrites every PRelu node as Relu(x) + slope * Min(x, 0), in place (exact same values). */
export function replacePRelu (model: Model): Model {
  const graph = model.graph!
  const zero = 'candor_prelu_zero'
  const nodes = []
  let rewritten = 0
  for (const node of graph.node ?? []) {
    if (node.opType !== 'PRelu') {
      nodes.push(node)
      continue
    }
    const [x, slope] = node.input as [string, string]
    const y = node.output![0]!
    const tmp = (suffix: string) => `${y}__prelu_${suffix}`
    nodes.push(
      onnx.NodeProto.create({ opType: 'Relu', input: [x], output: [tmp('pos')] }),
      onnx.NodeProto.create({ opType: 'Min', input: [x, zero], output: [tmp('neg')] }),
      onnx.NodeProto.create({ opType: 'Mul', input: [tmp('neg'), slope], output: [tmp('scaled')] }),
      onnx.NodeProto.create({ opType: 'Add', input: [tmp('pos'), tmp('scaled')], output: [y] })
    )
    rewritten++
  }
  if (rewritten > 0) {
    graph.node = nodes
    graph.initializer = [...graph.initializer ?? [], onnx.TensorProto.create({ name: zero, dataType: FLOAT, dims: [1], rawData: new Uint8Array(new Float32Array([0]).buffer) })]
  }
  return model
}

/** IEEE 754 half (as its 16 bits) to a JS number. */
export function halfToFloat (h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

export function softmax (logits: ArrayLike<number>): number[] {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!)
  const exps = Array.from(logits, (v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((v) => v / sum)
}
