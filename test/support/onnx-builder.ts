/**
 * Small ONNX models built in memory (opset 13), so tests can exercise a model's contract
 * without its weights: a stand-in with the same signature whose output is a known function
 * of its input reveals exactly what preprocessing the engine applied.
 */
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto
const FLOAT = onnx.TensorProto.DataType.FLOAT
const INT64 = onnx.TensorProto.DataType.INT64

export function floatTensor (name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: bytes(Float32Array.from(values)) }
}

export function int64Tensor (name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: INT64, rawData: bytes(BigInt64Array.from(values, BigInt)) }
}

/** A float32 graph input or output. */
export function floatValue (name: string, dims: number[]): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } }
}

export function node (opType: string, input: string[], output: string[], intAttributes: Record<string, number> = {}): onnxProto.onnx.INodeProto {
  const attribute = Object.entries(intAttributes).map(([name, i]) => ({ name, i, type: onnx.AttributeProto.AttributeType.INT }))
  return { opType, input, output, name: output[0], attribute }
}

export interface GraphSpec {
  inputs: onnxProto.onnx.IValueInfoProto[]
  outputs: onnxProto.onnx.IValueInfoProto[]
  nodes: onnxProto.onnx.INodeProto[]
  initializers?: onnxProto.onnx.ITensorProto[]
}

/** Serialised ModelProto, ready for InferenceSession.create or a file. */
export function buildModel (graph: GraphSpec, name = 'test-model'): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'candor-tests',
    graph: {
      name,
      input: graph.inputs,
      output: graph.outputs,
      node: graph.nodes,
      initializer: graph.initializers ?? []
    }
  })
  return onnx.ModelProto.encode(model).finish()
}

function bytes (array: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/**
 * Stand-in for HSEmotion's enet_b0_8_best_vgaf.onnx: input `input` float32 [1,3,224,224],
 * output `logits` [1,8]. The logits are, with t the input tensor:
 *
 *   0 (anger)     mean of channel 0 over the whole image
 *   1 (contempt)  mean of channel 1
 *   2 (disgust)   mean of channel 2
 *   3 (fear)      mean of channel 0 over the left half (columns 0-111)
 *   4 (happiness) mean of channel 0 over the top half (rows 0-111)
 *   5, 6, 7       constants 0, 1, 2 (so logit k - logit 5 reads back as log(p_k / p_5))
 *
 * Graph: three GlobalAveragePool branches (whole, Slice of the left half, Slice of the top
 * half) -> Flatten -> Concat into 9 features -> MatMul with a 0/1 selection matrix -> Add.
 */
export function buildEmotionStandIn (): Uint8Array {
  const half = 112
  const select = new Float32Array(9 * 8)
  // features: 0-2 whole-image channel means, 3-5 left-half means, 6-8 top-half means
  const picks: Array<[feature: number, logit: number]> = [[0, 0], [1, 1], [2, 2], [3, 3], [6, 4]]
  for (const [feature, logit] of picks) select[feature * 8 + logit] = 1
  return buildModel({
    inputs: [floatValue('input', [1, 3, 224, 224])],
    outputs: [floatValue('logits', [1, 8])],
    initializers: [
      int64Tensor('zero', [1], [0]),
      int64Tensor('half', [1], [half]),
      int64Tensor('width_axis', [1], [3]),
      int64Tensor('height_axis', [1], [2]),
      floatTensor('select', [9, 8], select),
      floatTensor('bias', [8], [0, 0, 0, 0, 0, 0, 1, 2])
    ],
    nodes: [
      node('Slice', ['input', 'zero', 'half', 'width_axis'], ['left']),
      node('Slice', ['input', 'zero', 'half', 'height_axis'], ['top']),
      ...['input', 'left', 'top'].flatMap((region) => [
        node('GlobalAveragePool', [region], [`${region}_pooled`]),
        node('Flatten', [`${region}_pooled`], [`${region}_means`], { axis: 1 })
      ]),
      node('Concat', ['input_means', 'left_means', 'top_means'], ['features'], { axis: 1 }),
      node('MatMul', ['features', 'select'], ['selected']),
      node('Add', ['selected', 'bias'], ['logits'])
    ]
  }, 'enet_b0_8_stand_in')
}
