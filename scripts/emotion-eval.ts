/**
 * Emotion: what each way past a single model answer gains, measured on the fixtures.
 *
 *   npx tsx scripts/emotion-eval.ts            (collects the model outputs, then scores)
 *   npx tsx scripts/emotion-eval.ts --cached   (scores the outputs collected last time)
 *
 * Three sets, all from ../shared/fixtures (see its README):
 *  - stills: the 13 labelled faces (emotion/), on the engine's path: YuNet, the mesh on the
 *    detection's ROI and again on its own landmarks' ROI, the iris-aligned crop.
 *  - noisy: each still 10 times, each time with what a webcam does to a face (seeded, so the
 *    same set every run): the aligned crop shifted by up to 10 % of the eye distance in x and
 *    y, turned by up to 10 degrees and scaled by 0.9-1.1 (landmark jitter), plus one or two of
 *    low resolution (the image box-averaged so that the face is about 56 px wide, then scaled
 *    back up), darker lighting (gamma 1.5 then x0.55), sensor noise (Gaussian, sigma 8) and
 *    JPEG at ffmpeg -q:v 24 (heavy blocking), and in half of them the whole image mirrored.
 *    The detector and mesh run again on the degraded image, so the blendshapes see the noise too.
 *  - videos: sad_to_happy_pexels.mp4 (sad first half, happy second half) and single_face.mp4
 *    (neutral, smiling in the second half), tracked frame by frame as the engine does, emotion
 *    on the engine's 5-per-second grid.
 *
 * Variants: base (one crop), mirror (the crop and its mirror image, probabilities averaged),
 * prior (base times the blendshape prior, emotion/blendshape-prior.ts), their combination, and
 * each with temporal averaging: on videos the mean of the estimates of the last second (and the
 * metrics' own 1 s exponential smoothing); on the noisy set the mean over 5 perturbed views of
 * a face (a "moment" of 5 estimates, 1 s at 5 per second).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../src/config.js'
import { decodeImage, openFrameStream, type RgbImage, type VideoFrame } from '../src/media/frames.js'
import { probeVideo } from '../src/media/ffprobe.js'
import { YuNetDetector, DETECTOR_FILE } from '../src/signals/face/engine/yunet.js'
import { FaceMeshModel } from '../src/signals/face/engine/mesh.js'
import { BlendshapeModel } from '../src/signals/face/engine/blendshapes.js'
import { FaceTracker } from '../src/signals/face/engine/tracker.js'
import { roiFromDetection, roiFromLandmarks } from '../src/signals/face/engine/roi.js'
import { emotionRegion } from '../src/signals/face/engine/signals.js'
import { EmotionClassifier, type FaceRegion } from '../src/signals/face/emotion/classifier.js'
import { applyBlendshapePrior, BLENDSHAPE_RULES, type BlendshapeRule, type Scores } from '../src/signals/face/emotion/blendshape-prior.js'
import { EMOTIONS, type Emotion } from '../src/signals/face/emotion/registry.js'
import { smoothEmotions } from '../src/signals/face/metrics/emotion.js'
import { readEmotionLabels } from '../test/helpers/emotion-labels.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const modelsDir = path.join(projectRoot, 'models')
const fixtures = path.resolve(projectRoot, '..', 'shared', 'fixtures')
const cacheFile = path.join(os.tmpdir(), 'candor-emotion-eval.json')
const PER_STILL = 10
const MOMENT = 5

interface Sample {
  set: 'stills' | 'noisy' | 'video'
  id: string
  label?: Emotion
  /** Videos: which one and when (ms); noisy: the still's index. */
  video?: string
  t?: number
  half?: 1 | 2
  plain: number[]
  mirrored: number[]
  /** The 52 blendshape scores of the same frame. */
  blend: number[]
}


// ---------------------------------------------------------------- perturbations

/** mulberry32: a small seeded generator, so the noisy set is the same every run. */
function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mirrorImage (image: RgbImage): RgbImage {
  const { width, height, data } = image
  const out = new Uint8Array(data.length)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3, j = (y * width + (width - 1 - x)) * 3
      out[j] = data[i]!; out[j + 1] = data[i + 1]!; out[j + 2] = data[i + 2]!
    }
  }
  return { width, height, data: out }
}

function darken (image: RgbImage): RgbImage {
  const lut = Array.from({ length: 256 }, (_, v) => Math.round(255 * Math.pow(v / 255, 1.5) * 0.55))
  return { ...image, data: image.data.map((v) => lut[v]!) }
}

function addNoise (image: RgbImage, random: () => number, sigma = 8): RgbImage {
  const data = new Uint8Array(image.data.length)
  for (let i = 0; i < data.length; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    data[i] = Math.max(0, Math.min(255, Math.round(image.data[i]! + sigma * gauss)))
  }
  return { ...image, data }
}

/** Box-averages by an integer factor, then scales back up bilinearly: a lower-resolution camera. */
function lowResolution (image: RgbImage, factor: number): RgbImage {
  const { width, height, data } = image
  const sw = Math.floor(width / factor), sh = Math.floor(height / factor)
  const small = new Float32Array(sw * sh * 3)
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0
        for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += data[((y * factor + dy) * width + x * factor + dx) * 3 + c]!
        small[(y * sw + x) * 3 + c] = sum / (factor * factor)
      }
    }
  }
  const out = new Uint8Array(data.length)
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) / factor - 0.5, 0), sh - 1)
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, sh - 1), wy = fy - y0
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) / factor - 0.5, 0), sw - 1)
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, sw - 1), wx = fx - x0
      for (let c = 0; c < 3; c++) {
        const v = (small[(y0 * sw + x0) * 3 + c]! * (1 - wx) + small[(y0 * sw + x1) * 3 + c]! * wx) * (1 - wy) +
          (small[(y1 * sw + x0) * 3 + c]! * (1 - wx) + small[(y1 * sw + x1) * 3 + c]! * wx) * wy
        out[(y * width + x) * 3 + c] = Math.round(v)
      }
    }
  }
  return { width, height, data: out }
}

/** JPEG round trip through ffmpeg at a low quality. */
async function jpeg (image: RgbImage, quality = 24): Promise<RgbImage> {
  const file = path.join(os.tmpdir(), `candor-emotion-eval-${process.pid}.jpg`)
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${image.width}x${image.height}`, '-i', 'pipe:0', '-frames:v', '1', '-q:v', String(quality), file])
    child.on('error', reject)
    child.on('close', (code) => code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`)))
    child.stdin.end(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength))
  })
  try {
    return await decodeImage(file, tools)
  } finally {
    await fs.rm(file, { force: true })
  }
}

/** Landmark jitter: the alignment points turned, scaled and shifted about their centroid. */
function jitter (region: FaceRegion, random: () => number): { region: FaceRegion, text: string } {
  const points = region.keypoints
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length, cy = points.reduce((s, p) => s + p[1], 0) / points.length
  const eyes = Math.hypot(points[1]![0] - points[0]![0], points[1]![1] - points[0]![1])
  const angle = (random() * 2 - 1) * 10, scale = 0.9 + random() * 0.2
  const dx = (random() * 2 - 1) * 0.1 * eyes, dy = (random() * 2 - 1) * 0.1 * eyes
  const cos = Math.cos(angle * Math.PI / 180) * scale, sin = Math.sin(angle * Math.PI / 180) * scale
  const keypoints = points.map(([x, y]): [number, number] => [cx + cos * (x - cx) - sin * (y - cy) + dx, cy + sin * (x - cx) + cos * (y - cy) + dy])
  return { region: { box: region.box, keypoints }, text: `rot ${angle.toFixed(0)} scale ${scale.toFixed(2)} shift ${(dx / eyes * 100).toFixed(0)},${(dy / eyes * 100).toFixed(0)}%` }
}

// ---------------------------------------------------------------- collection

const models = async () => ({
  detector: await YuNetDetector.load(path.join(modelsDir, DETECTOR_FILE)),
  mesh: await FaceMeshModel.load(modelsDir),
  blendshapes: await BlendshapeModel.load(modelsDir),
  classifier: await EmotionClassifier.load('mobilefacenet', modelsDir)
})
type Models = Awaited<ReturnType<typeof models>>

/** The engine's path on a still; null when no face is found. */
async function faceOnStill (m: Models, picture: RgbImage): Promise<{ landmarks: Float32Array, width: number } | null> {
  const faces = await m.detector.detect(picture)
  if (faces.length === 0) return null
  const main = faces.reduce((a, b) => a.box.width * a.box.height >= b.box.width * b.box.height ? a : b)
  const first = await m.mesh.run(picture, roiFromDetection(main.box, main.keypoints))
  const tracked = await m.mesh.run(picture, roiFromLandmarks(first.landmarks))
  return { landmarks: tracked.landmarks, width: main.box.width }
}

async function describe (m: Models, picture: RgbImage, landmarks: Float32Array, region = emotionRegion(landmarks)): Promise<Pick<Sample, 'plain' | 'mirrored' | 'blend'>> {
  const blend = Array.from(await m.blendshapes.run(landmarks))
  const { plain, mirrored } = await m.classifier.classifyViews(picture, region)
  return { plain, mirrored, blend }
}

async function collect (): Promise<Sample[]> {
  const m = await models()
  const samples: Sample[] = []
  const labelled = await readEmotionLabels()
  let missed = 0
  for (const [index, { file, label }] of labelled.entries()) {
    const picture = await decodeImage(path.join(fixtures, file), tools)
    const face = await faceOnStill(m, picture)
    if (!face) throw new Error(`${file}: no face`)
    samples.push({ set: 'stills', id: file, label, ...await describe(m, picture, face.landmarks) })
    for (let k = 0; k < PER_STILL; k++) {
      const random = rng(1000 * index + k + 1)
      const ops = ['lowres', 'dark', 'noise', 'jpeg'].filter(() => random() < 0.4)
      if (ops.length === 0) ops.push(['lowres', 'dark', 'noise', 'jpeg'][Math.floor(random() * 4)]!)
      if (random() < 0.5) ops.unshift('mirror')
      let image = picture
      for (const op of ops) {
        if (op === 'mirror') image = mirrorImage(image)
        if (op === 'lowres') image = lowResolution(image, Math.max(2, Math.round(face.width / 56)))
        if (op === 'dark') image = darken(image)
        if (op === 'noise') image = addNoise(image, random)
        if (op === 'jpeg') image = await jpeg(image)
      }
      const degraded = await faceOnStill(m, image)
      if (!degraded) { missed++; continue }
      const { region, text } = jitter(emotionRegion(degraded.landmarks), random)
      samples.push({ set: 'noisy', id: `${file} #${k} ${ops.join('+')} ${text}`, label, video: String(index), ...await describe(m, image, degraded.landmarks, region) })
    }
    process.stderr.write('.')
  }
  if (missed > 0) console.log(`noisy set: no face found in ${missed} degraded images (left out)`)
  for (const video of ['video/sad_to_happy_pexels.mp4', 'video/single_face.mp4']) {
    const file = path.join(fixtures, video)
    const probe = await probeVideo(file, tools)
    const durationMs = probe.durationS * 1000
    const stream = await openFrameStream(file, probe, tools, { maxWidth: 640 })
    const tracker = new FaceTracker(m.detector, m.mesh)
    let next = 0
    for await (const frame of stream.frames as AsyncGenerator<VideoFrame>) {
      const { main } = await tracker.next(frame)
      const due = frame.timeMs >= next
      while (next <= frame.timeMs) next += 200
      if (!due || !main) continue
      samples.push({ set: 'video', id: `${video}@${frame.timeMs.toFixed(0)}`, video, t: frame.timeMs, half: frame.timeMs < durationMs / 2 ? 1 : 2, ...await describe(m, frame, main.landmarks) })
    }
    process.stderr.write('v')
  }
  process.stderr.write('\n')
  return samples
}

// ---------------------------------------------------------------- scoring

type PerFrame = (s: Sample) => number[]
const mean = (a: readonly number[], b: readonly number[]) => a.map((v, k) => (v + b[k]!) / 2)
const VARIANTS: Array<[string, PerFrame]> = [
  ['base', (s) => s.plain],
  ['mirror', (s) => mean(s.plain, s.mirrored)],
  ['prior', (s) => applyBlendshapePrior(s.plain, s.blend)],
  ['mirror+prior', (s) => applyBlendshapePrior(mean(s.plain, s.mirrored), s.blend)]
]

const top1 = (p: readonly number[]) => EMOTIONS[p.indexOf(Math.max(...p))]!
const average = (rows: ReadonlyArray<readonly number[]>) => rows[0]!.map((_, k) => rows.reduce((s, r) => s + r[k]!, 0) / rows.length)
const pct = (n: number, d: number) => d === 0 ? '-' : `${(100 * n / d).toFixed(0)}%`
const count = (n: number, d: number) => `${pct(n, d)} (${n}/${d})`

interface VideoScore { sadNotHappy: number, sadSad: number, happyHappy: number, singleHappy: number, singleFirstNotHappy: number }

function videoScore (estimates: Array<{ video: string, half: 1 | 2, p: number[] }>): VideoScore {
  const frac = (video: string, half: 1 | 2, test: (e: Emotion) => boolean) => {
    const rows = estimates.filter((e) => e.video.includes(video) && e.half === half)
    return rows.filter((e) => test(top1(e.p))).length / rows.length
  }
  return {
    sadNotHappy: frac('sad_to_happy', 1, (e) => e !== 'happiness'),
    sadSad: frac('sad_to_happy', 1, (e) => e === 'sadness'),
    happyHappy: frac('sad_to_happy', 2, (e) => e === 'happiness'),
    singleHappy: frac('single_face', 2, (e) => e === 'happiness'),
    singleFirstNotHappy: frac('single_face', 1, (e) => e !== 'happiness')
  }
}

/** Temporal: each estimate replaced by the mean of the estimates of the last second. */
function window1s (rows: Sample[], f: PerFrame): Array<{ video: string, half: 1 | 2, p: number[] }> {
  return rows.map((s) => {
    const recent = rows.filter((r) => r.video === s.video && r.t! <= s.t! && r.t! > s.t! - 1000)
    return { video: s.video!, half: s.half!, p: average(recent.map(f)) }
  })
}

/** The metrics' own smoothing (exponential, 1 s), per video. */
function ema (rows: Sample[], f: PerFrame): Array<{ video: string, half: 1 | 2, p: number[] }> {
  const out: Array<{ video: string, half: 1 | 2, p: number[] }> = []
  for (const video of new Set(rows.map((r) => r.video!))) {
    const mine = rows.filter((r) => r.video === video)
    const smoothed = smoothEmotions(mine.map((r) => ({ t: r.t!, face: null, otherFaces: 0, emotion: f(r) })))
    smoothed.forEach((s, i) => out.push({ video, half: mine[i]!.half!, p: s.probabilities }))
  }
  return out
}

function score (samples: Sample[], verbose: boolean): void {
  const stills = samples.filter((s) => s.set === 'stills')
  const noisy = samples.filter((s) => s.set === 'noisy')
  const video = samples.filter((s) => s.set === 'video')
  const right = (rows: Sample[], f: PerFrame) => rows.filter((s) => top1(f(s)) === s.label).length
  console.log(`stills ${stills.length}, noisy ${noisy.length}, video estimates ${video.length} (sad_to_happy ${video.filter((s) => s.video!.includes('sad')).length}, single_face ${video.filter((s) => s.video!.includes('single')).length})`)
  console.log('')
  console.log('| variant | 13 stills | noisy set | noisy, mean of 5 views | sad half not happy (sad) | happy half happy | single_face 2nd half happy | video mean |')
  console.log('|---|---|---|---|---|---|---|---|')
  const line = (name: string, cells: string[]) => console.log(`| ${name} | ${cells.join(' | ')} |`)
  const videoCells = (v: VideoScore) => {
    const f = (x: number) => `${(100 * x).toFixed(0)}%`
    return [`${f(v.sadNotHappy)} (${f(v.sadSad)})`, f(v.happyHappy), f(v.singleHappy), f((v.sadNotHappy + v.happyHappy + v.singleHappy) / 3)]
  }
  for (const [name, f] of VARIANTS) {
    // Moments: the 10 noisy views of a still in two groups of 5, each group's mean estimate.
    let momentsRight = 0, moments = 0
    for (const group of new Set(noisy.map((s) => s.video))) {
      const views = noisy.filter((s) => s.video === group)
      for (let i = 0; i < views.length; i += MOMENT) {
        const part = views.slice(i, i + MOMENT)
        moments++
        if (top1(average(part.map(f))) === part[0]!.label) momentsRight++
      }
    }
    const perFrame = videoScore(video.map((s) => ({ video: s.video!, half: s.half!, p: f(s) })))
    line(name, [`${right(stills, f)}/13`, count(right(noisy, f), noisy.length), '-', ...videoCells(perFrame)])
    line(`${name} + last 1 s`, ['-', '-', count(momentsRight, moments), ...videoCells(videoScore(window1s(video, f)))])
    line(`${name} + metrics EMA 1 s`, ['-', '-', '-', ...videoCells(videoScore(ema(video, f)))])
  }
  ablation(stills, noisy, video, right)
  if (verbose) {
    console.log('\nstills, per face (top-1 base / mirror / prior / mirror+prior):')
    for (const s of stills) console.log(`${s.id.padEnd(36)} ${s.label!.padEnd(10)} ${VARIANTS.map(([, f]) => top1(f(s)).padEnd(10)).join(' ')}`)
    console.log('\nnoisy set, right per still (base / mirror / prior / mirror+prior):')
    for (const group of new Set(noisy.map((s) => s.video))) {
      const views = noisy.filter((s) => s.video === group)
      console.log(`${views[0]!.id.split(' ')[0]!.padEnd(36)} ${VARIANTS.map(([, f]) => `${right(views, f)}/${views.length}`).join('  ')}`)
    }
  }
}

/**
 * Blendshape rules tried one at a time on the base model (the kept ones are BLENDSHAPE_RULES):
 * each a FACS sign of one emotion, at a few weights.
 */
const pair = (s: Scores, name: 'browDown' | 'mouthSmile' | 'eyeWide' | 'mouthPress' | 'mouthFrown' | 'mouthUpperUp' | 'noseSneer' | 'mouthStretch' | 'browOuterUp') =>
  (s(`${name}Left`) + s(`${name}Right`)) / 2
const CANDIDATES: Array<Omit<BlendshapeRule, 'weight'>> = [
  { name: 'smile (AU12) -> happiness', emotion: 'happiness', evidence: (s) => pair(s, 'mouthSmile') },
  { name: 'smile and upper lip raised -> happiness', emotion: 'happiness', evidence: (s) => Math.min(pair(s, 'mouthSmile'), pair(s, 'mouthUpperUp')) },
  { name: 'brows up, eyes wide, jaw open (AU1+2+5+26) -> surprise', emotion: 'surprise', evidence: (s) => (s('browInnerUp') + pair(s, 'browOuterUp') + pair(s, 'eyeWide') + s('jawOpen')) / 4 },
  { name: 'brows down (AU4) -> anger', emotion: 'anger', evidence: (s) => pair(s, 'browDown') },
  { name: 'brows down, lips pressed (AU4+24) -> anger', emotion: 'anger', evidence: (s) => pair(s, 'browDown') * 0.5 + pair(s, 'mouthPress') * 0.5 },
  { name: 'nose wrinkle, upper lip up (AU9+10) -> disgust', emotion: 'disgust', evidence: (s) => Math.max(pair(s, 'noseSneer'), pair(s, 'mouthUpperUp') * (1 - pair(s, 'mouthSmile'))) },
  { name: 'lip corners down, inner brows up (AU15+1) -> sadness', emotion: 'sadness', evidence: (s) => (pair(s, 'mouthFrown') + s('browInnerUp')) / 2 },
  { name: 'eyes wide, lips stretched (AU5+20) -> fear', emotion: 'fear', evidence: (s) => (pair(s, 'eyeWide') + pair(s, 'mouthStretch')) / 2 }
]

function ablation (stills: Sample[], noisy: Sample[], video: Sample[], right: (rows: Sample[], f: PerFrame) => number): void {
  console.log('\nblendshape rules one at a time, on the base model (stills, noisy, video mean per estimate):')
  const report = (name: string, rules: readonly BlendshapeRule[]) => {
    const f: PerFrame = (s) => applyBlendshapePrior(s.plain, s.blend, rules)
    const v = videoScore(video.map((s) => ({ video: s.video!, half: s.half!, p: f(s) })))
    console.log(`  ${name.padEnd(64)} ${right(stills, f)}/13  ${pct(right(noisy, f), noisy.length).padStart(4)}  video ${(100 * (v.sadNotHappy + v.happyHappy + v.singleHappy) / 3).toFixed(0)}% (sad half not happy ${(100 * v.sadNotHappy).toFixed(0)}%)`)
  }
  report('none', [])
  for (const rule of CANDIDATES) for (const weight of [1, 2, 4, 6]) report(`${rule.name}, weight ${weight}`, [{ ...rule, weight }])
  report(`kept: ${BLENDSHAPE_RULES.map((r) => `${r.name} x${r.weight}`).join('; ')}`, BLENDSHAPE_RULES)
}

// ---------------------------------------------------------------- cost

async function cost (): Promise<void> {
  const m = await models()
  const picture = await decodeImage(path.join(fixtures, 'emotion/happy.jpg'), tools)
  const face = await faceOnStill(m, picture)
  const region = emotionRegion(face!.landmarks)
  const blend = Array.from(await m.blendshapes.run(face!.landmarks))
  const time = async (label: string, n: number, work: () => Promise<unknown> | unknown) => {
    for (let i = 0; i < 20; i++) await work()
    const times: number[] = []
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint()
      await work()
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    times.sort((a, b) => a - b)
    console.log(`${label}: median ${times[n >> 1]!.toFixed(3)} ms, p10 ${times[Math.floor(n * 0.1)]!.toFixed(3)} ms (${n} runs)`)
  }
  await time('classify, one crop', 300, () => m.classifier.classify(picture, region, { mirror: false }))
  await time('classify, crop + mirror', 300, () => m.classifier.classify(picture, region, { mirror: true }))
  const p = await m.classifier.classify(picture, region, { mirror: false })
  await time('blendshape prior', 2000, () => applyBlendshapePrior(p, blend))
}

const args = process.argv.slice(2)
let samples: Sample[]
if (args.includes('--cached')) samples = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as Sample[]
else {
  samples = await collect()
  await fs.writeFile(cacheFile, JSON.stringify(samples))
}
score(samples, args.includes('--verbose'))
if (!args.includes('--no-cost')) await cost()
