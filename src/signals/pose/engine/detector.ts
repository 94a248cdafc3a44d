/**
 * BlazePose's person detector (pose_detection.onnx): the whole frame letterboxed into 224x224,
 * RGB in [-1, 1], black padding (MediaPipe's pose_detection graph), sampled as MediaPipe's CPU
 * ImageToTensor does (OpenCV's convention, see TensorLayout.sampling). Detections come back in
 * image pixels, best first.
 */
import { createSession, type Session, ort } from '../../../engine/onnx.js'
import { warpToTensor, rectToAffine, type RgbImage } from '../../../engine/image.js'
import { ssdAnchors, POSE_ANCHORS } from './anchors.js'
import { decodeDetections, weightedNms, POSE_DECODE } from './detections.js'

export const POSE_DETECTOR_FILE = 'pose_detection.onnx'
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
  private readonly anchors = ssdAnchors()

  private constructor (private readonly session: Session) {}

  static async load (file: string): Promise<PoseDetector> {
    return new PoseDetector(await createSession(file))
  }

  async detect (image: RgbImage, minScore = POSE_DECODE.minScore): Promise<PoseDetection[]> {
    // Letterbox: a square of the long side, centred on the image.
    const side = Math.max(image.width, image.height)
    const left = (side - image.width) / 2
    const top = (side - image.height) / 2
    warpToTensor(image, rectToAffine({ x: -left, y: -top, width: side, height: side }, INPUT, INPUT),
      { width: INPUT, height: INPUT, layout: 'nhwc', channels: 'rgb', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5], sampling: 'opencv' }, this.input)
    const outputs = await this.session.run({ input_1: new ort.Tensor('float32', this.input, [1, INPUT, INPUT, 3]) })
    const raw = decodeDetections(outputs.Identity!.data as Float32Array, outputs.Identity_1!.data as Float32Array, this.anchors, { ...POSE_DECODE, minScore })
    const toX = (x: number) => x * side - left
    const toY = (y: number) => y * side - top
    return weightedNms(raw).map((d) => ({
      score: d.score,
      face: { x: toX(d.cx - d.width / 2), y: toY(d.cy - d.height / 2), width: d.width * side, height: d.height * side },
      keypoints: Array.from({ length: d.keypoints.length / 2 }, (_, k): [number, number] => [toX(d.keypoints[k * 2]!), toY(d.keypoints[k * 2 + 1]!)])
    }))
  }
}
