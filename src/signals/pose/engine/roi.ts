/**
 * The body's region of interest, as MediaPipe's pose graphs build it (AlignmentPointsRects then
 * RectTransformation): a square centred on the hips' midpoint, its side twice the distance to
 * the scale point and then 1.25x, rotated so that the hips-to-scale-point vector points up.
 * The same rule runs on the detector's keypoints 0 and 1 and, while tracking, on the landmark
 * model's auxiliary landmarks 33 and 34.
 */
import { normalizeRadians, type FaceRoi } from '../../face/engine/roi.js'

/** Centre and side in image pixels, rotation in radians (MediaPipe's sign). */
export type PoseRoi = FaceRoi

export const POSE_ROI_SCALE = 1.25
/** The target angle of the centre-to-scale-point vector: straight up. */
const TARGET_ANGLE = Math.PI / 2

/** From the hips' midpoint (cx, cy) and the scale point (sx, sy), in pixels. */
export function roiFromAlignment (cx: number, cy: number, sx: number, sy: number, scale = POSE_ROI_SCALE): PoseRoi {
  const side = 2 * Math.hypot(sx - cx, sy - cy)
  return { cx, cy, size: side * scale, rotation: normalizeRadians(TARGET_ANGLE - Math.atan2(-(sy - cy), sx - cx)) }
}
