/**
 * FaceFrame <-> the compact document stored per frame in MongoDB (inside time buckets, see
 * frame-store.ts). Short keys and arrays instead of nested objects: about 250 bytes a frame
 * instead of ~900 as JSON, for ~30 frames per second of video.
 *
 *   t  time (ms)            o  other faces in view
 *   b  box [x, y, w, h]     p  pose [yaw, pitch, roll]     g  gaze [yaw, pitch]
 *   y  eye opening [l, r]   k  eye closure (blink score)   s  KEY_BLENDSHAPES values in order
 *   m  emotion probabilities in EMOTIONS order (only on frames where emotion was estimated)
 * A frame without a face has only t and o.
 */
import { KEY_BLENDSHAPES, type FaceFrame, type FaceSignals } from './metrics/index.js'
import type { StoredFrame } from '../../repositories/frame-store.js'

export const FACE_KIND = 'face'

export interface StoredFaceFrame extends StoredFrame {
  o: number
  b?: number[]
  p?: number[]
  g?: number[]
  y?: number[]
  k?: number
  s?: number[]
  m?: number[]
}

export function encodeFaceFrame (frame: FaceFrame): StoredFaceFrame {
  const stored: StoredFaceFrame = { t: Math.round(frame.t * 10) / 10, o: frame.otherFaces }
  const face = frame.face
  if (face) {
    stored.b = face.box
    stored.p = [face.pose.yaw, face.pose.pitch, face.pose.roll]
    stored.g = [face.gaze.yaw, face.gaze.pitch]
    stored.y = face.eyeOpening
    stored.k = face.blink
    stored.s = KEY_BLENDSHAPES.map((name) => face.blendshapes[name])
  }
  if (frame.emotion) stored.m = frame.emotion.map((p) => Math.round(p * 1e4) / 1e4)
  return stored
}

export function decodeFaceFrame (stored: StoredFaceFrame): FaceFrame {
  const face: FaceSignals | null = stored.b
    ? {
        box: stored.b as FaceSignals['box'],
        pose: { yaw: stored.p![0]!, pitch: stored.p![1]!, roll: stored.p![2]! },
        gaze: { yaw: stored.g![0]!, pitch: stored.g![1]! },
        eyeOpening: stored.y as FaceSignals['eyeOpening'],
        blink: stored.k!,
        blendshapes: Object.fromEntries(KEY_BLENDSHAPES.map((name, i) => [name, stored.s![i]!])) as FaceSignals['blendshapes']
      }
    : null
  return { t: stored.t, face, otherFaces: stored.o, ...(stored.m ? { emotion: stored.m } : {}) }
}
