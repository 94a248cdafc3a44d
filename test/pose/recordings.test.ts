/**
 * Body language on real recordings, through the whole engine (face stage, then pose following
 * the speaker, then the pose metrics): the checks the issue names. None of the fixtures shows a
 * speaker's hips, so posture below the shoulders and gestures are checked on synthetic
 * skeletons (metrics.test.ts); here: face touching, framing verdicts, events and storage.
 */
import t from 'tap'
import { signalOf } from '../../src/engine/analyze.js'
import { pose } from '../../src/signals/pose/index.js'
import { encodePoseFrame, decodePoseFrame } from '../../src/signals/pose/codec.js'
import { analysisOutcome } from '../../src/signals/outcome.js'
import { analyzeFixture } from '../helpers/engine.js'

t.test('sad_to_happy_pexels.mp4: the hand over the face is a face touch; no body below the face', async (t) => {
  const result = await analyzeFixture('video/sad_to_happy_pexels.mp4')
  const { metrics, frames } = signalOf(result, pose)
  t.ok(frames!.length >= 190 && frames!.length <= 200, `pose at 10 per second over 19.7 s: ${frames!.length} frames`)
  // The woman holds her hand at her mouth and cheek from about 2.6 s to 9.4 s (watched frame by frame).
  const touches = metrics.hands.faceTouches
  t.equal(touches.length, 1, `one face touch found (${JSON.stringify(touches)})`)
  const covered = touches.reduce((s, f) => s + Math.max(0, Math.min(f.endMs, 9400) - Math.max(f.startMs, 2600)), 0)
  t.ok(covered >= 6000, `at least 6 of the 6.8 s with the hand on the face are the touch (${covered} ms)`)
  t.ok(touches.every((f) => f.startMs >= 2000 && f.endMs <= 10_500), 'and no touch outside that stretch')
  t.equal(metrics.visibility, 'not_visible', 'a face close-up: the body is not visible')
  t.equal(metrics.bodyVisible, false)
  const outcome = analysisOutcome(result.signals)
  t.notOk('body_language' in outcome.scores.categories, 'no body-language score is invented')
  t.ok(outcome.events.some((e) => e.kind === 'face_touch'), 'the touch is on the timeline')
  t.notOk(outcome.events.some((e) => ['slouch', 'no_gesture', 'hands_out_of_view'].includes(e.kind)), 'no posture or gesture events without a body')

  // Stored and read back as MongoDB holds it: within the 16-bit quantisation.
  const sample = frames!.find((f) => f.pose)!
  const back = decodePoseFrame(encodePoseFrame(sample))
  t.ok(frames!.filter((f) => f.pose).every((f) => decodePoseFrame(encodePoseFrame(f)).pose!.landmarks.every((v, i) => Math.abs(v - f.pose!.landmarks[i]!) <= 1.3e-4)), 'landmarks of every frame round-trip to 1/4000 of the frame')
  t.ok(back.pose!.world.every((v, i) => Math.abs(v - sample.pose!.world[i]!) <= 6e-5), 'world landmarks round-trip to 0.1 mm')
})

t.test('single_face.mp4: head and shoulders, no face touch', async (t) => {
  const { metrics } = signalOf(await analyzeFixture('video/single_face.mp4'), pose)
  t.equal(metrics.visibility, 'head_and_shoulders')
  t.same(metrics.hands.faceTouches, [], 'no face touch')
  t.equal(metrics.posture.slouchRatio, null, 'no slouch reading without hips')
  t.ok(metrics.posture.shoulderTiltDeg !== null && metrics.posture.shoulderTiltDeg < 6, `shoulders level (${metrics.posture.shoulderTiltDeg?.toFixed(1)} deg)`)
})

t.test('GRID clips: the body is reported not visible, nothing invented', async (t) => {
  for (const clip of ['bbaf2n', 'brbk7n', 'lbax4n', 'lbbc2a']) {
    const result = await analyzeFixture(`video/grid/${clip}.mpg`)
    const { metrics } = signalOf(result, pose)
    t.equal(metrics.visibility, 'not_visible', `${clip}: not visible`)
    t.same(pose.events(metrics), [], `${clip}: no body events`)
    t.same(pose.categories(metrics), [], `${clip}: no body-language score`)
  }
})
