/**
 * PoseFrame <-> the compact document stored per frame in MongoDB (inside time buckets, see
 * frame-store.ts). 33 landmarks x 7 numbers a frame would be ~3 KB as BSON doubles; quantised
 * to 16-bit integers in one binary field it is ~470 bytes, ~17 MB an hour at 10 frames a second.
 *
 *   t  time (ms)   p  presence (0..1, 3 decimals)
 *   q  Int16 little-endian: 33 x (x, y, z, visibility) x 4000, then 33 x (world x, y, z) x 10^4:
 *      normalised coordinates to 1/4000 of the frame (0.16 px at 640) within +-8.19 frames
 *      (landmarks the model places far outside the frame, such as hips below it), world to
 *      0.1 mm within +-3.27 m
 * A frame without a body has only t.
 */
import { Binary } from 'mongodb'
import type { StoredFrame } from '../../repositories/frame-store.js'
import { round } from '../../numbers.js'
import { POSE_LANDMARK_COUNT, type PoseFrame } from './types.js'

export const POSE_KIND = 'pose'

const LANDMARK_SCALE = 4000
const WORLD_SCALE = 10_000
const LANDMARK_VALUES = POSE_LANDMARK_COUNT * 4
const WORLD_VALUES = POSE_LANDMARK_COUNT * 3

export interface StoredPoseFrame extends StoredFrame { p?: number, q?: Binary }

const quantise = (value: number, scale: number) => Math.max(-32768, Math.min(32767, Math.round(value * scale)))

export function encodePoseFrame (frame: PoseFrame): StoredPoseFrame {
  const stored: StoredPoseFrame = { t: round(frame.t, 1) }
  if (!frame.pose) return stored
  const values = new Int16Array(LANDMARK_VALUES + WORLD_VALUES)
  frame.pose.landmarks.forEach((v, i) => { values[i] = quantise(v, LANDMARK_SCALE) })
  frame.pose.world.forEach((v, i) => { values[LANDMARK_VALUES + i] = quantise(v, WORLD_SCALE) })
  stored.p = round(frame.pose.presence, 3)
  stored.q = new Binary(new Uint8Array(values.buffer))
  return stored
}

export function decodePoseFrame (stored: StoredPoseFrame): PoseFrame {
  if (!stored.q || stored.p === undefined) return { t: stored.t, pose: null }
  const bytes = stored.q.buffer
  if (bytes.length !== (LANDMARK_VALUES + WORLD_VALUES) * 2) throw new Error(`stored pose frame at ${stored.t} ms has ${bytes.length} bytes, expected ${(LANDMARK_VALUES + WORLD_VALUES) * 2}`)
  const values = new Int16Array(new Uint8Array(bytes).buffer) // copied: the stored bytes may be unaligned
  return {
    t: stored.t,
    pose: {
      landmarks: Float32Array.from(values.subarray(0, LANDMARK_VALUES), (v) => v / LANDMARK_SCALE),
      world: Float32Array.from(values.subarray(LANDMARK_VALUES), (v) => v / WORLD_SCALE),
      presence: stored.p
    }
  }
}
