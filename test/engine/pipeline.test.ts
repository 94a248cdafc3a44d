import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { MediaError } from '../../src/media/ffprobe.js'
import { EMOTIONS, type FaceFrame } from '../../src/signals/face/metrics/index.js'
import { analyzeFixture, faceOf, sharedEngine, tools } from '../helpers/engine.js'
import { fixtures } from '../helpers/environment.js'
import { toWebm } from '../helpers/media.js'

interface LabelledBlink { start: number, end: number, peak: number }
const labels = JSON.parse(await fs.readFile(path.join(fixtures, 'blink/blink_labels.json'), 'utf8')) as
  { clips: Record<string, { fps: number, frames: number, blinks: LabelledBlink[] }> }

t.test('blinks: every hand-labelled blink is found, and nothing else', async (t) => {
  for (const [clip, truth] of Object.entries(labels.clips)) {
    const result = await analyzeFixture(clip)
    const frames = faceOf(result).frames!
    t.equal(frames.length, truth.frames, `${clip}: every frame analysed, in decode order`)
    const events = faceOf(result).metrics.blinks.events.map((e) => ({
      first: frames.findIndex((f) => f.t >= e.startMs),
      last: frames.findIndex((f) => f.t >= e.endMs) - 1
    }))
    for (const blink of truth.blinks) {
      t.ok(events.some((e) => e.first <= blink.end && e.last >= blink.start),
        `${clip}: labelled blink ${blink.start}-${blink.end} overlaps a detected one (${JSON.stringify(events)})`)
    }
    const spurious = events.filter((e) => !truth.blinks.some((b) => e.first <= b.end && e.last >= b.start))
    t.same(spurious, [], `${clip}: no blink outside the labels`)
    t.equal(faceOf(result).metrics.blinks.count, truth.blinks.length, `${clip}: ${truth.blinks.length} blinks`)
  }
})

t.test('faces in video: presence per frame', async (t) => {
  const single = await analyzeFixture('video/single_face.mp4')
  t.ok(faceOf(single).frames!.every((f) => f.face !== null && f.otherFaces === 0), 'single_face.mp4: one face in every frame')

  const none = await analyzeFixture('video/no_face.mp4')
  t.ok(faceOf(none).frames!.every((f) => f.face === null && f.otherFaces === 0), 'no_face.mp4: no face in any frame')
  t.equal(faceOf(none).metrics.presence.faceMissingRatio, 1)

  const switching = await analyzeFixture('video/face_then_noface.mov')
  const firstMissing = faceOf(switching).frames!.findIndex((f) => f.face === null)
  t.ok(Math.abs(firstMissing - 72) <= 2, `face_then_noface.mov: face lost at frame ${firstMissing} (label 72)`)
  t.ok(faceOf(switching).frames!.slice(0, firstMissing).every((f) => f.face), 'a face in every frame before')
  t.ok(faceOf(switching).frames!.slice(firstMissing).every((f) => !f.face), 'no face in any frame after')
  t.equal(faceOf(switching).metrics.presence.missing.length, 1, 'one missing stretch on the timeline')
})

function meanEmotion (frames: FaceFrame[], label: typeof EMOTIONS[number]): number {
  const k = EMOTIONS.indexOf(label)
  const rows = frames.filter((f) => f.emotion)
  return rows.reduce((s, f) => s + f.emotion![k]!, 0) / rows.length
}

function leading (frames: FaceFrame[]): string {
  const sums = EMOTIONS.map((e) => meanEmotion(frames, e))
  return EMOTIONS[sums.indexOf(Math.max(...sums))]!
}

t.test('emotion follows the recordings', async (t) => {
  const pexels = await analyzeFixture('video/sad_to_happy_pexels.mp4')
  const frames = faceOf(pexels).frames!
  const third = Math.floor(frames.length / 3)
  t.equal(leading(frames.slice(0, third)), 'sadness', 'sadness leads the first third')
  t.equal(leading(frames.slice(-third)), 'happiness', 'happiness leads the last third')
  t.equal(faceOf(pexels).metrics.emotion.timeline[0]!.dominant, 'sadness')
  t.equal(faceOf(pexels).metrics.emotion.timeline.at(-1)!.dominant, 'happiness')
  const expectedSamples = Math.floor(pexels.video.durationS * 5)
  t.ok(Math.abs(faceOf(pexels).metrics.emotion.samples - expectedSamples) <= 2, `emotion at 5 per second (${faceOf(pexels).metrics.emotion.samples})`)

  const single = await analyzeFixture('video/single_face.mp4')
  const half = faceOf(single).frames!.length / 2
  const first = meanEmotion(faceOf(single).frames!.slice(0, half), 'happiness')
  const second = meanEmotion(faceOf(single).frames!.slice(half), 'happiness')
  t.ok(second > first, `single_face.mp4: happiness higher in the second half (${first.toFixed(2)} -> ${second.toFixed(2)})`)
})

t.test('two people in view: the main speaker is followed, the other counted', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-two-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  // The man of single_face.mp4 (large, left) beside a GRID speaker (small, right).
  const file = path.join(dir, 'two.mp4')
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path.join(fixtures, 'video/single_face.mp4'),
    '-i', path.join(fixtures, 'video/grid/lbbc2a.mpg'), '-filter_complex', '[0:v]scale=-2:360[a];[1:v]scale=-2:200,pad=iw:360:0:80[b];[a][b]hstack,fps=30',
    '-t', '2.4', '-an', '-c:v', 'libx264', '-preset', 'ultrafast', file])
  t.equal(made.status, 0, String(made.stderr))
  const result = await (await sharedEngine()).analyze(file, tools, { signals: { face: { emotionFps: 0, countFacesEveryMs: 500 } } })
  const frames = faceOf(result).frames!
  t.ok(frames.every((f) => f.face), 'the main face is tracked in every frame')
  t.ok(frames.every((f) => f.face!.box[0] + f.face!.box[2] / 2 < 0.5), 'always the larger face on the left: a stable identity')
  t.ok(faceOf(result).metrics.presence.multipleFacesRatio > 0.95, `the other person is counted (${faceOf(result).metrics.presence.multipleFacesRatio.toFixed(2)} of frames)`)
})

t.test('results are consistent', async (t) => {
  const result = await analyzeFixture('video/grid/lbbc2a.mpg', { fps: 10, signals: { face: { emotionFps: 0 } } })
  t.equal(result.sampling.fps, 10, 'sampling at a lower rate')
  t.equal(faceOf(result).frames!.length, 30)
  t.ok(faceOf(result).frames!.every((f, i) => Math.abs(f.t - i * 100) < 1e-6), 'frame i at i/fps')
  t.ok(faceOf(result).frames!.every((f) => f.emotion === undefined), 'emotion off')
  const face = faceOf(result).frames![0]!.face!
  t.ok(face.box.every((v) => v >= 0 && v <= 1), 'box normalised')
  t.ok(Math.abs(face.pose.yaw) < 15 && Math.abs(face.pose.roll) < 15, 'a frontal face is frontal')
  t.ok(face.eyeOpening.every((v) => v > 0.15), 'eyes open')
  t.ok(faceOf(result).metrics.attention.eyeContactRatio > 0.8, 'the GRID speakers look at the camera')
})

t.test('bad input gets a clear error, never a hang or crash', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-engine-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const empty = path.join(dir, 'empty.webm')
  await fs.writeFile(empty, '')
  const text = path.join(dir, 'text.webm')
  await fs.writeFile(text, 'not a video\n'.repeat(200))
  const webm = toWebm('video/single_face.mp4', path.join(dir, 'full.webm'), 'vp9')
  const truncated = path.join(dir, 'truncated.webm')
  const bytes = await fs.readFile(webm)
  await fs.writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.4)))
  const engine = await sharedEngine()
  const cases: Array<[string, string, RegExp]> = [
    [empty, 'empty_file', /the file is empty/],
    [text, 'not_media', /not a video/],
    [truncated, 'truncated', /damaged or truncated video: frames stop at [01]\.\d s of the declared 2\.4 s/],
    [path.join(fixtures, 'audio/jfk.wav'), 'no_video_stream', /no video stream/],
    [path.join(dir, 'missing.webm'), 'file_not_found', /video file not found/]
  ]
  for (const [file, code, message] of cases) {
    const error = await engine.analyze(file, tools).then(() => null, (e: unknown) => e)
    t.type(error, MediaError, path.basename(file))
    t.match(error, { code, message }, path.basename(file))
  }
  const complete = await engine.analyze(webm, tools, { signals: { face: { emotionFps: 0 } } })
  t.equal(complete.sampling.frames, 72, 'the same video as VP9 webm is analysed whole')
})
