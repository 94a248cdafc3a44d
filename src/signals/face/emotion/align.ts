/**
 * Face alignment for models trained on ArcFace-style crops: the similarity transform (rotation,
 * uniform scale, translation; never a reflection) that best maps the detector's 5 keypoints
 * onto a fixed template, in the least-squares sense (Umeyama 1991).
 */
import { invertAffine, type Affine } from '../../../engine/image.js'

export type Point = [number, number]

/**
 * The ArcFace 112x112 template (insightface, OpenCV Zoo), in YuNet's keypoint order: right
 * eye, left eye, nose tip, right and left mouth corners, in OpenCV pixel indices.
 */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]
]
const ARCFACE_SIZE = 112

/**
 * Least-squares similarity `from` -> `to`. In 2-D, x' = a x - b y + tx, y' = b x + a y + ty is
 * linear in (a, b, tx, ty), and its least-squares solution is Umeyama's with det(R) = +1.
 */
export function similarityTransform (from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) throw new Error('similarityTransform needs two equal lists of at least 2 points')
  const n = from.length
  const [fx, fy] = centroid(from)
  const [tx, ty] = centroid(to)
  let dot = 0, cross = 0, norm = 0
  for (let i = 0; i < n; i++) {
    const x = from[i]![0] - fx, y = from[i]![1] - fy
    const u = to[i]![0] - tx, v = to[i]![1] - ty
    dot += x * u + y * v
    cross += x * v - y * u
    norm += x * x + y * y
  }
  if (norm === 0) throw new Error('similarityTransform: the source points coincide')
  const a = dot / norm
  const b = cross / norm
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)]
}

function centroid (points: readonly Point[]): Point {
  let x = 0, y = 0
  for (const [px, py] of points) { x += px; y += py }
  return [x / points.length, y / points.length]
}

/**
 * The output->source map for warpToTensor that aligns a face onto the ArcFace template scaled
 * to a size x size output. Keypoints and template are pixel indices (OpenCV's warpAffine
 * convention); warpToTensor works in pixel-edge coordinates, hence the half-pixel shift of
 * both, which makes the result the same crop as cv.warpAffine.
 */
export function arcFaceAlignment (keypoints: readonly Point[], size = ARCFACE_SIZE): Affine {
  if (keypoints.length !== ARCFACE_TEMPLATE.length) throw new Error(`arcFaceAlignment needs ${ARCFACE_TEMPLATE.length} keypoints, got ${keypoints.length}`)
  const k = size / ARCFACE_SIZE
  const template = ARCFACE_TEMPLATE.map(([x, y]): Point => [(x + 0.5) * k, (y + 0.5) * k])
  const source = keypoints.map(([x, y]): Point => [x + 0.5, y + 0.5])
  return invertAffine(similarityTransform(source, template))
}
