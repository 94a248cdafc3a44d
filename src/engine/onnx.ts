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
  if (options.fp16ToFp32) model = convertFp16ToFp32(model)
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all'
  })
}

const FLOAT = 1
const FLOAT16 = 10

/** Converts fp16 initializers, inputs, outputs and value infos of a model to fp32. */
export function convertFp16ToFp32 (bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes)
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
  return onnx.ModelProto.encode(model).finish()
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
