import t from 'tap'
import {
  blinkBursts, computeFaceMetrics, emotionShifts, multipleFaceStretches, smoothEmotions, timelineEvents,
  EMOTIONS, type BlinkEvent, type FaceFrame, type FaceSignals
} from '../../src/signals/face/metrics/index.js'
import { voiceEvents } from '../../src/signals/voice/events.js'
import type { VoiceSummary } from '../../src/signals/voice/summary.js'

import { face, FRAME_MS } from '../helpers/face-signals.js'

/** 25 fps frames, each described by a function of its time. */
function frames (ms: number, at: (t: number) => Partial<FaceFrame> & { spec?: Partial<FaceSignals> | null }): FaceFrame[] {
  return Array.from({ length: Math.round(ms / FRAME_MS) }, (_, i) => {
    const t = i * FRAME_MS
    const { spec, ...rest } = at(t)
    return { t, face: spec === null ? null : face(spec), otherFaces: 0, ...rest }
  })
}

const blink = (startMs: number): BlinkEvent => ({ startMs, endMs: startMs + 160, durationMs: 160, peak: 0.8, peakIndex: 0, peakMs: startMs + 80 })
const oneHot = (emotion: typeof EMOTIONS[number]) => EMOTIONS.map((e) => (e === emotion ? 1 : 0))

t.test('blink bursts: 4 blinks starting within 5 s, overlapping windows joined', async (t) => {
  t.same(blinkBursts([0, 1500, 3000, 4500].map(blink)).map((b) => b.length), [4], 'four within 4.5 s')
  t.same(blinkBursts([0, 1500, 3000].map(blink)), [], 'three are not a burst')
  t.same(blinkBursts([0, 2000, 4000, 6000].map(blink)), [], 'four over 6 s: 40 a minute spread out is not a burst')
  t.same(blinkBursts([0, 1000, 2000, 3000, 4000, 5000, 6000].map(blink)).map((b) => b.length), [7], 'a long run is one burst')
  t.same(blinkBursts([0, 1000, 2000, 3000, 20_000, 21_000, 22_000, 23_000].map(blink)).map((b) => b[0]!.startMs), [0, 20_000], 'two separate bursts')

  // Through the metrics: rapid blinking on real-looking frames, then calm.
  const rapid = new Set([500, 1500, 2500, 3500, 4500])
  const series = frames(12_000, (t) => ({ spec: [...rapid].some((s) => t >= s && t < s + 160) ? { blink: 0.8 } : {} }))
  const events = timelineEvents(computeFaceMetrics(series))
  t.equal(events.filter((e) => e.kind === 'blink').length, 5)
  const bursts = events.filter((e) => e.kind === 'blink_burst')
  t.equal(bursts.length, 1)
  t.match(bursts[0], { startMs: 520, value: 5, data: { blinks: 5 } })
  t.ok(bursts[0]!.keyMs! >= 2500 && bursts[0]!.keyMs! < 2660, `key frame ${bursts[0]!.keyMs} at the middle blink's peak`)
  t.equal(events.find((e) => e.kind === 'blink')!.keyMs, undefined, 'a single blink gets no picture')
})

t.test('look-away key frame: the frame looking farthest from the camera', async (t) => {
  const series = frames(4000, (t) => ({ spec: t >= 1000 && t < 2600 ? { gaze: { yaw: t === 2000 ? 40 : 25, pitch: -6 } } : {} }))
  const [away] = timelineEvents(computeFaceMetrics(series)).filter((e) => e.kind === 'look_away')
  t.match(away, { startMs: 1000, endMs: 2600, keyMs: 2000 })
})

t.test('face missing key frame: 1 s in, or the middle of a shorter gap', async (t) => {
  const long = frames(10_000, (t) => ({ spec: t >= 2000 && t < 8000 ? null : {} }))
  t.match(timelineEvents(computeFaceMetrics(long)).find((e) => e.kind === 'face_missing'), { startMs: 2000, endMs: 8000, keyMs: 3000 })
  const short = frames(4000, (t) => ({ spec: t >= 1000 && t < 1600 ? null : {} }))
  t.match(timelineEvents(computeFaceMetrics(short)).find((e) => e.kind === 'face_missing'), { startMs: 1000, endMs: 1600, keyMs: 1300 })
})

t.test('multiple faces: another face for 1 s or more, key frame at the most faces', async (t) => {
  const brief = frames(5000, (t) => ({ otherFaces: t >= 1000 && t < 1800 ? 1 : 0 }))
  t.same(multipleFaceStretches(brief), [], '0.8 s is someone passing by')
  const visitor = frames(5000, (t) => ({ otherFaces: t >= 1000 && t < 3000 ? (t >= 2000 && t < 2200 ? 2 : 1) : 0 }))
  t.same(multipleFaceStretches(visitor), [{ startMs: 1000, endMs: 3000, maxFaces: 3, peakMs: 2000 }])
  const [event] = timelineEvents(computeFaceMetrics(visitor)).filter((e) => e.kind === 'multiple_faces')
  t.same(event, { kind: 'multiple_faces', startMs: 1000, endMs: 3000, value: 3, keyMs: 2000 })
  const tillEnd = frames(3000, (t) => ({ otherFaces: t >= 1000 ? 1 : 0 }))
  t.same(multipleFaceStretches(tillEnd).map((s) => [s.startMs, s.endMs]), [[1000, 3000]], 'open at the end of the video')
})

t.test('emotion shifts: a held emotion, then another one clearly; flickers are not shifts', async (t) => {
  // Emotion every 200 ms (5 per second, as the engine computes it).
  const withEmotion = (ms: number, at: (t: number) => typeof EMOTIONS[number]) =>
    frames(ms, (t) => (t % 200 === 0 ? { emotion: oneHot(at(t)) } : {}))
  const shift = emotionShifts(smoothEmotions(withEmotion(8000, (t) => (t < 4000 ? 'neutral' : 'happiness'))))
  t.equal(shift.length, 1)
  t.match(shift[0], { from: 'neutral', to: 'happiness', endMs: 8000 })
  t.ok(shift[0]!.startMs > 4000 && shift[0]!.startMs <= 5000, `starts when happiness passes 0.5 (${shift[0]!.startMs})`)
  t.ok(shift[0]!.peakMs > shift[0]!.startMs && shift[0]!.peakMs < 8000, `key frame ${shift[0]!.peakMs} where the smile is near its fullest, not the last frame`)

  t.same(emotionShifts(smoothEmotions(withEmotion(8000, (t) => (t >= 4000 && t < 4600 ? 'happiness' : 'neutral')))), [], 'a 0.6 s flicker')
  t.same(emotionShifts(smoothEmotions(withEmotion(4000, (t) => (t < 1000 ? 'neutral' : 'happiness')))), [], 'neutral for 1 s (1.6 s smoothed) is not held: no shift')
  const smileAndBack = emotionShifts(smoothEmotions(withEmotion(12_000, (t) => (t >= 4000 && t < 6000 ? 'happiness' : 'neutral'))))
  t.same(smileAndBack.map((s) => [s.from, s.to]), [['neutral', 'happiness']], 'back to the held emotion after a short smile is not a second shift')
  const gone = withEmotion(8000, (t) => (t < 4000 ? 'sadness' : 'happiness')).map((f) => (f.t >= 3000 && f.t < 5000 ? { t: f.t, face: null, otherFaces: 0 } : f))
  t.same(emotionShifts(smoothEmotions(gone)).map((s) => [s.from, s.to]), [['sadness', 'happiness']], 'a face leaving view in between does not hide the shift')

  const events = timelineEvents(computeFaceMetrics(withEmotion(8000, (t) => (t < 4000 ? 'sadness' : 'happiness')))).filter((e) => e.kind === 'emotion_shift')
  t.equal(events.length, 1)
  t.same(events[0]!.data, { from: EMOTIONS.indexOf('sadness'), to: EMOTIONS.indexOf('happiness'), probability: events[0]!.value })
})

t.test('voice long pauses: 2 s or more inside speech, key frame in the middle', async (t) => {
  const summary = (items: Array<{ startMs: number, endMs: number }>): VoiceSummary => ({
    hasAudio: true,
    metrics: {
      durationS: 30, speechS: 20, speakingRatio: 0.67, syllables: 80, syllablesPerMinuteSpeaking: 240, syllablesPerMinuteTotal: 160,
      pauses: { count: items.length, meanS: 1, longestS: 3, items },
      loudness: { meanDb: -20, variationDb: 3 },
      pitch: { medianHz: 120, rangeSemitones: 5, variabilitySemitones: 2.5 }
    }
  })
  t.same(voiceEvents(summary([{ startMs: 1000, endMs: 1500 }, { startMs: 4000.4, endMs: 7000.2 }, { startMs: 9000, endMs: 10_999 }])),
    [{ kind: 'long_pause', startMs: 4000, endMs: 7000, value: 3, keyMs: 5500 }], 'a 1.999 s pause is not long')
  t.same(voiceEvents({ hasAudio: false, metrics: null }), [])
})
