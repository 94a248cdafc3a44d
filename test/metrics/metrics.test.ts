import t from 'tap'
import {
  detectBlinks, summarizeAttention, summarizePresence, summarizeHead, summarizeEmotion, computeFaceMetrics,
  EMOTIONS, type FaceFrame, type FaceSignals
} from '../../src/signals/face/metrics/index.js'

import { face, FRAME_MS } from '../helpers/face-signals.js'

/** 25 fps frames built from per-frame descriptions. */
function series (specs: Array<Partial<FaceSignals> | null>, extra: (i: number) => Partial<FaceFrame> = () => ({})): FaceFrame[] {
  return specs.map((spec, i) => ({ t: i * FRAME_MS, face: spec === null ? null : face(spec), otherFaces: 0, ...extra(i) }))
}

const open = (n: number) => Array.from({ length: n }, () => ({}))
const closed = (n: number, blink = 0.7) => Array.from({ length: n }, () => ({ blink }))

t.test('blinks: hysteresis, resting baseline, long closures, missing face', async (t) => {
  const frames = series([...open(20), ...closed(3), { blink: 0.35 }, ...closed(2), ...open(20), ...closed(40), ...open(20)])
  const summary = detectBlinks(frames)
  t.equal(summary.count, 1, 'a dip to 0.35 inside a blink does not split it (exit is 0.3)')
  t.match(summary.events[0], { startMs: 20 * FRAME_MS, endMs: 26 * FRAME_MS, durationMs: 6 * FRAME_MS, peak: 0.7 })
  t.equal(summary.longClosures, 1, '1.6 s with the eyes closed is not a blink')
  const visibleMinutes = frames.length * FRAME_MS / 60_000
  t.equal(summary.ratePerMinute, 1 / visibleMinutes)

  const squinting = series([...closed(30, 0.3), ...closed(3, 0.5), ...closed(30, 0.3), ...closed(3, 0.75), ...closed(30, 0.3)])
  const raised = detectBlinks(squinting)
  t.equal(raised.thresholds.enter, 0.55, 'threshold sits 0.25 above a resting closure of 0.3')
  t.equal(raised.count, 1, 'a heavy-lidded person is not blinking all the time')

  const interrupted = detectBlinks(series([...open(10), ...closed(2), null, ...closed(2), ...open(10)]))
  t.equal(interrupted.count, 2, 'a missing face ends a blink')
})

t.test('eye contact, look-aways and gaze stability', async (t) => {
  const looking = Array.from({ length: 50 }, () => ({ gaze: { yaw: 3, pitch: -4 } }))
  const away = Array.from({ length: 30 }, () => ({ gaze: { yaw: 30, pitch: -5 } }))
  const frames = series([...looking, ...away, ...closed(5), ...looking])
  const summary = summarizeAttention(frames)
  t.equal(summary.eyeContactRatio, 100 / 130, 'blinks count neither way')
  t.equal(summary.lookAways.length, 1)
  t.match(summary.lookAways[0], { startMs: 50 * FRAME_MS, endMs: 80 * FRAME_MS, meanYaw: 30 })
  // yaw: 100 frames at 3 and 30 at 30 degrees (sample sd 11.42); pitch sd 0.42
  t.ok(Math.abs(summary.gazeSpreadDeg - 11.43) < 0.01, `spread ${summary.gazeSpreadDeg}`)
  t.ok(Math.abs(summary.gazeStability - (1 - summary.gazeSpreadDeg / 30)) < 1e-12, 'a 27-degree glance lowers stability to 0.62')
  const steady = summarizeAttention(series(looking))
  t.equal(steady.gazeStability, 1)
  t.equal(steady.eyeContactRatio, 1)
  const brief = summarizeAttention(series([...looking, ...away.slice(0, 10), ...looking]))
  t.equal(brief.lookAways.length, 0, 'glances under a second are not look-aways')
  t.equal(summarizeAttention(series([null, null])).eyeContactRatio, 0, 'no face, no contact')
})

t.test('presence and other faces', async (t) => {
  const frames = series([...open(10), null, null, ...open(5), ...Array.from({ length: 20 }, () => null), ...open(5)], (i) => ({ otherFaces: i < 10 ? 1 : 0 }))
  const p = summarizePresence(frames)
  t.equal(p.faceMissingRatio, 22 / 42)
  t.equal(p.multipleFacesRatio, 10 / 42)
  t.same(p.missing, [{ startMs: 17 * FRAME_MS, endMs: 37 * FRAME_MS }], 'only gaps of 0.5 s or more are listed')
})

t.test('head movement', async (t) => {
  const turning = Array.from({ length: 26 }, (_, i) => ({ pose: { yaw: i * 2, pitch: 0, roll: 0 } }))
  const h = summarizeHead(series(turning))
  t.ok(Math.abs(h.meanSpeedDegPerSecond - 50) < 1e-9, '2 degrees per 40 ms frame is 50 deg/s')
  t.ok(h.largeMovementsPerMinute > 0)
  t.equal(summarizeHead(series(open(30))).meanSpeedDegPerSecond, 0)
})

t.test('emotion: smoothing, distribution, timeline', async (t) => {
  const sad = EMOTIONS.map((e) => (e === 'sadness' ? 1 : 0))
  const happy = EMOTIONS.map((e) => (e === 'happiness' ? 1 : 0))
  const frames = series(open(250), (i) => (i % 5 === 0 ? { emotion: i < 125 ? sad : happy } : {}))
  const summary = summarizeEmotion(frames)
  t.equal(summary.samples, 50)
  t.equal(summary.timeline.length, 2)
  t.equal(summary.timeline[0]!.dominant, 'sadness')
  t.equal(summary.timeline[1]!.dominant, 'happiness')
  t.ok(summary.timeline[1]!.probabilities.sadness > 0, 'smoothing carries some sadness into the switch')
  t.ok(Math.abs(Object.values(summary.distribution).reduce((a, b) => a + b, 0) - 1) < 1e-9, 'a distribution')
  t.equal(summarizeEmotion(series(open(10))).dominant, null)
})

t.test('all metrics together', async (t) => {
  const m = computeFaceMetrics(series([...open(50), ...closed(3), ...open(50)]))
  t.equal(m.frames, 103)
  t.equal(m.durationS, 103 * FRAME_MS / 1000)
  t.equal(m.blinks.count, 1)
  t.match(m.version, /^\d+\.\d+$/)
})
