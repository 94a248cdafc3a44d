import type { FaceFrame } from './types.js'
import { mean, variance } from './attention.js'
import { LARGE_HEAD_MOVEMENT_DEG } from '../thresholds.js'

/**
 * Head movement: how much and how fast the head turns. Angular speed is the frame-to-frame
 * change of (yaw, pitch, roll) in degrees per second, over consecutive frames with the face
 * in view; a "large movement" is a second in which the head turned more than
 * `largeMovementDeg` in total (nods, shakes, turning away).
 */
export interface HeadSummary {
  meanSpeedDegPerSecond: number
  mean: { yaw: number, pitch: number, roll: number }
  std: { yaw: number, pitch: number, roll: number }
  largeMovementsPerMinute: number
}

export function summarizeHead (frames: readonly FaceFrame[], largeMovementDeg = LARGE_HEAD_MOVEMENT_DEG): HeadSummary {
  const visible = frames.filter((f) => f.face)
  const axis = (k: 'yaw' | 'pitch' | 'roll') => visible.map((f) => f.face!.pose[k])
  let travelled = 0
  let seconds = 0
  const perSecond = new Map<number, number>()
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!.face, b = frames[i]!.face
    if (!a || !b) continue
    const dt = (frames[i]!.t - frames[i - 1]!.t) / 1000
    if (dt <= 0) continue
    const step = Math.hypot(b.pose.yaw - a.pose.yaw, b.pose.pitch - a.pose.pitch, b.pose.roll - a.pose.roll)
    travelled += step
    seconds += dt
    const second = Math.floor(frames[i]!.t / 1000)
    perSecond.set(second, (perSecond.get(second) ?? 0) + step)
  }
  const large = [...perSecond.values()].filter((deg) => deg > largeMovementDeg).length
  return {
    meanSpeedDegPerSecond: seconds > 0 ? travelled / seconds : 0,
    mean: { yaw: mean(axis('yaw')), pitch: mean(axis('pitch')), roll: mean(axis('roll')) },
    std: { yaw: Math.sqrt(variance(axis('yaw'))), pitch: Math.sqrt(variance(axis('pitch'))), roll: Math.sqrt(variance(axis('roll'))) },
    largeMovementsPerMinute: seconds > 0 ? large / (seconds / 60) : 0
  }
}
