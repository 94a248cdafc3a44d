/**
 * Close-up faces (issue 10): a face filling the frame, as when a phone is held close, and a
 * face partly out of the frame. Built at test time from the fixtures' faces: each labelled
 * face (dlib's hand-drawn boxes; for the other photos, YuNet's box on the whole photo) is
 * cropped to a square about its own size, scaled to 350x350 and turned into a 0.5 s video (5 frames); the
 * engine must find a face in most frames of nearly every clip.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { projectRoot } from '../../src/config.js'
import { YuNetDetector, type Rect } from '../../src/signals/face/engine/yunet.js'
import { decodeImage } from '../../src/media/frames.js'
import { fixtures } from '../helpers/environment.js'
import { faceOf, sharedEngine, tools } from '../helpers/engine.js'

const run = promisify(execFile)

interface Source { file: string, boxes: Rect[] }

/** dlib's imglab XML: hand-drawn boxes, in the photo's own pixels. */
async function dlibFaces (): Promise<Source[]> {
  const xml = await fs.readFile(path.join(fixtures, 'faces/dlib/boxes.xml'), 'latin1')
  const attribute = (tag: string, name: string) => Number(new RegExp(`${name}='([^']*)'`).exec(tag)![1])
  return [...xml.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)].map(([, file, body]) => ({
    file: path.join(fixtures, 'faces/dlib', file!),
    boxes: [...body!.matchAll(/<box [^>]*\/>/g)].map(([tag]) => ({ x: attribute(tag, 'left'), y: attribute(tag, 'top'), width: attribute(tag, 'width'), height: attribute(tag, 'height') }))
  }))
}

/** Photos without hand-drawn boxes: YuNet's boxes on the whole photo (faces that are small there). */
async function detectedFaces (detector: YuNetDetector, files: string[]): Promise<Source[]> {
  const sources: Source[] = []
  for (const file of files) {
    const image = await decodeImage(file, tools)
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width', '-of', 'csv=p=0', file])
    const scale = Number(stdout.trim()) / image.width
    const faces = await detector.detect(image)
    sources.push({ file, boxes: faces.map(({ box }) => ({ x: box.x * scale, y: box.y * scale, width: box.width * scale, height: box.height * scale })) })
  }
  return sources
}

interface Clip { name: string, file: string, cut: boolean, encode: () => Promise<unknown> }

/**
 * One tight clip per face (a square crop of the box's long side, the face filling the frame)
 * and one cut clip (the same square moved a third of its side sideways or down, so part of
 * the face is out of the frame). Crops are clamped to the photo. Each clip is encoded when
 * asked (encode()), so encoding the next overlaps analysing this one.
 */
async function buildClips (dir: string, sources: Source[]): Promise<Clip[]> {
  const clips: Clip[] = []
  let n = 0
  for (const source of sources) {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', source.file])
    const [width, height] = stdout.trim().split(',').map(Number) as [number, number]
    for (const box of source.boxes) {
      const side = Math.min(Math.round(Math.max(box.width, box.height)), width, height)
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2
      const shifts: Array<[number, number, boolean]> = [[0, 0, false], n % 2 === 0 ? [side / 3, 0, true] : [0, side / 3, true]]
      for (const [dx, dy, cut] of shifts) {
        const x = Math.round(Math.min(Math.max(cx + dx - side / 2, 0), width - side))
        const y = Math.round(Math.min(Math.max(cy + dy - side / 2, 0), height - side))
        const name = `${path.basename(source.file, '.jpg')}-${n}${cut ? '-cut' : ''}`
        const file = path.join(dir, `${name}.mp4`)
        const encode = () => run('ffmpeg', ['-v', 'error', '-loop', '1', '-i', source.file, '-vf', `crop=${side}:${side}:${x}:${y},scale=350:350,format=yuv420p`, '-r', '10', '-t', '0.5', '-c:v', 'libx264', '-y', file])
        clips.push({ name, file, cut, encode })
      }
      n++
    }
  }
  return clips
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-closeup-'))
t.teardown(() => fs.rm(dir, { recursive: true, force: true }))

t.test('finds faces that fill the frame or are cut by its edge', async (t) => {
  const yunet = await YuNetDetector.load(path.join(projectRoot, 'models/face_detection_yunet_2023mar.onnx'))
  const emotion = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised'].map((e) => path.join(fixtures, `emotion/${e}.jpg`))
  const pyfeat = (await fs.readdir(path.join(fixtures, 'emotion/pyfeat'))).filter((f) => f.endsWith('.jpg')).map((f) => path.join(fixtures, 'emotion/pyfeat', f))
  const others = [...emotion, ...pyfeat, path.join(fixtures, 'faces/one_face.jpg'), path.join(fixtures, 'faces/five_faces.jpg')]
  const sources = [...await dlibFaces(), ...await detectedFaces(yunet, others)]
  const clips = await buildClips(dir, sources)
  const engine = await sharedEngine()
  const found = { tight: 0, cut: 0 }
  const totals = { tight: 0, cut: 0 }
  const missed: string[] = []
  const cost = { detect: 0, detect_closeup: 0 }
  let encoded = clips[0]!.encode()
  for (const [i, clip] of clips.entries()) {
    await encoded
    encoded = clips[i + 1]?.encode() ?? Promise.resolve()
    encoded.catch(() => {}) // awaited at the next clip
    const result = await engine.analyze(clip.file, tools, { kinds: ['face'] })
    cost.detect += result.timings.detect?.ms ?? 0
    cost.detect_closeup += result.timings.detect_closeup?.ms ?? 0
    const frames = faceOf(result).frames!
    const withFace = frames.filter((f) => f.face !== null).length
    const kind = clip.cut ? 'cut' : 'tight'
    totals[kind]++
    // Found: a face in at least half the clip's frames.
    if (withFace * 2 >= frames.length) found[kind]++
    else missed.push(`${clip.name} (${withFace}/${frames.length})`)
  }
  t.comment(`detector time over ${clips.length} clips: YuNet ${cost.detect} ms, BlazeFace ${cost.detect_closeup} ms`)
  t.comment(`tight: ${found.tight}/${totals.tight} found; cut by the edge: ${found.cut}/${totals.cut}; missed: ${missed.join(', ') || 'none'}`)
  t.ok(totals.tight >= 35, `${totals.tight} tight clips built`)
  t.ok(found.tight >= Math.ceil(totals.tight * 0.9), `tight faces: ${found.tight}/${totals.tight} found (at least 90 %)`)
  t.ok(found.cut >= Math.ceil(totals.cut * 0.75), `faces cut by the edge: ${found.cut}/${totals.cut} found (at least 75 %)`)
})

t.test('in the same engine, small faces and several faces are still found, and no face in a dog', async (t) => {
  const engine = await sharedEngine()
  const still = async (image: string, name: string) => {
    const file = path.join(dir, `${name}.mp4`)
    await run('ffmpeg', ['-v', 'error', '-loop', '1', '-i', path.join(fixtures, image), '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p', '-r', '10', '-t', '1', '-c:v', 'libx264', '-y', file])
    return faceOf(await engine.analyze(file, tools, { kinds: ['face'] })).frames!
  }
  const five = await still('faces/five_faces.jpg', 'five')
  t.ok(five.filter((f) => f.face !== null && f.otherFaces === 4).length * 2 >= five.length, 'five_faces.jpg: the main face and 4 others in most frames')
  const dogs = await still('faces/dlib/no_human_faces_dogs.jpg', 'dogs')
  t.ok(dogs.every((f) => f.face === null && f.otherFaces === 0), 'no_human_faces_dogs.jpg: no face in any frame')
})
