/**
 * BlazePose's person detector (pose_detection.onnx): the whole frame letterboxed into 224x224,
 * RGB in [-1, 1], black padding (MediaPipe's pose_detection graph), sampled as MediaPipe's CPU
 * ImageToTensor does (OpenCV's convention, see TensorLayout.sampling). Detections come back in
 * image pixels, best first.
 */
import { createSession, type Session, ort } from '../../../engine/onnx.js'
import type { RgbImage } from '../../../engine/image.js'
import { ssdAnchors, type AnchorOptions } from '../../../engine/ssd-anchors.js'
import { decodeDetections, imageDetections, letterboxToTensor, type DecodeOptions } from '../../../engine/ssd-detections.js'

export const POSE_DETECTOR_FILE = 'pose_detection.onnx'
/** pose_detection.onnx: strides 8, 16, 32, 32, 32, aspect ratio 1 (+ interpolated): 2254 anchors. */
export const POSE_ANCHORS: AnchorOptions = { inputSize: 224, strides: [8, 16, 32, 32, 32], perLayer: 2, offset: 0.5 }
/** Box + 4 keypoints (hip centre, full-body scale point, shoulder centre, upper-body scale point) in 224-px units. */
export const POSE_DECODE: DecodeOptions = { inputSize: 224, keypoints: 4, stride: 12, minScore: 0.5, scoreClip: 100 }
const INPUT = POSE_ANCHORS.inputSize

export interface PoseDetection {
  score: number
  /** The person's face box in pixels (BlazePose's detection box is the face). */
  face: { x: number, y: number, width: number, height: number }
  /** Hip centre, full-body scale point, shoulder centre, upper-body scale point, in pixels. */
  keypoints: Array<[number, number]>
}

export class PoseDetector {
  private readonly input = new Float32Array(3 * INPUT * INPUT)
  private readonly anchors = ssdAnchors(POSE_ANCHORS)

  private constructor (private readonly session: Session) {}

  static async load (file: string): Promise<PoseDetector> {
    return new PoseDetector(await createSession(file))
  }

  async detect (image: RgbImage, minScore = POSE_DECODE.minScore): Promise<PoseDetection[]> {
    const letterbox = letterboxToTensor(image, INPUT, this.input)
    const outputs = await this.session.run({ input_1: new ort.Tensor('float32', this.input, [1, INPUT, INPUT, 3]) })
    const raw = decodeDetections(outputs.Identity!.data as Float32Array, outputs.Identity_1!.data as Float32Array, this.anchors, { ...POSE_DECODE, minScore })
    return imageDetections(raw, letterbox).map(({ score, box, keypoints }) => ({ score, face: box, keypoints }))
  }
}
