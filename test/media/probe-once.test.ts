/**
 * One ffprobe run per analysis: the probe's MediaProbe (streams, format, audio track, video
 * packets) is what the limits, the frame stream, the voice stage, the transcript and the
 * engine use. Counted with a wrapper script in ffprobe's place that logs each run.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { loadConfig, type Config } from '../../src/config.js'
import { probeVideo, type ToolPaths } from '../../src/media/ffprobe.js'
import { openFrameStream } from '../../src/media/frames.js'
import { checkMediaLimits, checkCountedFrames } from '../../src/media/limits.js'
import { analyzeVoice } from '../../src/signals/voice/engine/index.js'
import { transcribe } from '../../src/transcripts/transcribe.js'
import { fixtures, type TestContext } from '../helpers/environment.js'
import { sharedEngine } from '../helpers/engine.js'
import { startTranscriptionStub } from '../helpers/transcription-stub.js'

const file = path.join(fixtures, 'video/single_face.mp4')
const config = loadConfig({ NODE_ENV: 'test' })

/** Tools whose ffprobe logs a line per run to `log`, then is the real one. */
async function countingTools (t: TestContext): Promise<{ tools: ToolPaths, runs: () => Promise<string[]> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-probe-once-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const log = path.join(dir, 'runs.log')
  const wrapper = path.join(dir, 'ffprobe')
  await fs.writeFile(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec ffprobe "$@"\n`, { mode: 0o755 })
  const runs = async () => (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean)
  return { tools: { ffmpegPath: 'ffmpeg', ffprobePath: wrapper }, runs }
}

t.test('the job\'s path: probe, limits, frames, voice and transcript on one ffprobe run', async (t) => {
  const { tools, runs } = await countingTools(t)
  const stub = await startTranscriptionStub(t, () => ({ json: { task: 'transcribe', language: 'english', duration: 2.4, text: 'hello there', words: [] } }))
  const llm: Config['llm'] = { apiKey: 'test-key', baseUrl: stub.baseUrl, model: 'unused', timeoutMs: 10_000, maxRetries: 0 }

  const probe = await probeVideo(file, tools)
  checkMediaLimits(probe, config.limits)
  t.match(probe, { frameCount: 72, hasAudio: true, audio: { hasAudio: true, codec: 'mp3' }, packets: { count: 72, played: 72 } })
  const stream = await openFrameStream(file, probe, tools)
  checkCountedFrames(stream.packets.count, stream.packets.spanS, config.limits)
  let frames = 0
  for await (const _frame of stream.frames) frames++
  t.equal(frames, stream.expectedFrames)
  const voice = await analyzeVoice(file, tools, undefined, probe.audio)
  t.equal(voice.hasAudio, true)
  t.ok(voice.frames.length >= 2)
  const transcript = await transcribe(file, tools, { llm, voice: config.voice, audio: probe.audio })
  t.equal(transcript?.text, 'hello there')
  t.equal(stub.requests.length, 1)

  const logged = await runs()
  t.equal(logged.length, 1, `one ffprobe run: ${logged.join(' | ')}`)
  t.match(logged[0], /-show_entries packet=stream_index,pts_time,flags .*-show_format -show_streams/)
})

t.test('the old call shapes still work, each probing for what it was not given', async (t) => {
  const { tools, runs } = await countingTools(t)
  const { packets: _packets, audio: _audio, ...metadata } = await probeVideo(file, tools)
  const stream = await openFrameStream(file, metadata, tools)
  await stream.frames.return(undefined)
  t.equal(stream.expectedFrames, 72)
  t.equal((await analyzeVoice(file, tools)).hasAudio, true)
  t.equal((await runs()).length, 3, 'the probe, then the frame stream\'s and the voice stage\'s own')
})

t.test('the engine: one ffprobe run on its own, none when given the job\'s probe', async (t) => {
  const { tools, runs } = await countingTools(t)
  const engine = await sharedEngine()
  const own = await engine.analyze(file, tools, { limits: config.limits })
  t.same(own.warnings, [])
  t.equal((await runs()).length, 1, 'the engine probes once')
  const probe = await probeVideo(file, tools)
  await engine.analyze(file, tools, { limits: config.limits, probe })
  t.equal((await runs()).length, 2, 'given the probe, the engine runs no ffprobe of its own')
})
