/**
 * YuNet face detector (OpenCV Zoo, 2023mar): boxes and 5 keypoints. The image is letterboxed
 * into the model's fixed square input and the heads are decoded as OpenCV's FaceDetectorYN
 * does (modules/objdetect/src/face_detect.cpp), then mapped back to image pixels.
 */
import { clamp } from '../../../numbers.js'
import { createSession, ort, type Session } from '../../../engine/onnx.js'
import { warpToTensor, type RgbImage, type TensorLayout } from '../../../engine/image.js'

export const DETECTOR_FILE = 'face_detection_yunet_2023mar.onnx'

export interface Rect { x: number, y: number, width: number, height: number }

export interface FaceDetection {
  /** Image pixels. */
  box: Rect
  /** 0..1 */
  score: number
  /**
   * 5 points in image pixels, YuNet order: subject's right eye (image left), left eye, nose
   * tip, right mouth corner, left mouth corner.
   */
  keypoints: Array<[number, number]>
}

export interface DetectOptions {
  /** Faces scoring below this are dropped. */
  scoreThreshold?: number
  /** Overlapping boxes with an IoU above this are suppressed, the best kept. */
  nmsThreshold?: number
  /** At most this many candidates enter NMS (OpenCV's top_k). */
  topK?: number
}

/**
 * scoreThreshold is tuned on the fixtures: OpenCV Zoo's 0.6 accepts a dog's face (0.85 at
 * every scale tried), while every labelled human face, including a hand over a crying face,
 * scores 0.88 or more. The price is recall on small, blurred or turned faces (background
 * people at 0.5-0.6): pass a lower threshold where those matter.
 */
export const DEFAULT_DETECT_OPTIONS: Readonly<Required<DetectOptions>> = Object.freeze({ scoreThreshold: 0.87, nmsThreshold: 0.3, topK: 5000 })

const STRIDES = [8, 16, 32] as const
const OUTPUTS = ['cls', 'obj', 'bbox', 'kps'] as const

export class YuNetDetector {
  readonly #session: Session
  readonly #inputName: string
  readonly #layout: TensorLayout
  // One input buffer and tensor for every call; #queue keeps calls from sharing it at once.
  readonly #input: Float32Array<ArrayBuffer>
  readonly #tensor: ort.Tensor
  #queue: Promise<unknown> = Promise.resolve()

  private constructor (session: Session, width: number, height: number) {
    this.#session = session
    this.#inputName = session.inputNames[0]!
    // The network was trained on OpenCV's blobFromImage of BGR frames: 0..255, no mean.
    this.#layout = { width, height, layout: 'nchw', channels: 'bgr', mean: [0, 0, 0], std: [1, 1, 1] }
    this.#input = new Float32Array(3 * width * height)
    this.#tensor = new ort.Tensor('float32', this.#input, [1, 3, height, width])
  }

  static async load (modelPath: string): Promise<YuNetDetector> {
    const session = await createSession(modelPath)
    const [height, width] = inputSize(session)
    return new YuNetDetector(session, width, height)
  }

  /** Faces in the image, best score first. */
  detect (image: RgbImage, options: DetectOptions = {}): Promise<FaceDetection[]> {
    const run = this.#queue.then(() => this.#detect(image, { ...DEFAULT_DETECT_OPTIONS, ...options }))
    this.#queue = run.catch(() => {})
    return run
  }

  async #detect (image: RgbImage, options: Required<DetectOptions>): Promise<FaceDetection[]> {
    const { width, height } = this.#layout
    // Scale-only letterbox: the image sits in the top-left corner, black padding right and
    // below, as OpenCV pads to a multiple of 32.
    const scale = Math.min(width / image.width, height / image.height)
    warpToTensor(image, [1 / scale, 0, 0, 0, 1 / scale, 0], this.#layout, this.#input)
    const outputs = await this.#session.run({ [this.#inputName]: this.#tensor })
    const candidates = decode(outputs, width, height, options.scoreThreshold)
    return suppress(candidates, options.nmsThreshold, options.topK).map((face) => toImage(face, scale))
  }
}

function inputSize (session: Session): [number, number] {
  const metadata = session.inputMetadata[0]
  const shape = metadata?.isTensor ? metadata.shape : []
  const [, , height, width] = shape
  // The 2023mar file is fixed at 640x640; a dynamic export gets the same size.
  return [typeof height === 'number' ? height : 640, typeof width === 'number' ? width : 640]
}

/** Face candidates in model input pixels, as FaceDetectorYN's postProcess builds them. */
function decode (outputs: ort.InferenceSession.OnnxValueMapType, width: number, height: number, scoreThreshold: number): FaceDetection[] {
  const faces: FaceDetection[] = []
  for (const stride of STRIDES) {
    const [cls, obj, bbox, kps] = OUTPUTS.map((name) => {
      const tensor = outputs[`${name}_${stride}`]
      if (!tensor) throw new Error(`YuNet model has no output ${name}_${stride}`)
      return tensor.data as Float32Array
    }) as [Float32Array, Float32Array, Float32Array, Float32Array]
    const cols = Math.floor(width / stride)
    const rows = Math.floor(height / stride)
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c
        const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!))
        if (score < scoreThreshold) continue
        const cx = (c + bbox[i * 4]!) * stride
        const cy = (r + bbox[i * 4 + 1]!) * stride
        const w = Math.exp(bbox[i * 4 + 2]!) * stride
        const h = Math.exp(bbox[i * 4 + 3]!) * stride
        const keypoints: Array<[number, number]> = []
        for (let n = 0; n < 5; n++) {
          keypoints.push([(kps[i * 10 + 2 * n]! + c) * stride, (kps[i * 10 + 2 * n + 1]! + r) * stride])
        }
        faces.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score, keypoints })
      }
    }
  }
  return faces
}

const clamp01 = (value: number) => clamp(value, 0, 1)

/** Greedy NMS as OpenCV's NMSBoxes: best first, the topK best candidates only. */
function suppress (faces: FaceDetection[], iouThreshold: number, topK: number): FaceDetection[] {
  const sorted = faces.sort((a, b) => b.score - a.score).slice(0, topK > 0 ? topK : undefined)
  const kept: FaceDetection[] = []
  for (const face of sorted) {
    if (kept.every((other) => iou(face.box, other.box) <= iouThreshold)) kept.push(face)
  }
  return kept
}

export function iou (a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (w <= 0 || h <= 0) return 0
  const intersection = w * h
  return intersection / (a.width * a.height + b.width * b.height - intersection)
}

/**
 * Model pixels to image pixels. Boxes are edges (divide by the scale); keypoints are pixel
 * centres as OpenCV numbers them, so they go through the centre-to-centre map of the resize.
 * Boxes are not clipped: a face cut by the frame edge keeps its true centre and size.
 */
function toImage (face: FaceDetection, scale: number): FaceDetection {
  const { x, y, width, height } = face.box
  return {
    box: { x: x / scale, y: y / scale, width: width / scale, height: height / scale },
    score: face.score,
    keypoints: face.keypoints.map(([px, py]) => [(px + 0.5) / scale - 0.5, (py + 0.5) / scale - 0.5])
  }
}
