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
   * Rewrite PRelu without branches (see rewritePRelu): ONNX Runtime's PRelu kernel branches on
   * every element's sign and mispredicts on real activations. On by default: the same numbers
   * up to float rounding.
   */
  branchlessPRelu?: boolean
  /**
   * The outputs the caller reads: the graph is cut to the nodes they need. ONNX Runtime runs
   * every node whatever the fetches name, so an unread head still costs its full price (the
   * BlazePose landmark models' 256x256 segmentation mask is 60 % of their time).
   */
  outputs?: readonly string[]
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
  if (options.outputs) keepOutputs(proto, options.outputs)
  if (options.branchlessPRelu ?? true) rewritePRelu(proto)
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
type Tensor = onnxProto.onnx.ITensorProto

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

/** Cuts a graph, in place, to the named outputs and the nodes and initializers they depend on. */
export function keepOutputs (model: Model, outputs: readonly string[]): Model {
  const graph = model.graph!
  const missing = outputs.filter((name) => !(graph.output ?? []).some((o) => o.name === name))
  if (missing.length > 0) throw new Error(`model has no output ${missing.join(', ')}`)
  graph.output = (graph.output ?? []).filter((o) => outputs.includes(o.name!))
  const needed = new Set(outputs)
  const kept = []
  for (const node of [...graph.node ?? []].reverse()) {
    if (!(node.output ?? []).some((name) => needed.has(name))) continue
    for (const name of node.input ?? []) needed.add(name)
    kept.push(node)
  }
  graph.node = kept.reverse()
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name!))
  return model
}

/**
 * Rewrites every PRelu node without branches, in place. Per-channel slopes s on an NCHW tensor
 * become PRelu(x) = s * x + (1 - s) * Relu(x), two 1x1 depthwise convolutions and an Add: ops
 * that ONNX Runtime keeps in its blocked NCHWc layout, where Min and a broadcast Mul would force
 * a layout round trip around every PRelu (face mesh: 3.5 ms a frame against 5.6 ms with
 * Relu + s * Min(x, 0), and 13 ms with the PRelu kernel). Other slopes get Relu(x) + s * Min(x, 0).
 */
export function rewritePRelu (model: Model): Model {
  const graph = model.graph!
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]))
  const zero = 'candor_prelu_zero'
  const nodes = []
  const added: Tensor[] = []
  const replacedSlopes = new Set<string>()
  for (const node of graph.node ?? []) {
    if (node.opType !== 'PRelu') {
      nodes.push(node)
      continue
    }
    const [x, slopeName] = node.input as [string, string]
    const y = node.output![0]!
    const tmp = (suffix: string) => `${y}__prelu_${suffix}`
    const slopes = perChannelSlopes(initializers.get(slopeName))
    if (slopes) {
      const weights = (name: string, values: Float32Array) => {
        added.push(onnx.TensorProto.create({ name, dataType: FLOAT, dims: [values.length, 1, 1, 1], rawData: new Uint8Array(values.buffer) }))
        return name
      }
      const depthwise = [
        onnx.AttributeProto.create({ name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: slopes.length }),
        onnx.AttributeProto.create({ name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] })
      ]
      nodes.push(
        onnx.NodeProto.create({ opType: 'Relu', input: [x], output: [tmp('pos')] }),
        onnx.NodeProto.create({ opType: 'Conv', input: [tmp('pos'), weights(tmp('one_minus_slope'), slopes.map((v) => 1 - v))], output: [tmp('kept')], attribute: depthwise }),
        onnx.NodeProto.create({ opType: 'Conv', input: [x, weights(tmp('slope'), slopes)], output: [tmp('scaled')], attribute: depthwise }),
        onnx.NodeProto.create({ opType: 'Add', input: [tmp('scaled'), tmp('kept')], output: [y] })
      )
      replacedSlopes.add(slopeName)
    } else {
      nodes.push(
        onnx.NodeProto.create({ opType: 'Relu', input: [x], output: [tmp('pos')] }),
        onnx.NodeProto.create({ opType: 'Min', input: [x, zero], output: [tmp('neg')] }),
        onnx.NodeProto.create({ opType: 'Mul', input: [tmp('neg'), slopeName], output: [tmp('scaled')] }),
        onnx.NodeProto.create({ opType: 'Add', input: [tmp('pos'), tmp('scaled')], output: [y] })
      )
      if (!added.some((t) => t.name === zero)) added.push(onnx.TensorProto.create({ name: zero, dataType: FLOAT, dims: [1], rawData: new Uint8Array(new Float32Array([0]).buffer) }))
    }
  }
  if (nodes.length === (graph.node ?? []).length) return model
  graph.node = nodes
  const stillUsed = new Set(nodes.flatMap((n) => n.input ?? []))
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !replacedSlopes.has(t.name!) || stillUsed.has(t.name!)), ...added]
  return model
}

/** The slopes of a PRelu when they are a float initializer of shape [C, 1, 1] or [1, C, 1, 1] (C > 1). */
function perChannelSlopes (tensor: Tensor | undefined): Float32Array | null {
  if (!tensor || tensor.dataType !== FLOAT) return null
  const dims = (tensor.dims ?? []).map(Number)
  const channels = dims.length === 3 ? dims[0]! : dims.length === 4 && dims[0] === 1 ? dims[1]! : 0
  if (channels <= 1 || dims.slice(-2).some((d) => d !== 1)) return null
  const raw = tensor.rawData
  const values = raw && raw.length > 0
    ? new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length))
    : Float32Array.from(tensor.floatData ?? [])
  return values.length === channels ? values : null
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
