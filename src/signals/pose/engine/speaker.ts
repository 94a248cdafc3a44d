/**
 * Which body is the speaker's: the face stage knows the speaker's face, and BlazePose's
 * detection box is the person's face, so the speaker's body is the detection whose face is
 * nearest the speaker's face. While tracking, the body still belongs to the speaker while its
 * head landmarks stay within about a face's size of the speaker's face.
 */
import type { PoseDetection } from './detector.js'

/** A face box in pixels. */
export interface Box { x: number, y: number, width: number, height: number }

/** Head landmarks 0-10 (nose, eyes, ears, mouth) farther than this many face sizes: another person. */
export const HEAD_MATCH_FACES = 1

function centre (box: Box): [number, number] {
  return [box.x + box.width / 2, box.y + box.height / 2]
}

/**
 * The detection to follow: with the speaker's face, the one whose face is nearest it (relative
 * to the face's size); without, the best-scoring one (MediaPipe's choice). Detections are best first.
 */
export function chooseSpeaker (detections: readonly PoseDetection[], face: Box | null): PoseDetection | null {
  if (detections.length === 0) return null
  if (!face) return detections[0]!
  const [fx, fy] = centre(face)
  let best = detections[0]!
  let bestDistance = Infinity
  for (const d of detections) {
    const [x, y] = centre(d.face)
    const distance = Math.hypot(x - fx, y - fy)
    if (distance < bestDistance) {
      best = d
      bestDistance = distance
    }
  }
  return best
}

/** Whether a body (33 x 4 landmarks, pixels) has its head at the speaker's face. */
export function bodyMatchesFace (body: Float32Array, face: Box): boolean {
  let x = 0, y = 0
  for (let i = 0; i <= 10; i++) {
    x += body[i * 4]!
    y += body[i * 4 + 1]!
  }
  const [fx, fy] = centre(face)
  return Math.hypot(x / 11 - fx, y / 11 - fy) <= HEAD_MATCH_FACES * Math.max(face.width, face.height)
}
