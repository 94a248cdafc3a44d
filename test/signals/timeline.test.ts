/**
 * Timeline events with their key frames and the overview curves, on real recordings: the
 * fixtures' ground truth (README in ../shared/fixtures) says where each event must land.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import t, { type Test } from 'tap'
import { BSON } from 'mongodb'
import { analyzeFixture, sharedEngine, tools } from '../helpers/engine.js'
import { fixtures } from '../helpers/environment.js'
import { analysisOutcome } from '../../src/signals/outcome.js'
import { SIGNALS } from '../../src/signals/registry.js'
import type { SignalModule, TimelineCurve, TimelineEvent } from '../../src/signals/contract.js'
import type { AnalysisResult } from '../../src/engine/analyze.js'
import { EMOTIONS, type FaceFrame } from '../../src/signals/face/metrics/index.js'
import { voice } from '../../src/signals/voice/index.js'
import { analyzeVoice } from '../../src/signals/voice/engine/index.js'

t.teardown(async () => (await sharedEngine()).close())

const GRID = ['bbaf2n', 'brbk7n', 'lbax4n', 'lbbc2a'].map((name) => `video/grid/${name}.mpg`)

/** Every event well formed: whole ms, keyMs (when given) within its range, sorted. */
function checkEvents (t: Test, events: readonly TimelineEvent[], name: string) {
  events.forEach((e, i) => {
    t.ok(Number.isInteger(e.startMs) && Number.isInteger(e.endMs) && e.startMs <= e.endMs, `${name}: ${e.kind} ${e.startMs}..${e.endMs}`)
    if (e.keyMs !== undefined) t.ok(Number.isInteger(e.keyMs) && e.keyMs >= e.startMs && e.keyMs <= e.endMs, `${name}: ${e.kind} key frame ${e.keyMs} within ${e.startMs}..${e.endMs}`)
    if (i > 0) t.ok(events[i - 1]!.startMs <= e.startMs, `${name}: sorted`)
  })
  t.ok(events.filter((e) => e.kind === 'blink').every((e) => e.keyMs === undefined), `${name}: single blinks get no picture`)
}

/** Each module's curves from the engine's frames, and from the same frames after BSON storage. */
function curvesOf (result: AnalysisResult, stored = false): Record<string, TimelineCurve> {
  const out: Record<string, TimelineCurve> = {}
  for (const module of SIGNALS as ReadonlyArray<SignalModule>) {
    const signal = result.signals[module.kind]
    if (!signal?.frames || !module.curves) continue
    const frames = stored
      ? signal.frames.map((f) => module.codec.decode(BSON.deserialize(BSON.serialize(module.codec.encode(f)))))
      : signal.frames
    for (const curve of module.curves(frames, signal.metrics)) out[curve.name] = curve
  }
  return out
}

/** One point per second (t = the second's start), every value null or within min..max. */
function checkCurve (t: Test, curve: TimelineCurve, seconds: number) {
  t.equal(curve.points.length, seconds, `${curve.name}: one point per second (${seconds})`)
  t.ok(curve.points.every((p, k) => p.t === k * 1000), `${curve.name}: points at each second's start`)
  const bad = curve.points.filter((p) => p.v !== null && !(Number.isFinite(p.v) && p.v >= curve.min && p.v <= curve.max))
  t.same(bad, [], `${curve.name}: values within ${curve.min}..${curve.max} ${curve.unit}`)
}

const mean = (values: Array<number | null>) => {
  const known = values.filter((v): v is number => v !== null)
  return known.reduce((a, b) => a + b, 0) / known.length
}

t.test('sad_to_happy: one emotion shift, sadness to happiness, in the middle; the hand over the face is a face touch', async (t) => {
  const result = await analyzeFixture('video/sad_to_happy_pexels.mp4')
  const { events } = analysisOutcome(result.signals)
  checkEvents(t, events, 'sad_to_happy')
  const shifts = events.filter((e) => e.kind === 'emotion_shift')
  t.equal(shifts.length, 1, 'one shift: the first half is sad, the second happy')
  const shift = shifts[0]!
  t.same([EMOTIONS[shift.data!.from!], EMOTIONS[shift.data!.to!]], ['sadness', 'happiness'])
  const durationMs = result.video.durationS * 1000
  t.ok(shift.startMs > 0.35 * durationMs && shift.startMs < 0.65 * durationMs, `shift at ${shift.startMs} ms of ${Math.round(durationMs)}: around the middle`)
  t.ok(shift.value! > 0.9, `happiness reaches ${shift.value}`)
  t.ok(shift.keyMs! < shift.startMs + 4000, `key frame ${shift.keyMs} ms: the laugh near its fullest, not the end of the clip`)
  t.comment(`emotion_shift ${shift.startMs}..${shift.endMs} ms, key ${shift.keyMs} ms (clip ${Math.round(durationMs)} ms)`)

  const touches = events.filter((e) => e.kind === 'face_touch')
  t.ok(touches.length >= 1 && touches.every((e) => e.keyMs !== undefined), 'the hand over the crying face is a face touch with a key frame')
  t.ok(touches.some((e) => e.startMs < 6000 && e.endMs > 4000), `face touch in the first half: ${JSON.stringify(touches)}`)
  t.equal(events.filter((e) => e.kind === 'blink_burst').length, 0, `${events.filter((e) => e.kind === 'blink').length} blinks in 20 s are no burst`)
  const lookAway = events.find((e) => e.kind === 'look_away')
  if (lookAway) {
    const frames = result.signals.face!.frames as FaceFrame[]
    const key = frames.find((f) => f.t >= lookAway.keyMs!)!
    t.ok(Math.abs(key.face!.gaze.yaw) > 12 || Math.abs(key.face!.gaze.pitch + 6) > 15, 'a look-away\'s key frame looks away')
  }

  const seconds = Math.ceil(result.signals.face!.metrics ? (result.signals.face!.metrics as { durationS: number }).durationS : 0)
  const curves = curvesOf(result)
  t.same(Object.keys(curves).sort(), ['emotion', 'eye_contact', 'head_movement', 'loudness', 'movement', 'posture', 'speaking_rate'])
  for (const name of ['eye_contact', 'emotion', 'head_movement', 'movement', 'posture']) checkCurve(t, curves[name]!, seconds)
  const emotion = curves.emotion!.points.map((p) => p.v)
  const half = Math.floor(emotion.length / 2)
  t.ok(mean(emotion.slice(1, half - 1)) < -0.5, `the sad half reads negative (${mean(emotion.slice(1, half - 1)).toFixed(2)})`)
  t.ok(mean(emotion.slice(half + 2)) > 0.8, `the happy half reads positive (${mean(emotion.slice(half + 2)).toFixed(2)})`)
  t.ok(curves.eye_contact!.points.some((p) => p.v === null), 'seconds with the face covered have no eye-contact point')
  t.comment(`eye_contact ${curves.eye_contact!.points.map((p) => p.v ?? '-').join(' ')}`)
  t.comment(`emotion ${emotion.map((v) => v ?? '-').join(' ')}`)

  t.same(curvesOf(result, true), curves, 'the curves from frames stored in MongoDB (BSON) equal those from the engine')
})

t.test('grid clips and single_face: no blink burst (the labels have at most 2 blinks a clip); single_face has no shift', async (t) => {
  let bursts = 0
  for (const clip of [...GRID, 'video/single_face.mp4']) {
    const result = await analyzeFixture(clip)
    const { events } = analysisOutcome(result.signals)
    checkEvents(t, events, clip)
    bursts += events.filter((e) => e.kind === 'blink_burst').length
    if (clip.endsWith('single_face.mp4')) {
      t.equal(events.filter((e) => e.kind === 'emotion_shift').length, 0, 'neutral for about 1 s before the smile is not a held emotion (2 s needed)')
      const curves = curvesOf(result)
      checkCurve(t, curves.eye_contact!, 3)
      t.same(curves.eye_contact!.points.map((p) => p.v), [100, 100, 100], 'looking at the camera throughout')
      const emotion = curves.emotion!.points.map((p) => p.v!)
      t.ok(emotion[2]! > emotion[0]! + 0.4, `the smile raises the expression curve (${emotion.join(' ')})`)
      checkCurve(t, curves.movement!, 3)
      t.equal(curves.movement!.points[0]!.v, null, 'no movement for the first second')
      t.ok(curves.movement!.points.slice(1).every((p) => p.v !== null && p.v < 0.1), `sitting still: ${curves.movement!.points.map((p) => p.v).join(' ')}`)
      t.same(curvesOf(result, true), curves, 'stored frames give the same curves')
    }
  }
  t.equal(bursts, 0, 'no blink burst in 5 clips')
})

t.test('face_then_noface: the face is missing from frame 72 to the end, with an empty frame as key', async (t) => {
  const result = await analyzeFixture('video/face_then_noface.mov')
  const { events } = analysisOutcome(result.signals)
  checkEvents(t, events, 'face_then_noface')
  const frames = result.signals.face!.frames as FaceFrame[]
  const missing = events.filter((e) => e.kind === 'face_missing')
  t.equal(missing.length, 1)
  t.equal(missing[0]!.startMs, Math.round(frames[72]!.t), 'from frame 72')
  t.equal(missing[0]!.endMs, Math.round(result.signals.face!.metrics ? (result.signals.face!.metrics as { durationS: number }).durationS * 1000 : 0), 'to the end')
  t.equal(missing[0]!.keyMs, missing[0]!.startMs + 1000, '1 s into the gap')
  t.equal(frames.find((f) => f.t >= missing[0]!.keyMs!)!.face, null, 'the key frame shows no face')
  const contact = curvesOf(result).eye_contact!
  t.same(contact.points.slice(3).map((p) => p.v), [null, null, null, null], 'no eye contact measured once the face is gone')
})

t.test('multiple_faces: a still of five people (faces/five_faces.jpg as a 2 s video)', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-events-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'five.mp4')
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', path.join(fixtures, 'faces/five_faces.jpg'), '-t', '2', '-r', '10',
    '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-pix_fmt', 'yuv420p', file])
  const result = await (await sharedEngine()).analyze(file, tools, { kinds: ['face'] })
  const { events } = analysisOutcome(result.signals)
  checkEvents(t, events, 'five faces')
  const multiple = events.filter((e) => e.kind === 'multiple_faces')
  t.equal(multiple.length, 1)
  t.match(multiple[0], { startMs: 0, endMs: 2000, value: 5 })
  t.ok(multiple[0]!.keyMs !== undefined)
})

t.test('long_pause: jfk.wav has none (longest 1.2 s); with 2.5 s of silence inserted, one, keyed in its middle', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-events-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const original = path.join(fixtures, 'audio/jfk.wav')
  const paused = path.join(dir, 'jfk_pause.wav')
  // 2.5 s of silence at 2.7 s, inside the pause after "Americans" (2.12-3.28 s).
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', original, '-filter_complex',
    '[0]atrim=0:2.7,asetpts=N/SR/TB[a];anullsrc=r=16000:cl=mono,atrim=0:2.5[s];[0]atrim=2.7,asetpts=N/SR/TB[b];[a][s][b]concat=n=3:v=0:a=1',
    '-ar', '16000', '-ac', '1', paused])
  const summaryOf = async (file: string) => {
    const analysis = await analyzeVoice(file, tools)
    const { nucleiMs: _nuclei, ...metrics } = analysis.metrics!
    return { frames: analysis.frames, summary: { hasAudio: true, metrics } }
  }
  const plain = await summaryOf(original)
  t.same(voice.events(plain.summary), [], `no pause of 2 s (longest ${plain.summary.metrics.pauses.longestS} s)`)
  const long = await summaryOf(paused)
  const events = voice.events(long.summary)
  t.equal(events.length, 1)
  const pause = events[0]!
  t.match(pause, { kind: 'long_pause' })
  t.ok(Math.abs(pause.startMs - 2120) <= 100 && Math.abs(pause.endMs - 5780) <= 100, `the silence: ${pause.startMs}..${pause.endMs} ms`)
  t.equal(pause.keyMs, Math.round((pause.startMs + pause.endMs) / 2))
  t.equal(pause.value, (pause.endMs - pause.startMs) / 1000)

  const curves = voice.curves!(long.frames, long.summary)
  const [loudness, rate] = curves
  checkCurve(t, rate!, long.frames.length)
  t.same(rate!.points.slice(3, 5).map((p) => p.v), [null, null], 'no speaking rate in the inserted silence')
  checkCurve(t, loudness!, long.frames.length)
  t.equal(long.frames.length, Math.ceil(long.summary.metrics.durationS), 'voice frames are one a second')
  t.same(loudness!.points.slice(3, 5).map((p) => p.v), [null, null], 'the inserted silence draws no loudness')
  t.ok(loudness!.points.filter((p) => p.v !== null).length >= 9, 'the speech does')
  const stored = long.frames.map((f) => voice.codec.decode(BSON.deserialize(BSON.serialize(voice.codec.encode(f)))))
  t.same(voice.curves!(stored, long.summary), curves, 'stored voice frames give the same curves')
})
