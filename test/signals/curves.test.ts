/**
 * The charts' curves added for the report (head_movement, speaking_rate, posture) on real
 * recordings, with a synthetic case each where the right answer is known exactly.
 */
import path from 'node:path'
import t from 'tap'
import { analyzeFixture, sharedEngine, tools } from '../helpers/engine.js'
import { fixtures } from '../helpers/environment.js'
import type { TimelineCurve } from '../../src/signals/contract.js'
import type { AnalysisResult } from '../../src/engine/analyze.js'
import { SIGNALS } from '../../src/signals/registry.js'
import { faceCurves, HEAD_MOVEMENT_MAX_DEG, type FaceFrame } from '../../src/signals/face/metrics/index.js'
import { speakingRate, voiceCurves, SPEAKING_RATE_MIN_SPEECH } from '../../src/signals/voice/curves.js'
import { analyzeVoice, type VoiceFrame } from '../../src/signals/voice/engine/index.js'
import { poseCurves } from '../../src/signals/pose/curves.js'
import { ASPECT, sequence } from '../pose/skeleton.js'
import { CurveCache } from '../../src/services/timeline-curves.js'

t.teardown(async () => (await sharedEngine()).close())

function curvesOf (result: AnalysisResult): Record<string, TimelineCurve> {
  const out: Record<string, TimelineCurve> = {}
  for (const module of SIGNALS) {
    const signal = result.signals[module.kind]
    if (!signal?.frames || !module.curves) continue
    for (const curve of module.curves(signal.frames, signal.metrics)) out[curve.name] = curve
  }
  return out
}

const known = (curve: TimelineCurve) => curve.points.flatMap((p) => (p.v === null ? [] : [p.v]))

t.test('head_movement: a still speaker stays low, the crying-then-laughing one moves a lot; a steady turn reads its speed', async (t) => {
  const still = curvesOf(await analyzeFixture('video/single_face.mp4')).head_movement!
  t.equal(still.unit, 'deg/s')
  t.ok(known(still).length === 3 && known(still).every((v) => v < 8), `single_face sits still (head pose spread under 1.1 deg): ${known(still).join(' ')}`)
  const moving = curvesOf(await analyzeFixture('video/sad_to_happy_pexels.mp4')).head_movement!
  const values = known(moving)
  t.ok(values.filter((v) => v >= 20).length >= 2, `sad_to_happy: seconds of large movement (sobbing, laughing): ${moving.points.map((p) => p.v ?? '-').join(' ')}`)
  const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length
  t.ok(mean(values) > 2 * mean(known(still)), `moves more than the still speaker on average (${mean(values).toFixed(1)} vs ${mean(known(still)).toFixed(1)})`)

  // A head turning at a steady 12 deg/s (yaw) and nodding back and forth: the turn reads 12, a
  // missing face reads null, and landmark jitter (+-1.5 deg alternating every frame) is averaged out.
  const frames: FaceFrame[] = []
  for (let t = 0; t < 6000; t += 1000 / 30) {
    const jitter = (Math.round(t * 30 / 1000) % 2 ? 1.5 : -1.5)
    const face = t >= 4000 && t < 5000 ? null : { yaw: 12 * t / 1000 + jitter, pitch: jitter, roll: 0 }
    frames.push({ t, otherFaces: 0, face: face && { box: [0.4, 0.3, 0.2, 0.3], pose: face, gaze: { yaw: 0, pitch: -6 }, eyeOpening: [0.3, 0.3], blink: 0.1, blendshapes: {} as never } })
  }
  const synthetic = faceCurves(frames, { durationS: 6 }).find((c) => c.name === 'head_movement')!
  t.same(synthetic.points.map((p) => p.v === null ? null : Math.round(p.v)), [12, 12, 12, 12, null, 12], 'a steady 12 deg/s turn; nothing while the face is gone')
  t.equal(HEAD_MOVEMENT_MAX_DEG, synthetic.max)
})

t.test('speaking_rate: JFK and a GRID clip read conversational rates while speaking, and agree with the recording\'s own rate', async (t) => {
  const jfk = await analyzeVoice(path.join(fixtures, 'audio/jfk.wav'), tools)
  const [loudness, rate] = voiceCurves(jfk.frames)
  t.equal(loudness!.name, 'loudness')
  t.equal(rate!.name, 'speaking_rate')
  t.equal(rate!.points.length, jfk.frames.length, 'one point per second of audio')
  jfk.frames.forEach((f, i) => {
    const v = rate!.points[i]!.v
    if (f.speech < SPEAKING_RATE_MIN_SPEECH) t.equal(v, null, `${f.t} ms: ${f.speech} speech, no rate`)
    else t.ok(v !== null && v >= 2 && v <= 7, `${f.t} ms: ${v} syll/s while speaking (${f.syllables} syllables, ${f.speech} speech)`)
  })
  // Weighted by each second's speech, the curve averages to the whole recording's articulation rate.
  const speaking = jfk.frames.map((f, i) => ({ w: f.speech, v: rate!.points[i]!.v })).filter((p) => p.v !== null)
  const weighted = speaking.reduce((s, p) => s + p.w * p.v!, 0) / speaking.reduce((s, p) => s + p.w, 0)
  const overall = jfk.metrics!.syllablesPerMinuteSpeaking / 60
  t.ok(Math.abs(weighted - overall) / overall < 0.2, `curve ${weighted.toFixed(2)} syll/s vs the recording's ${overall.toFixed(2)}`)
  t.comment(`jfk speaking_rate ${rate!.points.map((p) => p.v ?? '-').join(' ')}`)

  const grid = curvesOf(await analyzeFixture('video/grid/bbaf2n.mpg')).speaking_rate!
  t.ok(known(grid).length >= 1 && known(grid).every((v) => v >= 3 && v <= 7), `bbaf2n (6 syllables in about 1.1 s of speech): ${grid.points.map((p) => p.v ?? '-').join(' ')}`)

  // Exact on made-up seconds: the window's syllables over its speech time; a gap in the seconds is not a neighbour.
  const frames: VoiceFrame[] = [
    { t: 0, speech: 1, loudnessDb: -20, pitchHz: 120, syllables: 4 },
    { t: 1000, speech: 0.5, loudnessDb: -20, pitchHz: 120, syllables: 3 },
    { t: 2000, speech: 0.1, loudnessDb: -30, pitchHz: null, syllables: 0 },
    { t: 5000, speech: 1, loudnessDb: -20, pitchHz: 120, syllables: 5 }
  ]
  t.same(speakingRate(frames), [
    { t: 0, v: Math.round(7 / 1.5 * 100) / 100 },
    { t: 1000, v: Math.round(7 / 1.6 * 100) / 100 },
    { t: 2000, v: null },
    { t: 5000, v: 5 }
  ])
})

t.test('posture: upright and square on single_face; a synthetic slouch and side lean take off what the score takes off', async (t) => {
  const real = curvesOf(await analyzeFixture('video/single_face.mp4')).posture!
  t.same(real.points.map((p) => p.v), [100, 100, 100], 'head and shoulders, level and facing the camera')
  t.equal(real.unit, '/100')

  // 10 fps: 0-3 s upright, 3-6 s slouched (head bent 35 deg), 6-8 s leaning sideways 15 deg (the
  // whole upper body, so the shoulder line tilts too: -20 - 20), 8-9 s no body.
  const frames = sequence(9000, (ms) => (ms < 3000 ? {} : ms < 6000 ? { bend: 35 } : ms < 8000 ? { sideLean: 15 } : null))
  const curves = poseCurves(frames, { durationS: 9, frameAspect: ASPECT })
  const posture = curves.find((c) => c.name === 'posture')!
  t.same(posture.points.map((p) => p.v), [100, 100, 100, 40, 40, 40, 60, 60, null])
})

t.test('CurveCache: one computation per analysis at a time, failures forgotten, oldest out first', async (t) => {
  const cache = new CurveCache(2)
  let runs = 0
  const compute = (fail = false) => async () => {
    runs++
    if (fail) throw new Error('MongoDB down')
    return [] as TimelineCurve[]
  }
  await Promise.all([cache.get('a:1', compute()), cache.get('a:1', compute())])
  t.equal(runs, 1, 'two requests at once: computed once')
  await t.rejects(cache.get('b:1', compute(true)), /MongoDB down/)
  await cache.get('b:1', compute())
  t.equal(runs, 3, 'a failure is not kept: asked again, computed again')
  await cache.get('c:1', compute())
  await cache.get('a:1', compute())
  t.equal(runs, 5, 'past 2 entries the oldest (a) went')
  t.equal(cache.size, 2)
})
