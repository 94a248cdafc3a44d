/**
 * Regions of interest for the face mesh, built as MediaPipe's face landmarker builds them:
 * a square around the face, rotated so the eyes are level, enlarged 1.5x so the next frame's
 * face is still inside it. From a detection the eyes are its first two keypoints; while
 * tracking they are mesh landmarks 33 and 263 (the outer eye corners) and the square is built
 * around the bounding box of all landmarks.
 */
export interface FaceRoi {
  /** Centre, in image pixels. */
  cx: number
  cy: number
  /** Side of the square, in image pixels. */
  size: number
  /** Radians; positive turns the square clockwise on screen (MediaPipe's convention). */
  rotation: number
}

export const ROI_SCALE = 1.5
const RIGHT_EYE_OUTER = 33
const LEFT_EYE_OUTER = 263

/** Angle that levels the line from (x0, y0) to (x1, y1), as DetectionsToRectsCalculator. */
export function levelingRotation (x0: number, y0: number, x1: number, y1: number): number {
  return normalizeRadians(-Math.atan2(-(y1 - y0), x1 - x0))
}

export function normalizeRadians (angle: number): number {
  return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI))
}

/**
 * A rectangle (centre, width, height in pixels) rotated by `rotation`, scaled and made square
 * on its long side, as RectTransformationCalculator with square_long.
 */
function squareRoi (cx: number, cy: number, width: number, height: number, rotation: number, scale: number): FaceRoi {
  return { cx, cy, size: Math.max(width, height) * scale, rotation }
}

export function roiFromDetection (box: { x: number, y: number, width: number, height: number }, keypoints: ReadonlyArray<readonly [number, number]>, scale = ROI_SCALE): FaceRoi {
  const [rightEye, leftEye] = keypoints as [readonly [number, number], readonly [number, number]]
  const rotation = levelingRotation(rightEye[0], rightEye[1], leftEye[0], leftEye[1])
  return squareRoi(box.x + box.width / 2, box.y + box.height / 2, box.width, box.height, rotation, scale)
}

/** From 478 landmarks (x, y, z triples in image pixels). */
export function roiFromLandmarks (landmarks: Float32Array, scale = ROI_SCALE): FaceRoi {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity
  for (let i = 0; i < landmarks.length; i += 3) {
    const x = landmarks[i]!, y = landmarks[i + 1]!
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  const r = RIGHT_EYE_OUTER * 3, l = LEFT_EYE_OUTER * 3
  const rotation = levelingRotation(landmarks[r]!, landmarks[r + 1]!, landmarks[l]!, landmarks[l + 1]!)
  return squareRoi((minX + maxX) / 2, (minY + maxY) / 2, maxX - minX, maxY - minY, rotation, scale)
}
