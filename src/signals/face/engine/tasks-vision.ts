/**
 * From what tasks-vision's FaceLandmarker returns (478 normalised landmarks, 52 blendshape
 * categories) to the FaceSignals the engine stores per frame, through the engine's own
 * `faceSignals`. Pure, no Node APIs: the browser's live mode calls it on every frame.
 *
 * Conventions: tasks-vision gives x and y normalised to the image and z on the scale of x
 * (normalised by the image width); the engine's mesh gives pixels, z in the same units as x
 * (mesh.ts). So x * width, y * height, z * width. test/mediapipe-reference*.test.ts compare the
 * two runtimes' landmarks the same way.
 */
import type { FaceSignals } from '../metrics/types.js'
import { BLENDSHAPE_NAMES } from './blendshape-names.js'
import { faceSignals } from './signals.js'

export interface TasksVisionLandmark { x: number, y: number, z: number }
export interface TasksVisionCategory { categoryName: string, score: number }

const LANDMARKS = 478
const INDEX = new Map<string, number>(BLENDSHAPE_NAMES.map((name, i) => [name, i]))

/** 478 landmarks in image pixels (x, y, z), flat, as the engine's mesh returns them. */
export function meshFromTasksVision (landmarks: readonly TasksVisionLandmark[], width: number, height: number): Float32Array {
  if (landmarks.length !== LANDMARKS) throw new Error(`tasks-vision face: ${landmarks.length} landmarks, expected ${LANDMARKS} (the face landmarker with iris)`)
  if (!(width > 0 && height > 0)) throw new Error(`tasks-vision face: frame size ${width}x${height}`)
  const mesh = new Float32Array(LANDMARKS * 3)
  landmarks.forEach((p, i) => {
    mesh[i * 3] = p.x * width
    mesh[i * 3 + 1] = p.y * height
    mesh[i * 3 + 2] = p.z * width
  })
  return mesh
}

/** The 52 scores in BLENDSHAPE_NAMES order (the engine's blendshape model's order), by category name. */
export function scoresFromTasksVision (categories: readonly TasksVisionCategory[]): Float32Array {
  const scores = new Float32Array(BLENDSHAPE_NAMES.length).fill(Number.NaN)
  for (const { categoryName, score } of categories) {
    const index = INDEX.get(categoryName)
    if (index !== undefined) scores[index] = score
  }
  const missing = BLENDSHAPE_NAMES.filter((_, i) => Number.isNaN(scores[i]))
  if (missing.length > 0) throw new Error(`tasks-vision face: blendshapes missing: ${missing.join(', ')} (is outputFaceBlendshapes on?)`)
  return scores
}

export function faceSignalsFromTasksVision (landmarks: readonly TasksVisionLandmark[], categories: readonly TasksVisionCategory[], width: number, height: number): FaceSignals {
  return faceSignals(meshFromTasksVision(landmarks, width, height), scoresFromTasksVision(categories), width, height)
}
