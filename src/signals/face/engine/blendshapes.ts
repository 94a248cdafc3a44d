/**
 * MediaPipe Blendshapes V2 (face_blendshapes.onnx): 52 ARKit-style scores from 146 of the 478
 * mesh landmarks, fed as (x, y) in image pixels exactly as MediaPipe's FaceBlendshapesGraph
 * does (the model normalises position and scale itself).
 */
import path from 'node:path'
import { createSession, type Session, ort } from '../../../engine/onnx.js'

export const BLENDSHAPES_FILE = 'face_blendshapes.onnx'

/** The landmark subset, in MediaPipe's order (face_blendshapes_graph.cc). */
const SUBSET = [
  0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
  81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160,
  161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
  296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382,
  384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477
] as const

export { BLENDSHAPE_NAMES, type BlendshapeName } from './blendshape-names.js'


export class BlendshapeModel {
  private readonly input = new Float32Array(SUBSET.length * 2)

  private constructor (private readonly session: Session) {}

  static async load (modelsDir: string): Promise<BlendshapeModel> {
    return new BlendshapeModel(await createSession(path.join(modelsDir, BLENDSHAPES_FILE)))
  }

  /** 52 scores in BLENDSHAPE_NAMES order, from 478 landmarks (x, y, z in image pixels). */
  async run (landmarks: Float32Array): Promise<Float32Array> {
    for (let i = 0; i < SUBSET.length; i++) {
      this.input[i * 2] = landmarks[SUBSET[i]! * 3]!
      this.input[i * 2 + 1] = landmarks[SUBSET[i]! * 3 + 1]!
    }
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', this.input, [1, SUBSET.length, 2]) }
    const outputs = await this.session.run(feeds)
    return Float32Array.from(outputs[this.session.outputNames[0]!]!.data as Float32Array)
  }
}
