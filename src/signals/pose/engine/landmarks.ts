/**
 * BlazePose's landmark model (pose_landmark_lite/full.onnx) on one body ROI: the rotated square
 * crop at 256x256, RGB in [0, 1], edges replicated (MediaPipe's default crop border), sampled as
 * MediaPipe's CPU ImageToTensor does (OpenCV's convention, see TensorLayout.sampling). Decodes
 * 39 landmarks (33 body + the ROI's 2 auxiliary points + 4 unused), refines them with the
 * heatmap, maps them back to image pixels, and rotates the world landmarks into the image's
 * frame, as MediaPipe's pose_landmark_by_roi graph.
 */
import { createSession, type Session, ort } from '../../../engine/onnx.js'
import { warpToTensor, rotatedSquareToAffine, applyAffine, type RgbImage } from '../../../engine/image.js'
import { refineFromHeatmap } from './refine.js'
import type { PoseRoi } from './roi.js'
import type { PoseSignals } from '../types.js'

export type PoseModelVariant = 'lite' | 'full'
export const POSE_LANDMARK_FILES: Record<PoseModelVariant, string> = { lite: 'pose_landmark_lite.onnx', full: 'pose_landmark_full.onnx' }

export const BODY_LANDMARKS = 33
const ALL_LANDMARKS = 39
const VALUES = 5
const INPUT = 256
const HEATMAP = 64
/** The outputs used: landmarks, presence, heatmap, world landmarks (not the segmentation). */
const OUTPUTS = ['Identity', 'Identity_1', 'Identity_3', 'Identity_4']

export interface PoseLandmarkResult {
  /** 33 x (x, y, z, visibility): x, y in image pixels, z in pixels on x's scale, visibility 0..1. */
  body: Float32Array
  /** The auxiliary points 33 (hips' midpoint) and 34 (scale point) as [x0, y0, x1, y1], pixels. */
  aux: Float32Array
  /** 33 x (x, y, z) in metres, origin between the hips. */
  world: Float32Array
  /** Probability that the crop holds a body (the model's flag, already a probability). */
  presence: number
  roi: PoseRoi
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

export class PoseLandmarkModel {
  private readonly input = new Float32Array(3 * INPUT * INPUT)

  private constructor (private readonly session: Session, readonly file: string) {}

  static async load (file: string): Promise<PoseLandmarkModel> {
    return new PoseLandmarkModel(await createSession(file, { outputs: OUTPUTS }), file)
  }

  async run (image: RgbImage, roi: PoseRoi): Promise<PoseLandmarkResult> {
    const cropToImage = rotatedSquareToAffine(roi.cx, roi.cy, roi.size, roi.rotation, INPUT)
    warpToTensor(image, cropToImage, { width: INPUT, height: INPUT, layout: 'nhwc', channels: 'rgb', mean: [0, 0, 0], std: [255, 255, 255], border: 'replicate', sampling: 'opencv' }, this.input)
    const outputs = await this.session.run({ input_1: new ort.Tensor('float32', this.input, [1, INPUT, INPUT, 3]) }, OUTPUTS)
    const raw = outputs.Identity!.data as Float32Array
    const presence = (outputs.Identity_1!.data as Float32Array)[0]!
    const rawWorld = outputs.Identity_4!.data as Float32Array

    const points = new Float32Array(ALL_LANDMARKS * 2)
    for (let i = 0; i < ALL_LANDMARKS; i++) {
      points[i * 2] = raw[i * VALUES]! / INPUT
      points[i * 2 + 1] = raw[i * VALUES + 1]! / INPUT
    }
    refineFromHeatmap(points, outputs.Identity_3!.data as Float32Array, HEATMAP, ALL_LANDMARKS)

    const body = new Float32Array(BODY_LANDMARKS * 4)
    const zScale = roi.size / INPUT
    for (let i = 0; i < BODY_LANDMARKS; i++) {
      const [x, y] = applyAffine(cropToImage, points[i * 2]! * INPUT, points[i * 2 + 1]! * INPUT)
      body[i * 4] = x
      body[i * 4 + 1] = y
      body[i * 4 + 2] = raw[i * VALUES + 2]! * zScale
      body[i * 4 + 3] = sigmoid(raw[i * VALUES + 3]!)
    }
    const aux = new Float32Array(4)
    for (let k = 0; k < 2; k++) {
      const i = BODY_LANDMARKS + k
      const [x, y] = applyAffine(cropToImage, points[i * 2]! * INPUT, points[i * 2 + 1]! * INPUT)
      aux[k * 2] = x
      aux[k * 2 + 1] = y
    }
    // World landmarks turn with the ROI (WorldLandmarkProjection); z is untouched.
    const world = new Float32Array(BODY_LANDMARKS * 3)
    const cos = Math.cos(roi.rotation), sin = Math.sin(roi.rotation)
    for (let i = 0; i < BODY_LANDMARKS; i++) {
      const x = rawWorld[i * 3]!, y = rawWorld[i * 3 + 1]!
      world[i * 3] = cos * x - sin * y
      world[i * 3 + 1] = sin * x + cos * y
      world[i * 3 + 2] = rawWorld[i * 3 + 2]!
    }
    return { body, aux, world, presence, roi }
  }
}

/** Pixels to the record's normalised form: x / width, y / height, z / width (MediaPipe's). */
export function toPoseSignals (result: PoseLandmarkResult, width: number, height: number): PoseSignals {
  const landmarks = new Float32Array(BODY_LANDMARKS * 4)
  for (let i = 0; i < BODY_LANDMARKS; i++) {
    landmarks[i * 4] = result.body[i * 4]! / width
    landmarks[i * 4 + 1] = result.body[i * 4 + 1]! / height
    landmarks[i * 4 + 2] = result.body[i * 4 + 2]! / width
    landmarks[i * 4 + 3] = result.body[i * 4 + 3]!
  }
  return { landmarks, world: result.world, presence: result.presence }
}
