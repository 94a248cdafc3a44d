/**
 * The official MediaPipe FaceLandmarker (@mediapipe/tasks-vision in headless Chromium) as a
 * reference for the project's own onnxruntime pipeline. See README.md in this folder.
 */
import path from 'node:path'
import { projectRoot } from '../../../src/config.js'
import { startReferenceServer } from './server.js'
import { openReferencePage, inBatches } from './session.js'

export interface ReferenceFace {
  /** 478 points: x, y normalised to 0..1 of the image width and height, z as tasks-vision returns it. */
  landmarks: Array<[number, number, number]>
  /** 52 blendshape scores by categoryName (including `_neutral`). */
  blendshapes: Record<string, number>
}

export interface ReferenceFrame {
  width: number
  height: number
  /** Packed RGB, 3 bytes a pixel, rows top to bottom. */
  data: Uint8Array
}

export interface MediapipeReference {
  /** Per frame, the faces found. */
  detect (frames: ReferenceFrame[]): Promise<ReferenceFace[][]>
  close (): Promise<void>
  /** What ran: Chromium's user agent, the WebGL renderer tasks-vision got, and how long starting took. */
  info: { userAgent: string, glRenderer: string, startMs: number }
}

export const defaultModelPath = path.join(projectRoot, 'models', 'face_landmarker.task')

/** What page.js puts on `window`. */
interface PageApi {
  mediapipeReference: {
    ready: Promise<{ glRenderer: string, userAgent: string }>
    detectFrames (frames: Array<{ id: string, width: number, height: number }>): Promise<ReferenceFace[][]>
  }
}

export async function startMediapipeReference (options: { numFaces?: number, modelPath?: string } = {}): Promise<MediapipeReference> {
  const started = Date.now()
  const numFaces = options.numFaces ?? 1
  if (!Number.isInteger(numFaces) || numFaces < 1) throw new Error(`numFaces must be a positive integer, got ${numFaces}`)
  const server = await startReferenceServer(options.modelPath ?? defaultModelPath)
  const { session, ready } = await openReferencePage<{ glRenderer: string, userAgent: string }>(server, `/?numFaces=${numFaces}`, 'mediapipeReference')
  return {
    info: { ...ready, startMs: Date.now() - started },
    detect: (frames) => inBatches(session, frames, (queued) =>
      session.page.evaluate((list) => (globalThis as unknown as PageApi).mediapipeReference.detectFrames(list), queued)),
    close: session.close
  }
}
