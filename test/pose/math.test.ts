/** The pose engine's pure parts: anchors, decoding, NMS, ROI, heatmap refinement, smoothing, speaker choice. */
import t from 'tap'
import { ssdAnchors } from '../../src/engine/ssd-anchors.js'
import { decodeDetections, weightedNms, type RawDetection } from '../../src/engine/ssd-detections.js'
import { POSE_ANCHORS, POSE_DECODE } from '../../src/signals/pose/engine/detector.js'
import { roiFromAlignment } from '../../src/signals/pose/engine/roi.js'
import { refineFromHeatmap } from '../../src/signals/pose/engine/refine.js'
import { OneEuroFilter, PointsSmoother, AUX_SMOOTHING } from '../../src/signals/pose/engine/filter.js'
import { chooseSpeaker, bodyMatchesFace } from '../../src/signals/pose/engine/speaker.js'
import type { PoseDetection } from '../../src/signals/pose/engine/detector.js'
import { warpToTensor, rectToAffine } from '../../src/engine/image.js'

const close = (a: number, b: number, eps = 1e-5) => Math.abs(a - b) <= eps

t.test('SSD anchors: 2254 centres, grids of 28, 14 and 7 cells (the last shared by three layers)', async (t) => {
  const a = ssdAnchors(POSE_ANCHORS)
  t.equal(a.length / 2, 2254)
  t.ok(close(a[0]!, 0.5 / 28) && close(a[1]!, 0.5 / 28) && close(a[2]!, 0.5 / 28), 'first cell of the stride-8 grid, twice')
  t.ok(close(a[4]!, 1.5 / 28) && close(a[5]!, 0.5 / 28), 'then along x')
  t.ok(close(a[1568 * 2]!, 0.5 / 14), 'the stride-16 grid starts after 28*28*2')
  t.ok(close(a[1960 * 2]!, 0.5 / 7), 'the stride-32 grid starts after 14*14*2 more')
  t.ok(close(a[1960 * 2 + 10]!, 0.5 / 7) && close(a[1960 * 2 + 12]!, 1.5 / 7), '6 anchors a cell there')
  t.ok(close(a[a.length - 2]!, 6.5 / 7) && close(a[a.length - 1]!, 6.5 / 7))
})

t.test('decoding: sigmoid scores over the threshold; box and keypoints in input pixels from the anchor', async (t) => {
  const anchors = Float32Array.from([0.25, 0.25, 0.75, 0.5])
  const boxes = new Float32Array(2 * 12)
  boxes.set([22.4, -22.4, 44.8, 67.2, 0, 0, 0, -44.8, 11.2, 0, 0, 0], 0)
  const logits = Float32Array.from([2, -3])
  const [d, ...rest] = decodeDetections(boxes, logits, anchors, POSE_DECODE)
  t.equal(rest.length, 0, 'the second anchor scores sigmoid(-3) < 0.5')
  t.ok(close(d!.score, 1 / (1 + Math.exp(-2))))
  t.ok(close(d!.cx, 0.35) && close(d!.cy, 0.15) && close(d!.width, 0.2) && close(d!.height, 0.3))
  t.same(Array.from(d!.keypoints, (v) => Number(v.toFixed(5))), [0.25, 0.25, 0.25, 0.05, 0.3, 0.25, 0.25, 0.25])
})

t.test('weighted NMS: overlapping detections merge into their score-weighted mean; others stay', async (t) => {
  const det = (score: number, cx: number, kx: number): RawDetection => ({ score, cx, cy: 0.5, width: 0.2, height: 0.2, keypoints: Float32Array.from([kx, 0.5]) })
  const kept = weightedNms([det(0.6, 0.52, 0.3), det(0.9, 0.5, 0.2), det(0.8, 0.1, 0.9)])
  t.equal(kept.length, 2)
  t.equal(kept[0]!.score, 0.9, 'best first, its own score')
  t.ok(close(kept[0]!.cx, (0.5 * 0.9 + 0.52 * 0.6) / 1.5), 'box centre weighted by score')
  t.ok(close(kept[0]!.keypoints[0]!, (0.2 * 0.9 + 0.3 * 0.6) / 1.5), 'keypoints weighted by score')
  t.equal(kept[1]!.score, 0.8)
})

t.test('ROI: centred on the hips, 2.5x the hips-to-scale-point distance, rotated to bring that vector upright', async (t) => {
  const upright = roiFromAlignment(100, 200, 100, 100)
  t.same(upright, { cx: 100, cy: 200, size: 250, rotation: 0 })
  const leaning = roiFromAlignment(100, 200, 200, 200)
  t.ok(close(leaning.rotation, Math.PI / 2), 'scale point to the right: a quarter turn')
  t.ok(close(roiFromAlignment(0, 0, -10, 10).rotation, -3 * Math.PI / 4), 'upside down and to the left, normalised to (-pi, pi]')
})

t.test('heatmap refinement moves a landmark to the confident cells around it, and only when confident', async (t) => {
  const size = 64
  const channels = 2
  const heatmap = new Float32Array(size * size * channels).fill(-10)
  heatmap[(20 * size + 12) * channels] = 10 // channel 0: one confident cell at column 12, row 20
  const points = Float32Array.from([10 / size, 18 / size, 0.5, 0.5])
  refineFromHeatmap(points, heatmap, size, channels)
  t.ok(close(points[0]!, 12 / size, 1e-3) && close(points[1]!, 20 / size, 1e-3), 'to the peak')
  t.same([points[2], points[3]], [0.5, 0.5], 'channel 1 has no confident cell: unchanged')
  const far = Float32Array.from([40 / size, 40 / size, 0.5, 0.5])
  refineFromHeatmap(far, heatmap, size, channels)
  t.equal(far[0], 40 / size, 'the peak is outside the 7x7 window: unchanged')
})

t.test('One Euro filter: first value passes, a still point stays put, a jump is followed only partly', async (t) => {
  const filter = new OneEuroFilter(AUX_SMOOTHING)
  t.equal(filter.apply(0, 1, 5), 5)
  t.equal(filter.apply(100, 1, 5), 5)
  const moved = filter.apply(200, 1, 6)
  t.ok(moved > 5 && moved < 6, `moved ${moved}`)
  t.equal(filter.apply(200, 1, 100), 100, 'a repeated timestamp returns the value unfiltered')
  const smoother = new PointsSmoother(AUX_SMOOTHING)
  t.same(Array.from(smoother.apply(0, Float32Array.from([0, 0, 0, 100]))), [0, 0, 0, 100])
  const next = smoother.apply(100, Float32Array.from([10, 0, 10, 100]))
  t.ok(next[0]! > 0 && next[0]! < 10, 'the points move less than the input')
  smoother.reset()
  t.same(Array.from(smoother.apply(200, Float32Array.from([50, 0, 50, 100]))), [50, 0, 50, 100], 'after reset the first value passes')
})

t.test('speaker: the detection whose face is nearest the speaker\'s face; the best one without a face', async (t) => {
  const detection = (score: number, x: number): PoseDetection => ({ score, face: { x, y: 50, width: 40, height: 40 }, keypoints: [[x, 300], [x, 100], [x, 150], [x, 80]] })
  const left = detection(0.9, 100)
  const right = detection(0.7, 400)
  t.equal(chooseSpeaker([left, right], null), left)
  t.equal(chooseSpeaker([left, right], { x: 390, y: 45, width: 50, height: 50 }), right)
  t.equal(chooseSpeaker([], { x: 390, y: 45, width: 50, height: 50 }), null)
  const body = new Float32Array(33 * 4)
  for (let i = 0; i <= 10; i++) body.set([120 + i, 70, 0, 1], i * 4)
  t.ok(bodyMatchesFace(body, { x: 100, y: 50, width: 40, height: 40 }))
  t.notOk(bodyMatchesFace(body, { x: 400, y: 50, width: 40, height: 40 }))
})

t.test('warpToTensor with border replicate repeats the edge pixels; zero pads black', async (t) => {
  const image = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 0, 0, 255]) }
  const spec = { width: 4, height: 1, layout: 'nhwc' as const, channels: 'rgb' as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] }
  // Output pixels 0..3 sample source x = -1.5, -0.5, 0.5, 1.5 (shifted one pixel left of the image, two right).
  const map = rectToAffine({ x: -2, y: 0, width: 4, height: 1 }, 4, 1)
  const replicated = warpToTensor(image, map, { ...spec, border: 'replicate' })
  t.same(Array.from(replicated.slice(0, 3)), [255, 0, 0], 'left of the image: the left pixel')
  const zero = warpToTensor(image, map, spec)
  t.same(Array.from(zero.slice(0, 3)), [0, 0, 0], 'left of the image: black')
})
