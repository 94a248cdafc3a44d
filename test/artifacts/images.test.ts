/**
 * Key-frame pictures on real media: the frames grabbed are the very frames the engine analysed
 * (a face detector run on them finds the engine's face box), upright on a rotated phone
 * recording, on the engine's clock with variable frame rates, edit lists and a lower sampling
 * rate; thumbnails; annotations drawn where the measurements are; and the timeline overview.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import sharp from 'sharp'
import { projectRoot } from '../../src/config.js'
import { probeVideo } from '../../src/media/ffprobe.js'
import { decodeImage, openFrameStream } from '../../src/media/frames.js'
import { grabFrames, type GrabbedFrame } from '../../src/artifacts/frame-grab.js'
import { thumbnailJpeg } from '../../src/artifacts/thumbnail.js'
import { annotatedJpeg, eyesPoint } from '../../src/artifacts/annotate.js'
import { timelineOverviewJpeg, overviewLayout, LANE, LANE_GAP, ROW, ROW_GAP, type OverviewInput } from '../../src/artifacts/overview.js'
import { COLORS, eventColor } from '../../src/artifacts/palette.js'
import type { RawImage } from '../../src/artifacts/raw-image.js'
import { YuNetDetector, iou, type Rect } from '../../src/signals/face/engine/yunet.js'
import type { FaceFrame } from '../../src/signals/face/metrics/types.js'
import { PoseDetector, POSE_DETECTOR_FILE } from '../../src/signals/pose/engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES } from '../../src/signals/pose/engine/landmarks.js'
import { PoseTracker } from '../../src/signals/pose/engine/tracker.js'
import { sharedEngine, faceOf, tools } from '../helpers/engine.js'
import { fixtures } from '../helpers/environment.js'
import { phoneVideo, PHONE_BAR_ROWS } from '../helpers/phone-video.js'

type Test = Pick<typeof t, 'ok' | 'equal' | 'same'>

const models = path.join(projectRoot, 'models')
const detector = await YuNetDetector.load(path.join(models, 'face_detection_yunet_2023mar.onnx'))
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-images-'))
t.teardown(async () => {
  await fs.rm(dir, { recursive: true, force: true })
  await (await sharedEngine()).close()
})
/** Set KEEP_PICTURES=<dir> to look at what the tests drew. */
const keep = process.env.KEEP_PICTURES
async function save (name: string, jpeg: Buffer): Promise<void> {
  if (keep) await fs.writeFile(path.join(keep, name), jpeg)
}

function ffmpeg (args: string[]): void {
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args])
  if (made.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${String(made.stderr)}`)
}

interface Checked { frame: FaceFrame, grabbed: GrabbedFrame, detected: Rect, eyes: [number, number] }

/**
 * Analyses `file` with the real engine, grabs `count` of its frames with a face at their times,
 * and checks each is the analysed picture: same size, the frame's own time, and YuNet on it
 * finds the face where the engine's box says (IoU > 0.7).
 */
async function grabAndCompare (t: Test, file: string, count: number, fps?: number, beforeMs = Infinity): Promise<Checked[]> {
  const engine = await sharedEngine()
  const result = await engine.analyze(file, tools, { kinds: ['face'], ...(fps ? { fps } : {}) })
  const withFace = faceOf(result).frames!.filter((f) => f.face && f.t < beforeMs)
  t.ok(withFace.length >= count, `${path.basename(file)}: ${withFace.length} frames with a face`)
  const picked = Array.from({ length: count }, (_, i) => withFace[Math.floor((i + 0.5) * withFace.length / count)]!)
  const probe = await probeVideo(file, tools)
  const grabbed = await grabFrames(file, picked.map((f) => f.t), { tools, probe, ...(fps ? { fps } : {}) })
  // The frames the engine decoded, as it decodes them.
  const analysed = new Map<number, Uint8Array>()
  const stream = await openFrameStream(file, probe, tools, fps ? { fps } : {})
  for await (const frame of stream.frames) if (picked.some((f) => f.t === frame.timeMs)) analysed.set(frame.timeMs, frame.data)
  const checked: Checked[] = []
  for (const [k, frame] of picked.entries()) {
    const g = grabbed[k]!
    if (!t.ok(g.image, `${path.basename(file)} at ${frame.t} ms: a picture (${g.error ?? ''})`)) continue
    t.equal(g.frameMs, frame.t, 'the analysed frame\'s own time')
    t.same([g.image!.width, g.image!.height], [result.sampling.width, result.sampling.height], 'the analysed frame\'s size')
    t.ok(Buffer.from(analysed.get(frame.t)!).equals(g.image!.data), 'the analysed frame\'s pixels, byte for byte')
    // A hand over the face lowers the detector's score (0.55 on the phone clip's last frames).
    const faces = await detector.detect(g.image!, { scoreThreshold: 0.5 })
    // The mesh's box runs on beyond the picture where the face does (the phone clip's crop); the detector's stops at its edge.
    const engineBox = clipped(frame.face!.box, g.image!)
    const best = faces.reduce<{ rect: Rect, overlap: number, eyes: [number, number] } | null>((b, face) => {
      const overlap = iou(engineBox, face.box)
      const eyes: [number, number] = [(face.keypoints[0]![0] + face.keypoints[1]![0]) / 2, (face.keypoints[0]![1] + face.keypoints[1]![1]) / 2]
      return !b || overlap > b.overlap ? { rect: face.box, overlap, eyes } : b
    }, null)
    t.ok(best && best.overlap > 0.7, `${path.basename(file)} at ${frame.t} ms: the detector's box on the grabbed picture matches the engine's (IoU ${best?.overlap.toFixed(3)})`)
    if (best) checked.push({ frame, grabbed: g, detected: best.rect, eyes: best.eyes })
  }
  return checked
}

const single = path.join(fixtures, 'video/single_face.mp4')
let singleChecked: Checked[] = []
let sampledChecked: Checked[] = []

t.test('grabs the frames the engine analysed', async (t) => {
  singleChecked = await grabAndCompare(t, single, 6)
  // A lower sampling rate: the engine's frame i is at i / fps.
  sampledChecked = await grabAndCompare(t, path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), 8, 4)
})

t.test('on a rotated phone recording with a variable frame rate: upright, on the engine\'s clock', async (t) => {
  const phone = phoneVideo(dir, 5)
  // From 4 s on a hand covers the face in this clip, and the detector's box is no reference.
  const checked = await grabAndCompare(t, phone.file, 5, undefined, 4000)
  for (const { grabbed } of checked) {
    const image = grabbed.image!
    t.same([image.width, image.height], [phone.uprightWidth, phone.uprightHeight], 'portrait, as a viewer sees it')
    t.ok(mean(image, 0, PHONE_BAR_ROWS - 4) > 225, `the white bar is at the top (mean ${mean(image, 0, PHONE_BAR_ROWS - 4).toFixed(0)})`)
    t.ok(mean(image, image.height - 40, image.height) < 200, 'and not at the bottom')
  }
  // Times between frames go to the nearest frame, on the engine's clock (packet times from the first).
  const probe = await probeVideo(phone.file, tools)
  const between = (phone.frameTimesS[10]! * 2 + phone.frameTimesS[11]!) / 3 * 1000
  const [near] = await grabFrames(phone.file, [between], { tools, probe })
  t.equal(near!.frameMs, probe.packets!.timesMs![10], 'a time a third of the way between two frames picks the first')
})

t.test('on an edit list that plays part of the file', async (t) => {
  const cut = path.join(dir, 'cut.mp4')
  ffmpeg(['-ss', '1.5', '-i', single, '-c', 'copy', cut])
  await grabAndCompare(t, cut, 4)
})

t.test('moments outside the video, repeated moments and undecodable files give entries, not throws', async (t) => {
  const probe = await probeVideo(single, tools)
  const end = probe.durationS * 1000
  const got = await grabFrames(single, [500, -100, end + 500, Number.NaN, 500, 0], { tools, probe })
  t.same(got.map((g) => g.atMs).slice(0, 3), [500, -100, end + 500], 'in the order asked')
  t.ok(got[0]!.image && got[4]!.image && got[5]!.image, 'moments inside have pictures')
  t.equal(got[4]!.frameMs, got[0]!.frameMs, 'a repeated moment is the same frame')
  t.match(got[1]!.error, /outside the video/)
  t.match(got[2]!.error, /outside the video/)
  t.match(got[3]!.error, /not a time/)
  t.notOk(got[1]!.image)

  const garbage = path.join(dir, 'garbage.mp4')
  await fs.writeFile(garbage, Buffer.alloc(100_000, 7))
  const broken = await grabFrames(garbage, [0, 1000], { tools, probe })
  t.ok(broken.every((g) => !g.image && /could not be decoded/.test(g.error ?? '')), `a file that does not decode: ${broken[0]!.error}`)

  const stopped = new AbortController()
  stopped.abort(new Error('stopped by the test'))
  await t.rejects(grabFrames(single, [0], { tools, probe, signal: stopped.signal }), /stopped by the test/)
})

t.test('thumbnails: JPEG, 320 wide, aspect kept', async (t) => {
  const landscape = singleChecked[0]!.grabbed.image!
  const jpeg = await thumbnailJpeg(landscape)
  const meta = await sharp(jpeg).metadata()
  t.same([meta.format, meta.width, meta.height], ['jpeg', 320, 180], '640x360 -> 320x180')
  const portrait = await sharp(await thumbnailJpeg({ ...blank(360, 640) })).metadata()
  t.same([portrait.width, portrait.height], [320, 568], '360x640 -> 320x568 (even)')
  t.ok(jpeg.length < 40_000, `small (${jpeg.length} bytes)`)
  await save('thumbnail.jpg', jpeg)
  await t.rejects(thumbnailJpeg({ ...landscape, data: landscape.data.subarray(10) }), /bytes of pixels/)
})

t.test('annotated: the face box along the face\'s edges, the gaze arrow from between the eyes', async (t) => {
  const drawn = { open: 0, closed: 0 }
  for (const [k, { frame, grabbed, eyes }] of [...singleChecked.slice(0, 2), ...sampledChecked].entries()) {
    const image = grabbed.image!
    const jpeg = await annotatedJpeg(image, { face: frame.face }, { analysedSize: { width: image.width, height: image.height } })
    const meta = await sharp(jpeg).metadata()
    t.same([meta.format, meta.width], ['jpeg', 640])
    const out = await rawOf(jpeg)
    const plain = await rawOf(await annotatedJpeg(image, {}))
    const scale = out.width / image.width
    const [bx, by, bw, bh] = frame.face!.box.map((v, i) => v * (i % 2 === 0 ? out.width : out.height)) as [number, number, number, number]
    const isBox = (px: number[]) => px[0]! < 110 && px[1]! > 170 && px[2]! > 190
    const edgeDistance = (x: number, y: number) => {
      const inside = x >= bx && x <= bx + bw && y >= by && y <= by + bh
      const dx = Math.max(bx - x, 0, x - (bx + bw))
      const dy = Math.max(by - y, 0, y - (by + bh))
      return inside ? Math.min(x - bx, bx + bw - x, y - by, by + bh - y) : Math.hypot(dx, dy)
    }
    let near = 0
    let far = 0
    let plainBoxColour = 0
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        if (isBox(pixel(plain, x, y))) plainBoxColour++
        if (!isBox(pixel(out, x, y))) continue
        if (edgeDistance(x, y) <= 6) near++
        else if (edgeDistance(x, y) > 10) far++
      }
    }
    const perimeter = 2 * (bw + bh)
    t.ok(near > perimeter * 1.5, `frame ${k}: box-coloured pixels along the box edges (${near}, perimeter ${perimeter.toFixed(0)})`)
    t.ok(far < perimeter * 0.05, `frame ${k}: hardly any far from them (${far})`)
    t.ok(plainBoxColour < perimeter * 0.05, `frame ${k}: the picture itself has hardly any of that colour (${plainBoxColour})`)

    // The arrow's origin (estimated from the box and head pose) against YuNet's eye points.
    const origin = eyesPoint([bx, by, bw, bh], frame.face!.pose)
    const off = Math.hypot(origin[0] - eyes[0] * scale, origin[1] - eyes[1] * scale)
    t.ok(off < bw * 0.1, `frame ${k}: the gaze arrow starts between the eyes (${off.toFixed(1)} px off, box ${bw.toFixed(0)} px wide, yaw ${frame.face!.pose.yaw}, roll ${frame.face!.pose.roll})`)
    let yellow = 0
    for (let y = Math.round(origin[1]) - 4; y <= Math.round(origin[1]) + 4; y++) {
      for (let x = Math.round(origin[0]) - 4; x <= Math.round(origin[0]) + 4; x++) {
        const [r, g, b] = pixel(out, x, y)
        if (r! > 200 && g! > 170 && b! < 110) yellow++
      }
    }
    const closed = frame.face!.blink >= 0.4
    if (closed) t.ok(yellow < 3, `frame ${k}: eyes closed (${frame.face!.blink}), no gaze arrow (${yellow} yellow pixels)`)
    else t.ok(yellow > 10, `frame ${k}: the arrow's yellow is drawn there (${yellow} of 81 pixels)`)
    drawn[closed ? 'closed' : 'open']++
    await save(`annotated-${k}.jpg`, jpeg)
  }
  t.ok(drawn.open >= 5, `${drawn.open} frames with open eyes, ${drawn.closed} closed`)
  const image = singleChecked[0]!.grabbed.image!
  const face = singleChecked[0]!.frame
  t.same(await rawOf(await annotatedJpeg(image, { face })), await rawOf(await annotatedJpeg(image, { face: face.face })), 'a stored FaceFrame draws as its signals do')
  await t.rejects(annotatedJpeg(image, { face: face.face }, { analysedSize: { width: 360, height: 640 } }), /not the analysed frame/)
  await t.rejects(annotatedJpeg(image, { face: { ...face.face!, box: [0.1, 0.1, Number.NaN, 0.2] } }), /face box must be/)
})

t.test('annotated: the skeleton only when the pose is given, only its visible joints', async (t) => {
  const photo = await decodeImage(path.join(fixtures, 'pose/coco/000000000785.jpg'), tools)
  const image: RawImage = { data: Buffer.from(photo.data), width: photo.width, height: photo.height, channels: 3 }
  const model = await PoseLandmarkModel.load(path.join(models, POSE_LANDMARK_FILES.full))
  const body = (await new PoseTracker(await PoseDetector.load(path.join(models, POSE_DETECTOR_FILE)), model).next(photo, 0, null))!
  // The stored form: x and y as fractions of the frame.
  const landmarks = Float32Array.from(body.body, (v, i) => (i % 4 === 0 ? v / image.width : i % 4 === 1 ? v / image.height : v))
  const LEFT_KNEE = 25
  landmarks[LEFT_KNEE * 4 + 3] = 0.1 // not visible: neither it nor its bones are drawn
  const without = await rawOf(await annotatedJpeg(image, { eventKind: 'slouch' }))
  const withPoseJpeg = await annotatedJpeg(image, { pose: { pose: { landmarks } }, eventKind: 'slouch' })
  await save('skeleton.jpg', withPoseJpeg)
  const withPose = await rawOf(withPoseJpeg)
  const changeAround = (index: number) => {
    const cx = Math.round(landmarks[index * 4]! * without.width)
    const cy = Math.round(landmarks[index * 4 + 1]! * without.height)
    let sum = 0
    let n = 0
    for (let y = cy - 2; y <= cy + 2; y++) {
      for (let x = cx - 2; x <= cx + 2; x++) {
        const a = pixel(without, x, y)
        const b = pixel(withPose, x, y)
        sum += Math.abs(a[0]! - b[0]!) + Math.abs(a[1]! - b[1]!) + Math.abs(a[2]! - b[2]!)
        n++
      }
    }
    return sum / n
  }
  const joints = [11, 12, 13, 14, 23, 24, 26, 27, 28].filter((i) => landmarks[i * 4 + 3]! >= 0.5)
  t.ok(joints.length >= 8, `${joints.length} visible body joints`)
  for (const i of joints) t.ok(changeAround(i) > 60, `joint ${i} drawn (change ${changeAround(i).toFixed(0)})`)
  t.ok(changeAround(LEFT_KNEE) < 20, `the joint marked not visible is not drawn (change ${changeAround(LEFT_KNEE).toFixed(0)})`)
  // Border in the event's colour on both.
  const border = pixel(withPose, 2, Math.round(withPose.height / 2))
  const expected = hex(eventColor('slouch'))
  t.ok(border.every((v, c) => Math.abs(v - expected[c]!) < 40), `a border in the event's colour (${border} vs ${expected})`)
})

t.test('timeline overview: the strip, curves with their gaps, events on the time axis', async (t) => {
  const durationMs = 20_000
  const frames = sampledChecked.slice(0, 8).map(({ grabbed }) => ({ atMs: grabbed.atMs, image: grabbed.image! }))
  const points = Array.from({ length: 401 }, (_, i) => {
    const tMs = i * 50
    return { t: tMs, v: tMs < 8000 ? 1 : tMs < 12_000 ? null : 0.5 }
  })
  const input: OverviewInput = {
    durationMs,
    frames,
    curves: [
      { name: 'eye_contact', color: '#ff00ff', points, min: 0, max: 1 },
      { name: 'loudness', points: points.map((p) => ({ t: p.t, v: p.v === null ? null : -20 })), min: -60, max: 0 }
    ],
    events: [{ kind: 'look_away', startMs: 3000, endMs: 5000 }, { kind: 'blink', startMs: 15_000, endMs: 15_100 }]
  }
  const jpeg = await timelineOverviewJpeg(input)
  await save('overview.jpg', jpeg)
  const meta = await sharp(jpeg).metadata()
  const layout = overviewLayout(input)
  t.same([meta.format, meta.width, meta.height], ['jpeg', 1280, layout.height])
  t.ok(layout.height > 300 && layout.height < 500, `height ${layout.height}`)
  const out = await rawOf(jpeg)

  const magenta = (px: number[]) => px[0]! > 180 && px[1]! < 90 && px[2]! > 180
  const lane = { top: layout.lanesTop, bottom: layout.lanesTop + LANE }
  const curveIn = (fromMs: number, toMs: number) => {
    let columns = 0
    let found = 0
    for (let x = Math.ceil(layout.x(fromMs)); x <= Math.floor(layout.x(toMs)); x++) {
      columns++
      for (let y = lane.top; y < lane.bottom; y++) {
        if (magenta(pixel(out, x, y))) { found++; break }
      }
    }
    return found / columns
  }
  t.ok(curveIn(500, 7500) > 0.95, `the curve drawn where it has values (${curveIn(500, 7500)})`)
  t.ok(curveIn(8500, 11_500) === 0, `a gap where it is null (${curveIn(8500, 11_500)})`)
  t.ok(curveIn(12_500, 19_500) > 0.95, `and drawn again after (${curveIn(12_500, 19_500)})`)
  // Value 1 near the lane's top, 0.5 at its middle.
  const rowOf = (ms: number) => {
    const x = Math.round(layout.x(ms))
    for (let y = lane.top; y < lane.bottom; y++) if (magenta(pixel(out, x, y))) return y - lane.top
    return -1
  }
  t.ok(rowOf(4000) < 8, `value 1 at the top of the lane (row ${rowOf(4000)})`)
  t.ok(Math.abs(rowOf(16_000) - LANE / 2) < 6, `value 0.5 in the middle (row ${rowOf(16_000)})`)

  const lookAway = hex(eventColor('look_away'))
  const rowTop = layout.rowsTop // look_away is the first kind
  const isLookAway = (x: number) => pixel(out, x, rowTop + ROW / 2).every((v, c) => Math.abs(v - lookAway[c]!) < 40)
  t.ok(isLookAway(Math.round(layout.x(4000))), 'the look-away bar within its span')
  t.notOk(isLookAway(Math.round(layout.x(2000))), 'not before it')
  t.notOk(isLookAway(Math.round(layout.x(7000))), 'not after it')
  const blinkRow = rowTop + ROW + ROW_GAP
  const blink = hex(eventColor('blink'))
  t.ok(pixel(out, Math.round(layout.x(15_050)), blinkRow + ROW / 2).every((v, c) => Math.abs(v - blink[c]!) < 40), 'a 100 ms blink still shows')
  t.equal(layout.rowsTop, layout.lanesTop + 2 * (LANE + LANE_GAP) + 12 - LANE_GAP, 'the event rows below the two lanes')

  // A frame of the strip is in its cell.
  const cell = layout.cell
  const first = await rawOf(await sharp(frames[0]!.image.data, { raw: { width: frames[0]!.image.width, height: frames[0]!.image.height, channels: 3 } }).resize(cell.width, cell.height, { fit: 'cover' }).jpeg().toBuffer())
  let diff = 0
  for (let y = 4; y < cell.height - 4; y += 3) {
    for (let x = 4; x < cell.width - 4; x += 3) diff += Math.abs(pixel(out, layout.left + x, cell.top + y)[1]! - pixel(first, x, y)[1]!)
  }
  t.ok(diff / ((cell.height / 3) * (cell.width / 3)) < 12, 'the first frame fills the first cell')
  await t.rejects(timelineOverviewJpeg({ ...input, curves: [{ ...input.curves[0]!, min: 1, max: 0 }] }), /max > min/)
  t.ok(COLORS.background)
})

t.test('grab speed: 50 moments of a 60 s 640x480 webm', async (t) => {
  const part = path.join(dir, 'part.webm')
  ffmpeg(['-t', '20', '-i', path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), '-vf', 'scale=640:480', '-an',
    '-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', part])
  const list = path.join(dir, 'list.txt')
  await fs.writeFile(list, `file '${part}'\nfile '${part}'\nfile '${part}'\n`)
  const long = path.join(dir, 'long.webm')
  ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', long])
  const probe = await probeVideo(long, tools)
  t.ok(probe.durationS > 58, `${probe.durationS.toFixed(1)} s, ${probe.width}x${probe.height}`)
  const times = Array.from({ length: 50 }, (_, i) => Math.round((i + 0.5) * probe.durationS * 1000 / 50))
  const started = performance.now()
  const grabbed = await grabFrames(long, times, { tools, probe })
  const ms = performance.now() - started
  t.equal(grabbed.filter((g) => g.image?.width === 640 && g.image.height === 480).length, 50, 'all 50 pictures')
  t.ok(grabbed.every((g) => Math.abs(g.frameMs! - g.atMs) <= 1000 / probe.fps / 2 + 1), 'each the frame nearest its moment')
  t.comment(`grabbing 50 moments of ${probe.durationS.toFixed(1)} s: ${ms.toFixed(0)} ms, ${(ms / 50).toFixed(1)} ms per frame`)
})

/** A box in fractions of the frame, in pixels of `image`, cut to its edges. */
function clipped (box: readonly number[], image: RawImage): Rect {
  const x0 = Math.max(0, box[0]!) * image.width
  const y0 = Math.max(0, box[1]!) * image.height
  const x1 = Math.min(1, box[0]! + box[2]!) * image.width
  const y1 = Math.min(1, box[1]! + box[3]!) * image.height
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

function blank (width: number, height: number): RawImage {
  return { data: Buffer.alloc(width * height * 3, 128), width, height, channels: 3 }
}

async function rawOf (jpeg: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height, channels: 3 }
}

function pixel (image: RawImage, x: number, y: number): number[] {
  const cx = Math.min(Math.max(x, 0), image.width - 1)
  const cy = Math.min(Math.max(y, 0), image.height - 1)
  const i = (cy * image.width + cx) * 3
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!]
}

/** Mean brightness of rows [from, to). */
function mean (image: RawImage, from: number, to: number): number {
  let sum = 0
  for (let i = from * image.width * 3; i < to * image.width * 3; i++) sum += image.data[i]!
  return sum / ((to - from) * image.width * 3)
}

function hex (color: string): number[] {
  return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16))
}
