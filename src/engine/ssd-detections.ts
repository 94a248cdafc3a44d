/**
 * MediaPipe's SSD detectors (BlazePose, BlazeFace): the whole image letterboxed into the model's
 * square input, the output decoded as TensorsToDetectionsCalculator and weighted
 * NonMaxSuppressionCalculator do, and the detections mapped back to image pixels.
 */
import { warpToTensor, rectToAffine, type RgbImage } from './image.js'

export interface RawDetection {
  score: number
  /** The box (BlazePose's is the person's face), normalised to the input: centre and size. */
  cx: number
  cy: number
  width: number
  height: number
  /** Keypoints as [x0, y0, x1, y1, ...], normalised to the input (each model documents its own). */
  keypoints: Float32Array
}

export interface DecodeOptions {
  /** Box and keypoint values are in input pixels (224) relative to the anchor centre. */
  inputSize: number
  keypoints: number
  /** Values per anchor in the box tensor (4 box + 2 per keypoint). */
  stride: number
  minScore: number
  /** Logits are clipped to +/- this before the sigmoid (MediaPipe's score_clipping_thresh). */
  scoreClip: number
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/** Candidates above minScore, box as (x centre, y centre, w, h) as in reverse_output_order. */
export function decodeDetections (boxes: Float32Array, logits: Float32Array, anchors: Float32Array, options: DecodeOptions): RawDetection[] {
  const { inputSize, keypoints, stride, minScore, scoreClip } = options
  const found: RawDetection[] = []
  const count = anchors.length / 2
  for (let i = 0; i < count; i++) {
    const score = sigmoid(Math.max(-scoreClip, Math.min(scoreClip, logits[i]!)))
    if (score < minScore) continue
    const ax = anchors[i * 2]!, ay = anchors[i * 2 + 1]!
    const o = i * stride
    const points = new Float32Array(keypoints * 2)
    for (let k = 0; k < keypoints; k++) {
      points[k * 2] = boxes[o + 4 + k * 2]! / inputSize + ax
      points[k * 2 + 1] = boxes[o + 5 + k * 2]! / inputSize + ay
    }
    found.push({
      score,
      cx: boxes[o]! / inputSize + ax,
      cy: boxes[o + 1]! / inputSize + ay,
      width: boxes[o + 2]! / inputSize,
      height: boxes[o + 3]! / inputSize,
      keypoints: points
    })
  }
  return found
}

export function iou (a: RawDetection, b: RawDetection): number {
  const x0 = Math.max(a.cx - a.width / 2, b.cx - b.width / 2)
  const y0 = Math.max(a.cy - a.height / 2, b.cy - b.height / 2)
  const x1 = Math.min(a.cx + a.width / 2, b.cx + b.width / 2)
  const y1 = Math.min(a.cy + a.height / 2, b.cy + b.height / 2)
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0)
  const union = a.width * a.height + b.width * b.height - inter
  return union > 0 ? inter / union : 0
}

/**
 * Weighted non-maximum suppression: the best remaining detection absorbs every one overlapping
 * it by more than `threshold` (itself included); box and keypoints become their score-weighted
 * mean, the score stays the best one's. Output is in descending score order.
 */
export function weightedNms (detections: RawDetection[], threshold = 0.3): RawDetection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score)
  const kept: RawDetection[] = []
  while (remaining.length > 0) {
    const best = remaining[0]!
    const group: RawDetection[] = []
    const rest: RawDetection[] = []
    for (const d of remaining) (iou(d, best) > threshold ? group : rest).push(d)
    let total = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0
    const points = new Float32Array(best.keypoints.length)
    for (const d of group) {
      total += d.score
      x0 += (d.cx - d.width / 2) * d.score
      y0 += (d.cy - d.height / 2) * d.score
      x1 += (d.cx + d.width / 2) * d.score
      y1 += (d.cy + d.height / 2) * d.score
      for (let k = 0; k < points.length; k++) points[k]! += d.keypoints[k]! * d.score
    }
    for (let k = 0; k < points.length; k++) points[k]! /= total
    x0 /= total; y0 /= total; x1 /= total; y1 /= total
    kept.push({ score: best.score, cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, width: x1 - x0, height: y1 - y0, keypoints: points })
    if (rest.length === remaining.length) break // cannot happen (best overlaps itself); guards against NaN boxes
    remaining = rest
  }
  return kept
}

/** Where the image sits in the letterboxed square (pixels of the image). */
export interface Letterbox { side: number, left: number, top: number }

/**
 * The whole image centred in a square of its long side (black padding), into `input` x `input`
 * NHWC RGB in [-1, 1], sampled as MediaPipe's CPU ImageToTensor does.
 */
export function letterboxToTensor (image: RgbImage, input: number, out: Float32Array<ArrayBuffer>): Letterbox {
  const side = Math.max(image.width, image.height)
  const left = (side - image.width) / 2
  const top = (side - image.height) / 2
  warpToTensor(image, rectToAffine({ x: -left, y: -top, width: side, height: side }, input, input),
    { width: input, height: input, layout: 'nhwc', channels: 'rgb', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5], sampling: 'opencv' }, out)
  return { side, left, top }
}

export interface ImageDetection {
  score: number
  box: { x: number, y: number, width: number, height: number }
  keypoints: Array<[number, number]>
}

/** Weighted NMS over the decoded candidates, then back to image pixels; best first. */
export function imageDetections (raw: RawDetection[], { side, left, top }: Letterbox): ImageDetection[] {
  const toX = (x: number) => x * side - left
  const toY = (y: number) => y * side - top
  return weightedNms(raw).map((d) => ({
    score: d.score,
    box: { x: toX(d.cx - d.width / 2), y: toY(d.cy - d.height / 2), width: d.width * side, height: d.height * side },
    keypoints: Array.from({ length: d.keypoints.length / 2 }, (_, k): [number, number] => [toX(d.keypoints[k * 2]!), toY(d.keypoints[k * 2 + 1]!)])
  }))
}
