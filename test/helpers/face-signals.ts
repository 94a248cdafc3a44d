/** Synthetic face signals for the pure metric tests: a face looking at the camera, eyes open. */
import { KEY_BLENDSHAPES, type FaceSignals } from '../../src/signals/face/metrics/index.js'

/** 25 frames per second. */
export const FRAME_MS = 40

export function face (overrides: Partial<FaceSignals> = {}): FaceSignals {
  return {
    box: [0.4, 0.3, 0.2, 0.3],
    pose: { yaw: 0, pitch: -6, roll: 0 },
    gaze: { yaw: 0, pitch: -6 },
    eyeOpening: [0.3, 0.3],
    blink: 0.1,
    blendshapes: Object.fromEntries(KEY_BLENDSHAPES.map((k) => [k, 0])) as FaceSignals['blendshapes'],
    ...overrides
  }
}
