/**
 * MediaPipe's BlazeFace short-range detector (blazeface_short_range_nhwc.onnx, the detector
 * inside face_landmarker.task), made for faces near the camera: the whole frame letterboxed
 * (centred, black padding) into 128x128, RGB in [-1, 1], sampled as MediaPipe's CPU
 * ImageToTensor does. Decoded as MediaPipe's face_detection_short_range graph: SSD anchors at
 * strides 8, 16, 16, 16 (896), box + 6 keypoints in 128-px units relative to the anchor,
 * sigmoid scores above 0.5, weighted NMS at 0.3. Returns YuNet's FaceDetection shape (image
 * pixels, best first) so the tracker and the ROI treat both detectors alike.
 *
 * Keypoints, MediaPipe's order: subject's right eye (image left), left eye, nose tip, mouth
 * centre, right ear tragion, left ear tragion. The first two are the eyes, as roiFromDetection
 * expects.
 */
import { createSession, type Session, ort } from '../../../engine/onnx.js'
import type { RgbImage } from '../../../engine/image.js'
import { ssdAnchors, type AnchorOptions } from '../../../engine/ssd-anchors.js'
import { decodeDetections, imageDetections, letterboxToTensor, type DecodeOptions } from '../../../engine/ssd-detections.js'
import type { FaceDetection } from './yunet.js'

export const BLAZEFACE_FILE = 'blazeface_short_range_nhwc.onnx'

const INPUT = 128
export const BLAZEFACE_ANCHORS: AnchorOptions = { inputSize: INPUT, strides: [8, 16, 16, 16], perLayer: 2, offset: 0.5 }
export const BLAZEFACE_DECODE: DecodeOptions = { inputSize: INPUT, keypoints: 6, stride: 16, minScore: 0.5, scoreClip: 100 }

export class BlazeFaceDetector {
  readonly #input = new Float32Array(3 * INPUT * INPUT)
  readonly #tensor = new ort.Tensor('float32', this.#input, [1, INPUT, INPUT, 3])
  readonly #anchors = ssdAnchors(BLAZEFACE_ANCHORS)
  #queue: Promise<unknown> = Promise.resolve()

  private constructor (private readonly session: Session) {
    if (this.#anchors.length / 2 !== 896) throw new Error('BlazeFace short range expects 896 anchors')
  }

  static async load (file: string): Promise<BlazeFaceDetector> {
    return new BlazeFaceDetector(await createSession(file))
  }

  /** Faces in the image, best score first. */
  detect (image: RgbImage, minScore = BLAZEFACE_DECODE.minScore): Promise<FaceDetection[]> {
    const run = this.#queue.then(() => this.#detect(image, minScore))
    this.#queue = run.catch(() => {})
    return run
  }

  async #detect (image: RgbImage, minScore: number): Promise<FaceDetection[]> {
    const letterbox = letterboxToTensor(image, INPUT, this.#input)
    const outputs = await this.session.run({ [this.session.inputNames[0]!]: this.#tensor })
    const raw = decodeDetections(outputs.regressors!.data as Float32Array, outputs.classificators!.data as Float32Array, this.#anchors, { ...BLAZEFACE_DECODE, minScore })
    return imageDetections(raw, letterbox)
  }
}
