/**
 * Stopping the engine mid-video through its AbortSignal: analyze() rejects with the signal's
 * reason at once, ffmpeg (frames and audio) is killed, and the same engine analyses the next
 * video correctly, whether its worker threads drained or had to be replaced.
 */
import path from 'node:path'
import t from 'tap'
import { analyzeFixture, sharedEngine, tools } from '../helpers/engine.js'
import { fixtures, waitFor } from '../helpers/environment.js'
import { mediaChildren } from '../helpers/processes.js'

t.test('an aborted analysis stops its ffmpeg and leaves the engine ready', async (t) => {
  const engine = await sharedEngine()
  const reference = await analyzeFixture('video/single_face.mp4', { keepFrames: false })

  const controller = new AbortController()
  const reason = new Error('stopped by the test')
  let framesAtAbort = 0
  let ffmpegAtAbort: number[] = []
  let abortedAt = 0
  let aborting = false
  const stopped = await engine.analyze(path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), tools, {
    keepFrames: false,
    onProgress: ({ stage, framesDone }) => {
      if (stage !== 'analysing' || framesDone < 40 || aborting) return
      aborting = true
      // The decoders running at this moment, then the abort.
      void mediaChildren().then((pids) => {
        ffmpegAtAbort = pids
        framesAtAbort = framesDone
        abortedAt = performance.now()
        controller.abort(reason)
      })
    },
    signal: controller.signal
  }).then(() => null, (error: unknown) => error)
  t.comment(`aborted after ${framesAtAbort} frames; analyze() rejected ${Math.round(performance.now() - abortedAt)} ms later`)
  t.equal(stopped, reason, 'rejects with the signal\'s reason')
  t.ok(framesAtAbort > 0, 'it was stopped mid-video')
  t.ok(ffmpegAtAbort.length >= 1, `ffmpeg was decoding when aborted (${ffmpegAtAbort.length} process(es))`)
  await waitFor('ffmpeg to be gone', async () => ((await mediaChildren()).length === 0 ? true : undefined), 5000, 20)
  t.pass('no ffmpeg left')

  const again = await analyzeFixture('video/single_face.mp4', { keepFrames: false })
  t.equal(again.sampling.frames, reference.sampling.frames, 'the next video is analysed in full')
  t.same(again.signals, reference.signals, 'with the same results as before the abort')

  const early = new AbortController()
  early.abort(reason)
  t.equal(await engine.analyze(path.join(fixtures, 'video/single_face.mp4'), tools, { signal: early.signal }).then(() => null, (e: unknown) => e), reason,
    'an already aborted signal stops it before any work')
})

t.test('ffmpeg stopped from outside mid-video fails the analysis; it is not read as a short video', async (t) => {
  const engine = await sharedEngine()
  let stopping = false
  const result = await engine.analyze(path.join(fixtures, 'video/sad_to_happy_pexels.mp4'), tools, {
    keepFrames: false,
    onProgress: ({ stage, framesDone }) => {
      if (stage !== 'analysing' || framesDone < 40 || stopping) return
      stopping = true
      // As SIGTERM to the worker's process group (Ctrl-C, systemd) reaches its ffmpeg.
      void mediaChildren().then((pids) => { for (const pid of pids) process.kill(pid, 'SIGTERM') })
    }
  }).then(() => null, (error: unknown) => error)
  t.ok(stopping, 'ffmpeg was stopped mid-video')
  t.match(result, { name: 'MediaError', code: 'tool_failed', message: /ffmpeg was stopped by a signal from outside Candor/ }, 'the analysis fails (a retryable tool failure), not completed on the frames so far')
  const again = await analyzeFixture('video/single_face.mp4', { keepFrames: false })
  t.equal(again.sampling.frames, 72, 'the engine analyses the next video in full')
})
