/**
 * The official MediaPipe PoseLandmarker (@mediapipe/tasks-vision in headless Chromium, CPU
 * delegate, IMAGE mode) running the models of the npm @mediapipe/pose package, the ones the
 * project's ONNX pose models were converted from, as a reference for the project's pose engine.
 * See README.md in this folder.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startReferenceServer } from '../mediapipe-reference/server.js'
import { openReferencePage, inBatches } from '../mediapipe-reference/session.js'
import type { ReferenceFrame } from '../mediapipe-reference/index.js'
import { writePoseLandmarkerTask } from '../../../src/signals/pose/task-bundle.js'

const here = path.dirname(fileURLToPath(import.meta.url))

export interface ReferencePose {
  /** 33 x [x, y, z, visibility]: x, y normalised to the frame, as tasks-vision returns them. */
  landmarks: Array<[number, number, number, number]>
  /** 33 x [x, y, z] in metres. */
  world: Array<[number, number, number]>
}

export interface PoseReference {
  /** Per frame, on its own (detector, ROI, landmarks): the body or null. */
  detect (frames: ReferenceFrame[]): Promise<Array<ReferencePose | null>>
  close (): Promise<void>
  /** What ran: Chromium's user agent, the WebGL renderer tasks-vision got (it only uploads frames), how long starting took. */
  info: { userAgent: string, glRenderer: string, startMs: number }
}

interface PageApi {
  poseReference: {
    detectFrames (frames: Array<{ id: string, width: number, height: number }>): Promise<Array<ReferencePose | null>>
  }
}

export async function startPoseReference (variant: 'lite' | 'full'): Promise<PoseReference> {
  const started = Date.now()
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-pose-task-'))
  const removeFolder = () => fs.rmSync(folder, { recursive: true, force: true })
  const task = path.join(folder, `pose_landmarker_${variant}.task`)
  try {
    writePoseLandmarkerTask(variant, task)
    const server = await startReferenceServer(task, new Map([['/', path.join(here, 'page.html')], ['/page.js', path.join(here, 'page.js')]]))
    const { session, ready } = await openReferencePage<{ glRenderer: string, userAgent: string }>(server, '/', 'poseReference')
    return {
      info: { ...ready, startMs: Date.now() - started },
      detect: (frames) => inBatches(session, frames, (queued) =>
        session.page.evaluate((list) => (globalThis as unknown as PageApi).poseReference.detectFrames(list), queued)),
      close: () => session.close().finally(removeFolder)
    }
  } catch (error) {
    removeFolder()
    throw error
  }
}
