/**
 * GET /live against the real app (real MariaDB for the keys), listening on 127.0.0.1, with
 * one engine worker thread: authentication, the engine's answers, refused frames, a flood,
 * and the session caps.
 */
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import t from 'tap'
import sharp from 'sharp'
import { testApp, callerFor } from '../helpers/app.js'
import { fixtures } from '../helpers/environment.js'
import { LiveClient, videoJpegs, type Closed } from './client.js'
import { CLOSE, type LiveFrameReply } from '../../src/live/protocol.js'
import { decodeJpeg } from '../../src/live/decode.js'
import { YuNetDetector, DETECTOR_FILE } from '../../src/signals/face/engine/yunet.js'
import { BlazeFaceDetector, BLAZEFACE_FILE } from '../../src/signals/face/engine/blazeface.js'
import { FaceMeshModel } from '../../src/signals/face/engine/mesh.js'
import { BlendshapeModel } from '../../src/signals/face/engine/blendshapes.js'
import { FaceTracker, TRACKER_DEFAULTS } from '../../src/signals/face/engine/tracker.js'
import { faceSignals, emotionRegion } from '../../src/signals/face/engine/signals.js'
import { EmotionClassifier } from '../../src/signals/face/emotion/classifier.js'
import { PoseDetector, POSE_DETECTOR_FILE } from '../../src/signals/pose/engine/detector.js'
import { PoseLandmarkModel, POSE_LANDMARK_FILES, toPoseSignals } from '../../src/signals/pose/engine/landmarks.js'
import { PoseTracker, POSE_TRACKER_DEFAULTS } from '../../src/signals/pose/engine/tracker.js'

const MAX_FRAME_BYTES = 256 * 1024
const { app, key, config } = await testApp(t, {
  LIVE_MAX_SESSIONS: '2',
  LIVE_MAX_SESSIONS_PER_TENANT: '1',
  LIVE_WORKERS: '1',
  LIVE_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
  LOG_LEVEL: 'warn'
})
const origin = await app.listen({ host: '127.0.0.1', port: 0 })
// 640 px wide as the web app sends them; 2 s in, her face is in view.
const frames = videoJpegs(path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), { startS: 2, count: 12, fps: 10, width: 640 })

/** Opens a session, retrying while the slot a previous subtest closed is being freed. */
async function session (k = key): Promise<LiveClient> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const started = await LiveClient.start(origin, k)
    if (started instanceof LiveClient) return started
    if (started.code !== CLOSE.tryAgainLater || Date.now() > deadline) throw new Error(`session refused: ${JSON.stringify(started)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('a plain GET is told to upgrade; bad hellos and keys are refused with their close codes', async (t) => {
  const plain = await app.inject({ url: '/live' })
  t.equal(plain.statusCode, 426)
  t.match(plain.json(), { statusCode: 426, error: 'Upgrade Required', message: /WebSocket/ })

  const refused = async (hello: unknown, binary = false): Promise<Closed> => {
    const client = await LiveClient.connect(origin)
    client.socket.send(binary ? Buffer.from([1, 2, 3]) : typeof hello === 'string' ? hello : JSON.stringify(hello))
    return await client.closed
  }
  t.match(await refused({ type: 'hello', key: 'cnd_0123456789abcdef_' + 'A'.repeat(43) }), { code: CLOSE.unauthorized, reason: /invalid API key/ })
  t.match(await refused({ type: 'hello', key: 'not a key' }), { code: CLOSE.unauthorized })
  t.match(await refused({ type: 'hello' }), { code: CLOSE.badHello, reason: /key/ })
  t.match(await refused({ type: 'hello', key, extra: 1 }), { code: CLOSE.badHello, reason: /unknown hello field extra/ })
  t.match(await refused({ type: 'hello', key, width: 1e9 }), { code: CLOSE.badHello, reason: /width/ })
  // A reason naming the client's own fields is cut to the WebSocket's 123 bytes, not a crash.
  const long = await refused({ type: 'hello', key, ['항목'.repeat(100)]: 1 })
  t.equal(long.code, CLOSE.badHello)
  t.ok(Buffer.byteLength(long.reason) <= 123 && long.reason.startsWith('unknown hello field'))
  t.match(await refused('{not json'), { code: CLOSE.badHello, reason: /JSON/ })
  t.match(await refused(null, true), { code: CLOSE.badHello, reason: /hello before any frame/ })
  const reader = await callerFor(app, 'tenant-read', { scopes: ['analyses:read'] })
  t.match(await refused({ type: 'hello', key: reader.key }), { code: CLOSE.forbidden, reason: /analyses:write/ })
})

t.test('a face frame gets the signals the engine gives for the same decoded image', async (t) => {
  const client = await session()
  const replies: LiveFrameReply[] = []
  for (const [i, jpeg] of frames.slice(0, 6).entries()) {
    client.sendFrame(i * 100, jpeg) // 10 a second: every frame is analysed
    replies.push(await client.next('frame'))
  }
  await client.close()

  // The engine's own modules, on this thread, on the same JPEGs decoded the same way.
  const dir = config.modelsDir
  const tracker = new FaceTracker(await YuNetDetector.load(path.join(dir, DETECTOR_FILE)), await FaceMeshModel.load(dir), TRACKER_DEFAULTS, undefined, await BlazeFaceDetector.load(path.join(dir, BLAZEFACE_FILE)))
  const blendshapes = await BlendshapeModel.load(dir)
  const emotion = await EmotionClassifier.load(config.engine.emotionModel, dir)
  const pose = new PoseTracker(await PoseDetector.load(path.join(dir, POSE_DETECTOR_FILE)), await PoseLandmarkModel.load(path.join(dir, POSE_LANDMARK_FILES.lite)), POSE_TRACKER_DEFAULTS)
  for (const [i, reply] of replies.entries()) {
    const frame = await decodeJpeg(frames[i]!, { maxWidth: config.engine.analysisWidth, maxPixels: 1e7, timeMs: i * 100, index: i })
    const { main } = await tracker.next(frame)
    t.ok(main, `frame ${i}: the engine finds her face`)
    const scores = await blendshapes.run(main!.landmarks)
    const expected = faceSignals(main!.landmarks, scores, frame.width, frame.height)
    t.equal(reply.t, i * 100)
    t.equal(reply.face.t, i * 100)
    // Same models, same pixels, same single-threaded ONNX Runtime sessions: the same numbers.
    t.same(reply.face.face, expected, `frame ${i}: face signals equal the engine's`)
    // Emotion at LIVE_EMOTION_FPS (2): on the frames at 0 and 500 ms.
    if (i === 0 || i === 5) {
      const probabilities = await emotion.classify(frame, emotionRegion(main!.landmarks), { blendshapes: scores })
      t.same(reply.face.emotion, probabilities, `frame ${i}: emotion equals the engine's`)
    } else {
      t.notOk(reply.face.emotion, `frame ${i}: no emotion between its 2-a-second slots`)
    }
    // Pose at 10 a second: every frame here.
    const box = expected.box
    const body = await pose.next(frame, i * 100, { x: box[0] * frame.width, y: box[1] * frame.height, width: box[2] * frame.width, height: box[3] * frame.height })
    const signals = body && toPoseSignals(body, frame.width, frame.height)
    t.ok(reply.pose, `frame ${i}: pose ran`)
    if (!signals) {
      t.equal(reply.pose!.pose, null)
    } else {
      // Sent to 4 decimals (protocol.ts): within half a step of the engine's float32 values.
      const worst = Math.max(...Array.from(signals.landmarks, (v, k) => Math.abs(v - reply.pose!.pose!.landmarks[k]!)))
      t.ok(worst <= 0.00005 + 1e-7, `frame ${i}: pose landmarks within rounding (${worst})`)
    }
    t.ok(reply.latency_ms >= 0)
  }
})

t.test('refused frames get an error and the session goes on', async (t) => {
  const client = await session()
  client.sendFrame(0, Buffer.from('GIF89a not a jpeg at all'))
  t.match(await client.next('error'), { code: 'not_jpeg' })
  client.socket.send(Buffer.concat([Buffer.from(new Float64Array([NaN]).buffer), frames[0]!]))
  t.match(await client.next('error'), { code: 'bad_frame', message: /capture time/ })
  client.socket.send(Buffer.from([1, 2]))
  t.match(await client.next('error'), { code: 'bad_frame', message: /8 bytes of capture time/ })
  const oversized = Buffer.alloc(MAX_FRAME_BYTES + 1000, 7)
  oversized.set([0xff, 0xd8, 0xff])
  client.sendFrame(100, oversized)
  t.match(await client.next('error'), { code: 'frame_too_large', message: /LIVE_MAX_FRAME_BYTES/ })
  const broken = Buffer.from(frames[0]!.subarray(0, 600))
  client.sendFrame(200, broken)
  t.match(await client.next('error'), { code: 'bad_frame', t: 200 })
  const huge = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#808080' } }).jpeg().toBuffer()
  client.sendFrame(300, huge)
  t.match(await client.next('error'), { code: 'frame_too_large', message: /2400x1800/ })
  client.sendFrame(250, frames[0]!)
  t.match(await client.next('error'), { code: 'bad_frame', message: /must increase/ })
  client.socket.send('{"type":"frame"}')
  t.match(await client.next('error'), { code: 'bad_message' })

  client.sendFrame(400, frames[1]!)
  const reply = await client.next('frame')
  t.equal(reply.t, 400, 'a good frame after the bad ones is analysed')
  t.ok(reply.face.face, 'with her face')
  const stats = await client.statsUntil((s) => s.analysed === 1)
  t.match(stats, { received: 8, analysed: 1, dropped: 0, rejected: 8 }, 'the text message is rejected too, not a frame received')

  // Over the socket's payload limit (twice the frame limit): the WebSocket itself closes, 1009.
  client.sendFrame(500, Buffer.alloc(2 * MAX_FRAME_BYTES + 2048, 0xff))
  t.match(await client.closed, { code: CLOSE.tooBig })
})

t.test('a flood is dropped, not queued, and memory does not grow with it', async (t) => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const client = await session()
  const flood = async (from: number, count: number) => {
    for (let i = 0; i < count; i++) client.sendFrame((from + i) * 50, frames[i % frames.length]!)
    const stats = await client.statsUntil((s) => s.received === from + count && s.analysed + s.dropped + s.rejected === from + count)
    return stats
  }
  // V8 frees the backing stores of collected Buffers on a background thread, which lags on a
  // busy machine: the least of a few readings, each after a collection and a pause, is what
  // is really held.
  const memory = async () => {
    let least = Infinity
    for (let i = 0; i < 5; i++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 100))
      const { arrayBuffers, heapUsed } = process.memoryUsage()
      least = Math.min(least, arrayBuffers + heapUsed)
    }
    return least
  }
  const first = await flood(0, 200)
  t.equal(first.rejected, 0)
  t.ok(first.analysed >= 1 && first.analysed <= 10, `of 200 frames sent at once a few are analysed (${first.analysed}), none queued`)
  t.equal(first.dropped, 200 - first.analysed)
  const before = await memory()
  const second = await flood(200, 1000)
  const after = await memory()
  const sentMiB = frames.reduce((n, f) => n + f.length, 0) / frames.length * 1000 / 2 ** 20
  t.ok(second.analysed - first.analysed <= 20, `of 1000 more, ${second.analysed - first.analysed} analysed`)
  t.ok(after - before < 8 * 2 ** 20, `memory grew ${((after - before) / 2 ** 20).toFixed(1)} MiB while ${sentMiB.toFixed(0)} MiB of frames came`)
  // The session still answers.
  client.messages.length = 0
  client.sendFrame(1_000_000, frames[0]!)
  t.equal((await client.next('frame')).t, 1_000_000)
  await client.close()
})

t.test('caps: one session per tenant, two per process; a closed session frees its slot', async (t) => {
  const b = await callerFor(app, 'tenant-b')
  const c = await callerFor(app, 'tenant-c')
  const first = await session()
  const again = await LiveClient.start(origin, key)
  t.match(again, { code: CLOSE.tryAgainLater, reason: /tenant already has 1 live session/ })
  const second = await session(b.key)
  const third = await LiveClient.start(origin, c.key)
  t.match(third, { code: CLOSE.tryAgainLater, reason: /server busy: all 2 live sessions in use/ })
  // Refused at once, before any hello, while full.
  const early = await LiveClient.connect(origin)
  t.match(await early.closed, { code: CLOSE.tryAgainLater, reason: /server busy/ })

  await first.close()
  const next = await session(c.key)
  next.sendFrame(0, frames[0]!)
  t.ok((await next.next('frame')).face.face, 'the new session is analysed')
  await Promise.all([second.close(), next.close()])
})
