import t from 'tap'
import fc from 'fast-check'
import { summarizePose, type PoseMetrics } from '../../src/signals/pose/metrics/index.js'
import { poseEvents } from '../../src/signals/pose/events.js'
import { bodyLanguageBreakdown, bodyLanguageScore, poseCategories } from '../../src/signals/pose/score.js'
import { swings } from '../../src/signals/pose/metrics/hands.js'
import type { PoseFrame } from '../../src/signals/pose/types.js'
import {
  ASPECT, FRAME_MS, HIDDEN_HANDS, at, handAtMouth, jiggle, poseFrame, sequence, wave, type PoseSpec, type Vec
} from './skeleton.js'

const summarize = (frames: PoseFrame[], speaking: Array<{ startMs: number, endMs: number }> | null = null, durationS?: number) =>
  summarizePose(frames, { durationS: durationS ?? (frames.length ? (frames[frames.length - 1]!.t + FRAME_MS) / 1000 : 0), frameAspect: ASPECT, speaking })

const kinds = (m: PoseMetrics) => poseEvents(m).map((e) => e.kind)

/** Strokes of one hand: every `period` ms it moves for `moveMs`, then holds; open strokes go out sideways. */
function strokes (t: number, side: 'left' | 'right', open: boolean, period = 3000, moveMs = 400): Vec {
  const s = side === 'left' ? 1 : -1
  const k = Math.floor(t / period)
  const progress = Math.min(1, (t % period) / moveMs)
  const f = k % 2 === 0 ? progress : 1 - progress
  return open ? at(s * (0.1 + 0.3 * f), -0.3, -0.3) : at(s * 0.08, -0.2 - 0.2 * f, -0.3)
}

t.test('an upright, still person in full view', async (t) => {
  const m = summarize(sequence(10_000, () => ({})))
  t.equal(m.visibility, 'full')
  t.equal(m.bodyVisible, true)
  t.equal(m.bodyVisibleRatio, 1)
  t.ok(Math.abs(m.torsoLength! - 0.35) < 1e-6, 'torso 0.5 m at 0.7 frame heights per metre')
  t.equal(m.posture.shoulderTiltDeg, 0)
  t.equal(m.posture.slouchRatio, 0)
  t.equal(m.posture.facingRatio, 1)
  t.ok(Math.abs(m.posture.headForwardDeg!) < 0.01)
  t.equal(m.movement.pacing, false)
  t.ok(m.movement.swayTorsos! < 1e-6)
  t.equal(m.hands.visibleRatio, 1)
  t.equal(m.hands.gestures.length, 0)
  t.equal(m.hands.gesturesPerMinute, 0)
  t.equal(m.hands.fidgetRatio, 0)
  t.same(m.hands.faceTouches, [])
  t.same(poseEvents(m), [])
  const parts = bodyLanguageBreakdown(m)!
  t.equal(parts.posture, 100)
  t.equal(parts.composure, 100)
  t.equal(parts.gestures, 40, 'still hands in view: no gesture at all')
  t.same(poseCategories(m), [{ key: 'body_language', score: parts.score, weight: 0.15 }])
})

t.test('framing: knees hidden is upper body; hips below the frame is head and shoulders', async (t) => {
  const desk = summarize(sequence(5000, () => ({ knees: 0.1 })))
  t.equal(desk.visibility, 'upper_body')
  t.equal(desk.bodyVisible, true)

  const head = summarize(sequence(10_000, () => ({ framing: 'head' })))
  t.equal(head.visibility, 'head_and_shoulders')
  t.equal(head.bodyVisible, false)
  t.equal(head.bodyVisibleRatio, 0)
  t.equal(head.hipsVisibleRatio, 0, 'the model places hips below the frame; they are not seen')
  t.equal(head.torsoFromHips, false)
  for (const key of ['slouchBendDeg', 'slouchRatio', 'sideLeanDeg', 'sideLeanRatio', 'forwardLeanDeg'] as const) {
    t.equal(head.posture[key], null, `${key} needs the hips`)
  }
  t.equal(head.posture.shoulderTiltDeg, 0, 'the shoulders are seen: their tilt is measured')
  t.equal(head.hands.visibleRatio, 0)
  t.equal(head.hands.gesturesPerMinute, null)
  t.equal(bodyLanguageScore(head), null)
  t.same(poseCategories(head), [])
  t.notOk(kinds(head).includes('hands_out_of_view'), 'hands are out of a head-and-shoulders framing by design')

  // Half the time in full view is enough, less is not.
  const half = summarize(sequence(10_000, (ms) => ({ framing: ms < 5000 ? 'upper' : 'head' })))
  t.equal(half.visibility, 'full')
  const less = summarize(sequence(10_000, (ms) => ({ framing: ms < 4000 ? 'upper' : 'head' })))
  t.equal(less.visibility, 'head_and_shoulders')
  t.equal(less.bodyVisibleRatio, 0.4)
})

t.test('no body: empty, all-null and low-presence frames', async (t) => {
  for (const [name, frames] of [
    ['empty', []],
    ['null', sequence(5000, () => null)],
    ['low presence', sequence(5000, () => ({ presence: 0.2 }))],
    ['nothing seen', sequence(5000, () => ({ visibility: 0.1, knees: 0.1 }))]
  ] as Array<[string, PoseFrame[]]>) {
    const m = summarize(frames, null, 5)
    t.equal(m.visibility, 'not_visible', name)
    t.equal(m.bodyVisible, false, name)
    t.equal(m.torsoLength, null, name)
    t.equal(m.posture.shoulderTiltDeg, null, name)
    t.equal(m.posture.slouchRatio, null, name)
    t.equal(m.movement.swayTorsos, null, name)
    t.equal(m.hands.gesturesPerMinute, null, name)
    t.equal(m.hands.fidgetRatio, null, name)
    t.same(poseEvents(m), [], name)
    t.equal(bodyLanguageScore(m), null, name)
  }
})

t.test('posture: slouching for 4 s is one slouch event, 2 s is none, leaning in is not slouching', async (t) => {
  const m = summarize(sequence(12_000, (ms) => ({ bend: ms >= 3000 && ms < 7000 ? 35 : 0 })))
  t.equal(m.posture.slouches.length, 1)
  t.match(m.posture.slouches[0], { startMs: 3000, endMs: 7000 })
  t.ok(Math.abs(m.posture.slouches[0]!.meanBendDeg - 35) < 0.01)
  t.ok(Math.abs(m.posture.slouchRatio! - 4 / 12) < 1e-9)
  const events = poseEvents(m)
  t.same(events.map((e) => [e.kind, e.startMs, e.endMs]), [['slouch', 3000, 7000]])
  t.equal(events[0]!.value, 35)
  const deepening = summarize(sequence(12_000, (ms) => ({ bend: ms >= 3000 && ms < 7000 ? (ms === 5000 ? 45 : 30) : 0 })))
  t.equal(poseEvents(deepening)[0]!.keyMs, 5000, 'the key frame is the deepest slouch')

  const short = summarize(sequence(12_000, (ms) => ({ bend: ms >= 3000 && ms < 5000 ? 35 : 0 })))
  t.equal(short.posture.slouches.length, 0, '2 s is under the 3 s of a slouch')
  t.ok(short.posture.slouchRatio! > 0, 'but the slouched share counts it')

  const mild = summarize(sequence(6000, () => ({ bend: 15 })))
  t.equal(mild.posture.slouchRatio, 0, '15 degrees is under the 20-degree threshold')

  const leaning = summarize(sequence(6000, () => ({ lean: 20 })))
  t.ok(Math.abs(leaning.posture.forwardLeanDeg! - 20) < 0.01)
  t.ok(Math.abs(leaning.posture.slouchBendDeg!) < 0.01, 'a straight back leaning in is not bent')
  t.equal(leaning.posture.slouchRatio, 0)

  const slumped = summarize(sequence(6000, () => ({ bend: 35 })))
  t.ok(bodyLanguageBreakdown(slumped)!.posture < bodyLanguageBreakdown(leaning)!.posture)
})

t.test('posture: shoulder tilt, side lean and turning away', async (t) => {
  const tilted = summarize(sequence(5000, () => ({ tilt: 10 })))
  t.ok(Math.abs(tilted.posture.shoulderTiltDeg! - 10 * 0.7 / 0.7) < 0.5, `tilt ${tilted.posture.shoulderTiltDeg}`)
  t.equal(tilted.posture.tiltedRatio, 1)
  const level = summarize(sequence(5000, () => ({ tilt: 3 })))
  t.equal(level.posture.tiltedRatio, 0)

  const side = summarize(sequence(5000, () => ({ sideLean: 12 })))
  t.ok(Math.abs(side.posture.sideLeanDeg! - 12) < 0.5, `side lean ${side.posture.sideLeanDeg}`)
  t.equal(side.posture.sideLeanRatio, 1)

  const turned = summarize(sequence(5000, () => ({ yaw: 40 })))
  t.ok(Math.abs(turned.posture.facingYawDeg! - 40) < 0.5, `yaw ${turned.posture.facingYawDeg}`)
  t.equal(turned.posture.facingRatio, 0)
  const slightly = summarize(sequence(5000, () => ({ yaw: 15 })))
  t.equal(slightly.posture.facingRatio, 1)
})

t.test('movement: sway and pacing', async (t) => {
  const sway = summarize(sequence(20_000, (ms) => ({ shift: 0.05 * Math.sin(2 * Math.PI * ms / 2000) })))
  // 0.05 m amplitude = 0.1 torsos; a sine's root mean square is amplitude / sqrt(2) = 0.071, and
  // a 3 s moving average of a 2 s rock leaves it a little more (the average swings the other way).
  t.ok(sway.movement.swayTorsos! > 0.07 && sway.movement.swayTorsos! < 0.1, `sway ${sway.movement.swayTorsos}`)
  t.equal(sway.movement.pacing, false, 'rocking in place is not pacing')

  const pacing = summarize(sequence(60_000, (ms) => ({ shift: 0.4 * Math.sin(2 * Math.PI * ms / 20_000) })))
  t.equal(pacing.movement.pacing, true)
  t.ok(pacing.movement.rangeTorsos! > 1)
  t.ok(pacing.movement.swayTorsos! < sway.movement.swayTorsos!, 'a slow walk is travel more than sway')

  const oneShift = summarize(sequence(60_000, (ms) => ({ shift: ms < 30_000 ? 0 : 0.6 })))
  t.equal(oneShift.movement.pacing, false, 'moving once is not pacing')
})

t.test('gestures: strokes above the waist are counted, open or not; hands in the lap are not', async (t) => {
  const open = summarize(sequence(30_000, (ms) => ({ left: strokes(ms, 'left', true) })))
  t.equal(open.hands.gestures.length, 10)
  t.equal(open.hands.gesturesPerMinute, 20)
  t.equal(open.hands.openGestureRatio, 1)
  t.ok(open.hands.gestures.every((g) => g.hand === 'left' && g.amplitude >= 0.2))

  const closed = summarize(sequence(30_000, (ms) => ({ right: strokes(ms, 'right', false) })))
  t.equal(closed.hands.gestures.length, 10)
  t.equal(closed.hands.openGestureRatio, 0)

  const both = summarize(sequence(30_000, (ms) => ({ left: strokes(ms, 'left', true), right: strokes(ms, 'right', true) })))
  t.equal(both.hands.gestures.length, 10, 'both hands at once is one gesture')
  t.ok(both.hands.gestures.every((g) => g.hand === 'both'))

  const lap = summarize(sequence(30_000, (ms) => {
    const s = strokes(ms, 'left', true)
    return { left: at(s.x, 0.05, -0.25) }
  }))
  t.equal(lap.hands.gestures.length, 0, 'moving below the waist is not a gesture')

  const slow = summarize(sequence(30_000, (ms) => ({ left: strokes(ms, 'left', true, 3000, 2000) })))
  t.equal(slow.hands.gestures.length, 0, '0.3 m over 2 s is under the gesture speed')

  const waving = summarize(sequence(10_000, (ms) => ({ left: wave(ms, 'left', 1) })))
  t.equal(waving.hands.gestures.length, 1, 'a continuous 1 Hz wave is one gesture: its turns do not split it')
  t.ok(waving.hands.gestureActiveRatio! > 0.9)
  t.ok(bodyLanguageBreakdown(open)!.gestures! > bodyLanguageBreakdown(lap)!.gestures!)
})

t.test('fidgeting: small fast repeated motion, not jitter and not gestures', async (t) => {
  const fidget = summarize(sequence(10_000, (ms) => ({ left: jiggle(ms, 'left', 2, 0.03) })))
  t.ok(fidget.hands.fidgetRatio! > 0.8, `fidget share ${fidget.hands.fidgetRatio}`)
  t.equal(fidget.hands.gestures.length, 0)

  const jitter = summarize(sequence(10_000, (ms) => ({ left: jiggle(ms, 'left', 3, 0.008) })))
  t.equal(jitter.hands.fidgetRatio, 0, '1 cm of jitter does not count')

  const waving = summarize(sequence(10_000, (ms) => ({ left: wave(ms, 'left', 1) })))
  t.equal(waving.hands.fidgetRatio, 0, 'a large wave is no fidget')

  const brief = summarize(sequence(10_000, (ms) => ({ left: ms < 700 ? jiggle(ms, 'left', 2, 0.03) : undefined })))
  t.equal(brief.hands.fidgetRatio, 0, 'a single back-and-forth is not repeated motion')

  t.ok(bodyLanguageBreakdown(fidget)!.composure < 100)
  t.same(swings([{ t: 0, v: 0 }, { t: 1, v: 1 }, { t: 2, v: 0 }, { t: 3, v: 1 }], 0.5).map((s) => s.size), [1, 1])
})

t.test('face touch: 0.8 s at the mouth is one, 0.3 s is none; also in a head-and-shoulders framing', async (t) => {
  const touching = (from: number, ms: number, framing: PoseSpec['framing'] = 'upper') =>
    summarize(sequence(10_000, (now) => (now >= from && now < from + ms ? { framing, left: handAtMouth() } : { framing })))
  const long = touching(2000, 800)
  t.equal(long.hands.faceTouches.length, 1)
  t.match(long.hands.faceTouches[0], { startMs: 2000, endMs: 2800, hand: 'left', region: 'mouth' })
  const events = poseEvents(long).filter((e) => e.kind === 'face_touch')
  t.same(events.map((e) => [e.startMs, e.endMs, e.value]), [[2000, 2800, 0.8]])
  t.ok(events[0]!.keyMs! >= 2000 && events[0]!.keyMs! < 2800, `key frame ${events[0]!.keyMs} within the touch`)

  t.equal(touching(2000, 300).hands.faceTouches.length, 0, '0.3 s is a passing hand')
  t.equal(touching(2000, 500).hands.faceTouches.length, 1, '0.5 s is enough')

  const head = touching(4000, 1500, 'head')
  t.equal(head.visibility, 'head_and_shoulders')
  t.equal(head.hands.faceTouches.length, 1, 'measured in any framing')
  t.same(kinds(head), ['face_touch'])

  // The hand near the face but not at it (a gesture at chin height, 0.2 m to the side).
  const near = summarize(sequence(10_000, () => ({ left: at(0.2, -0.6, -0.2) })))
  t.equal(near.hands.faceTouches.length, 0)

  // The face points occluded by the hand (visibility low) still place the face.
  const occluded = summarize(sequence(10_000, (now) => (now >= 2000 && now < 3000
    ? { left: handAtMouth(), hidden: ['nose', 'mouth_left', 'mouth_right', 'left_eye', 'right_eye', 'left_ear', 'right_ear'] }
    : {})))
  t.equal(occluded.hands.faceTouches.length, 1)

  // A hand over the face gets low visibilities from the model (0.1-0.7 on sad_to_happy_pexels.mp4).
  const faint = (handVisibility: number) => summarize(sequence(10_000, (now) => (now >= 2000 && now < 3000 ? { left: handAtMouth(), handVisibility } : {})))
  t.equal(faint(0.3).hands.faceTouches.length, 1, 'a hand point at 0.3 visibility at the face counts')
  t.equal(faint(0.3).hands.visibleRatio, 0.9, 'but the hand is not in view for the other measures')
  t.equal(faint(0.1).hands.faceTouches.length, 0, 'under 0.2 it does not')

  // Hand points parked just under the chin (0.45 face widths below the mouth, 0.48 from its corners).
  const atMouth = handAtMouth()
  const under = summarize(sequence(10_000, () => ({ left: at(atMouth.x + 0.01, atMouth.y + 0.0675, atMouth.z) })))
  t.equal(under.hands.faceTouches.length, 0, 'points more than 0.4 face widths below the mouth do not count')
  const chin = summarize(sequence(10_000, () => ({ left: at(atMouth.x + 0.01, atMouth.y + 0.045, atMouth.z) })))
  t.equal(chin.hands.faceTouches.length, 1, 'a hand at the chin, 0.3 face widths below the mouth, does')

  // The hand off the face (or unseen) for up to 1 s is one touch; longer, two.
  const shifting = summarize(sequence(10_000, (now) => ((now >= 2000 && now < 3000) || (now >= 3900 && now < 4900) ? { left: handAtMouth() } : {})))
  t.same(shifting.hands.faceTouches.map((f) => [f.startMs, f.endMs]), [[2000, 4900]])
  const twice = summarize(sequence(10_000, (now) => ((now >= 2000 && now < 3000) || (now >= 4200 && now < 5200) ? { left: handAtMouth() } : {})))
  t.same(twice.hands.faceTouches.map((f) => [f.startMs, f.endMs]), [[2000, 3000], [4200, 5200]])
  t.ok(bodyLanguageBreakdown(long)!.composure < 100)
})

t.test('arms crossed', async (t) => {
  const crossed = summarize(sequence(10_000, (ms) => (ms < 5000 ? { left: at(-0.12, -0.3, -0.2), right: at(0.12, -0.28, -0.2) } : {})))
  t.equal(crossed.hands.armsCrossed.length, 1)
  t.match(crossed.hands.armsCrossed[0], { startMs: 0, endMs: 5000 })
  t.equal(crossed.hands.armsCrossedRatio, 0.5)
  const clasped = summarize(sequence(10_000, () => ({ left: at(0.01, -0.2, -0.2), right: at(-0.01, -0.2, -0.2) })))
  t.equal(clasped.hands.armsCrossedRatio, 0, 'hands together at the midline are not crossed arms')
})

t.test('hands out of view and no gesture while speaking', async (t) => {
  const hidden = summarize(sequence(20_000, (ms) => (ms >= 5000 && ms < 12_000 ? { hidden: HIDDEN_HANDS } : {})))
  t.same(hidden.hands.outOfView, [{ startMs: 5000, endMs: 12_000 }])
  t.same(poseEvents(hidden).filter((e) => e.kind === 'hands_out_of_view').map((e) => [e.startMs, e.endMs, e.value, e.keyMs]), [[5000, 12_000, 7, 8500]], 'key frame: the middle')
  const brief = summarize(sequence(20_000, (ms) => (ms >= 5000 && ms < 9000 ? { hidden: HIDDEN_HANDS } : {})))
  t.same(brief.hands.outOfView, [], '4 s is under the 5 s minimum')

  const still = sequence(70_000, () => ({}))
  const noAudio = summarize(still, null)
  t.equal(noAudio.hands.noGesture.length, 1, 'without audio all the time counts as speaking')
  t.match(noAudio.hands.noGesture[0], { startMs: 0, endMs: 70_000, speakingS: 70 })
  t.same(summarize(still, []).hands.noGesture, [], 'no speech: no stretch without gestures while speaking')
  t.same(summarize(still, [{ startMs: 0, endMs: 20_000 }, { startMs: 40_000, endMs: 45_000 }]).hands.noGesture, [], '25 s of speech')
  const speech = summarize(still, [{ startMs: 10_000, endMs: 30_000 }, { startMs: 40_000, endMs: 55_000 }])
  t.same(speech.hands.noGesture.map((g) => [g.startMs, g.endMs, g.speakingS]), [[10_000, 55_000, 35]])
  t.same(poseEvents(speech).filter((e) => e.kind === 'no_gesture').map((e) => [e.value, e.keyMs]), [[35, 32_500]], 'key frame: the middle')

  // A gesture every 20 s breaks the stretches.
  const gesturing = summarize(sequence(70_000, (ms) => ({ left: strokes(ms, 'left', true, 20_000) })), null)
  t.equal(gesturing.hands.gestures.length, 4)
  t.same(gesturing.hands.noGesture, [])
})

t.test('frames out of order, duplicated or far apart do not break the metrics', async (t) => {
  const frames = sequence(10_000, (ms) => ({ bend: ms >= 2000 && ms < 7000 ? 35 : 0 }))
  const shuffled = [...frames].reverse()
  t.same(summarize(shuffled, null, 10).posture.slouches, summarize(frames, null, 10).posture.slouches)
  const sparse = frames.filter((_f, i) => i % 10 === 0)
  const m = summarize(sparse, null, 10)
  t.equal(m.frameMs, 1000)
  t.ok(Number.isFinite(m.posture.slouchRatio!))
})

/** Every number in a value, with its path. */
function numbers (value: unknown, path = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]]
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`))
  return []
}

const vec = fc.record({ x: fc.double({ min: -0.6, max: 0.6, noNaN: true }), y: fc.double({ min: -1.2, max: 0.6, noNaN: true }), z: fc.double({ min: -0.6, max: 0.3, noNaN: true }) })
const spec: fc.Arbitrary<PoseSpec | null> = fc.option(fc.record({
  framing: fc.constantFrom('upper' as const, 'head' as const),
  bend: fc.double({ min: -30, max: 60, noNaN: true }),
  lean: fc.double({ min: -30, max: 40, noNaN: true }),
  sideLean: fc.double({ min: -20, max: 20, noNaN: true }),
  tilt: fc.double({ min: -20, max: 20, noNaN: true }),
  yaw: fc.double({ min: -120, max: 120, noNaN: true }),
  shift: fc.double({ min: -0.8, max: 0.8, noNaN: true }),
  left: vec,
  right: vec,
  knees: fc.double({ min: 0, max: 1, noNaN: true }),
  visibility: fc.double({ min: 0, max: 1, noNaN: true }),
  presence: fc.double({ min: 0, max: 1, noNaN: true })
}, { requiredKeys: [] }), { freq: 6 })

t.test('properties: finite metrics, score in 0..100, events sorted within the video', async (t) => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), spec), { maxLength: 150 }),
    fc.double({ min: 0.5, max: 2.5, noNaN: true }),
    fc.option(fc.array(fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 20_000 })), { maxLength: 5 })),
    (steps, aspect, speech) => {
      let now = 0
      const frames = steps.map(([gap, s]) => {
        now += gap
        return s === null ? { t: now, pose: null } : poseFrame(now, s)
      })
      const durationS = (now + 100) / 1000
      const speaking = speech && speech.map(([start, length]) => ({ startMs: start, endMs: start + length }))
      const m = summarizePose(frames, { durationS, frameAspect: aspect, speaking })
      for (const [path, value] of numbers(m)) if (!Number.isFinite(value)) throw new Error(`${path} is ${value}`)
      for (const key of ['bodyVisibleRatio', 'shouldersVisibleRatio', 'hipsVisibleRatio', 'bodyFoundRatio'] as const) {
        if (m[key] < 0 || m[key] > 1) throw new Error(`${key} ${m[key]}`)
      }
      for (const ratio of [m.hands.visibleRatio, m.hands.fidgetRatio, m.hands.armsCrossedRatio, m.hands.gestureActiveRatio, m.posture.slouchRatio]) {
        if (ratio !== null && (ratio < 0 || ratio > 1)) throw new Error(`ratio ${ratio}`)
      }
      const score = bodyLanguageScore(m)
      if (score !== null && (score < 0 || score > 100)) throw new Error(`score ${score}`)
      if ((score === null) !== !m.bodyVisible) throw new Error('a score exactly when the body is visible')
      const events = poseEvents(m)
      const durationMs = Math.round(durationS * 1000)
      events.forEach((e, i) => {
        if (e.startMs < 0 || e.endMs < e.startMs || e.endMs > durationMs) throw new Error(`event out of the video: ${JSON.stringify(e)}`)
        if (i > 0 && events[i - 1]!.startMs > e.startMs) throw new Error('events out of order')
        if (e.value !== null && !Number.isFinite(e.value)) throw new Error('event value')
        if (e.keyMs === undefined || !Number.isInteger(e.keyMs) || e.keyMs < e.startMs || e.keyMs > e.endMs) throw new Error(`key frame outside its event: ${JSON.stringify(e)}`)
      })
    }
  ), { numRuns: 200 })
  t.pass('held')
})

t.test('a body in view for a moment is not judged: no posture, no score (nothing made up from 1 s)', async (t) => {
  const m = summarize(sequence(1000, () => ({})))
  t.equal(m.visibility, 'full', 'the framing shows a full body')
  t.equal(m.bodyVisible, false, 'but 1 s is too short to judge it')
  t.equal(bodyLanguageScore(m), null)
  t.same(poseCategories(m), [])
  const long = summarize(sequence(2500, () => ({})))
  t.equal(long.bodyVisible, true, '2.5 s is enough')
})
