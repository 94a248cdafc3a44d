/**
 * MediaPipe Face Mesh V2 (face_landmarks_detector.onnx): 478 landmarks (468 face + 10 iris) and
 * a face-presence score from a 256x256 crop of the face ROI. Landmarks come back in image
 * pixels, z in the same units as x (depth relative to the face centre, smaller = nearer).
 */
import path from 'node:path'
import { createSession, type Session, ort } from '../../../engine/onnx.js'
import { warpToTensor, rotatedSquareToAffine, applyAffine, type RgbImage } from '../../../engine/image.js'
import type { FaceRoi } from './roi.js'

export const MESH_FILE = 'face_landmarks_detector.onnx'
export const LANDMARK_COUNT = 478
const INPUT = 256

export interface MeshResult {
  /** 478 x (x, y, z) in image pixels. */
  landmarks: Float32Array
  /** Probability that the crop holds a face (MediaPipe drops the track below 0.5). */
  presence: number
  roi: FaceRoi
}

export class FaceMeshModel {
  private readonly input = new Float32Array(3 * INPUT * INPUT)

  private constructor (private readonly session: Session) {}

  static async load (modelsDir: string): Promise<FaceMeshModel> {
    return new FaceMeshModel(await createSession(path.join(modelsDir, MESH_FILE), { fp16ToFp32: true }))
  }

  async run (image: RgbImage, roi: FaceRoi): Promise<MeshResult> {
    const cropToImage = rotatedSquareToAffine(roi.cx, roi.cy, roi.size, roi.rotation, INPUT)
    warpToTensor(image, cropToImage, { width: INPUT, height: INPUT, layout: 'nchw', channels: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] }, this.input)
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', this.input, [1, 3, INPUT, INPUT]) }
    const outputs = await this.session.run(feeds)
    const raw = outputs.Identity!.data as Float32Array
    const presenceLogit = (outputs.Identity_1!.data as Float32Array)[0]!
    const landmarks = new Float32Array(LANDMARK_COUNT * 3)
    const zScale = roi.size / INPUT
    for (let i = 0; i < LANDMARK_COUNT; i++) {
      const [x, y] = applyAffine(cropToImage, raw[i * 3]!, raw[i * 3 + 1]!)
      landmarks[i * 3] = x
      landmarks[i * 3 + 1] = y
      landmarks[i * 3 + 2] = raw[i * 3 + 2]! * zScale
    }
    return { landmarks, presence: 1 / (1 + Math.exp(-presenceLogit)), roi }
  }
}
