import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { loadConfig, type Config } from '../../src/config.js'
import { readTranscript, transcribe, TranscriptError } from '../../src/transcripts/transcribe.js'
import { countFillers, fillerLanguage, normaliseWord } from '../../src/signals/voice/engine/fillers.js'
import { fixtures } from '../helpers/environment.js'
import { startTranscriptionStub } from '../helpers/transcription-stub.js'

const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' }
const jfk = path.join(fixtures, 'audio/jfk.wav')
/** The configured default filler lists (FILLER_WORDS_EN / FILLER_WORDS_KO unset). */
const voice: Config['voice'] = loadConfig({ NODE_ENV: 'test' }).voice

const llm = (baseUrl: string, overrides: Partial<Config['llm']> = {}): Config['llm'] =>
  ({ apiKey: 'test-key', baseUrl, model: 'unused', timeoutMs: 10_000, maxRetries: 0, ...overrides })

/** Whisper-style words, `spacing` seconds apart, 0.3 s long. */
const timedWords = (text: string, spacing = 0.5) =>
  text.split(' ').map((word, i) => ({ word, start: i * spacing, end: i * spacing + 0.3 }))

const english = 'Um, so I think, you know, I like working on likely problems. Uh basically that is it.'
const korean = '음, 저는 그 그러니까 이제 그게 프로젝트를 어 마무리했습니다'

t.test('words per minute and English fillers: whole words and phrases, case and punctuation aside', async (t) => {
  // 17 words over a 30 s recording: 34 words per minute.
  const transcript = readTranscript({ text: english, language: 'english', duration: 30, words: timedWords(english) }, 99, voice.fillerWords)
  t.equal(transcript.words.length, 17)
  t.same(transcript.words[1], { word: 'so', startMs: 500, endMs: 800 })
  t.equal(transcript.wordsPerMinute, 34)
  t.equal(transcript.fillerLanguage, 'en')
  // um, you know, like, uh, basically: "likely" is not "like", "so I" is not "so yeah".
  t.same(transcript.fillers.items.map((f) => f.word), ['um', 'you know', 'like', 'uh', 'basically'])
  t.same(transcript.fillers.items.map((f) => f.startMs), [0, 2000, 3500, 6000, 6500])
  t.equal(transcript.fillers.count, 5)
  t.equal(transcript.fillers.perMinute, 10)
})

t.test('Korean fillers are standalone tokens: 그 counts, 그게 does not', async (t) => {
  const transcript = readTranscript({ text: korean, language: 'korean', duration: 60, words: timedWords(korean) }, 60, voice.fillerWords)
  t.equal(transcript.fillerLanguage, 'ko')
  t.same(transcript.fillers.items, [
    { word: '음', startMs: 0 }, { word: '그', startMs: 1000 }, { word: '그러니까', startMs: 1500 },
    { word: '이제', startMs: 2000 }, { word: '어', startMs: 3500 }
  ])
  t.equal(transcript.wordsPerMinute, 9)
  t.equal(transcript.fillers.perMinute, 5)
  // Korean text in English filler matching finds nothing, and the other way round.
  t.equal(countFillers(transcript.words.map((w) => ({ word: w.word, startMs: w.startMs })), voice.fillerWords.en, 1).count, 0)
})

t.test('the filler list follows the detected language, else the script', async (t) => {
  t.equal(fillerLanguage('korean', ''), 'ko')
  t.equal(fillerLanguage('ko', ''), 'ko')
  t.equal(fillerLanguage('English', '음'), 'en')
  t.equal(fillerLanguage('japanese', 'こんにちは'), 'en')
  t.equal(fillerLanguage('', '네 음 그러니까요'), 'ko')
  t.equal(normaliseWord(' "Um…," '), 'um')
})

t.test('without word times the words of the text still count', async (t) => {
  const transcript = readTranscript({ text: 'um hello there', language: 'en', duration: 0, words: [] }, 6, voice.fillerWords)
  t.equal(transcript.words.length, 0)
  t.equal(transcript.wordsPerMinute, 30) // 3 words over the 6 s the probe measured
  t.same(transcript.fillers.items, [{ word: 'um', startMs: null }])
})

t.test('transcribes through an OpenAI-compatible server: a 16 kHz mono WAV up, verbose JSON with words back', async (t) => {
  const stub = await startTranscriptionStub(t, () => ({ json: { task: 'transcribe', language: 'english', duration: 11, text: english, words: timedWords(english) } }))
  const transcript = await transcribe(jfk, tools, { llm: llm(stub.baseUrl), voice: { ...voice, transcribeModel: 'whisper-test' } })
  t.ok(transcript)
  t.equal(transcript!.fillers.count, 5)
  t.equal(transcript!.wordsPerMinute, Math.round((17 / (11 / 60)) * 10) / 10)
  t.equal(stub.requests.length, 1)
  const request = stub.requests[0]!
  t.equal(request.authorization, 'Bearer test-key')
  t.same(request.fields.model, ['whisper-test'])
  t.same(request.fields.response_format, ['verbose_json'])
  t.same(request.fields['timestamp_granularities[]'] ?? request.fields.timestamp_granularities, ['word'])
  const wav = request.file!.data
  t.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF')
  t.equal(wav.readUInt16LE(22), 1, 'mono')
  t.equal(wav.readUInt32LE(24), 16_000, '16 kHz')
  t.ok(Math.abs(wav.length - 44 - 11 * 16_000 * 2) < 2048, 'the whole 11 s as 16-bit PCM')
  t.match(request.file!.filename, /\.wav$/)
})

t.test('no API key: skipped, nothing sent', async (t) => {
  const stub = await startTranscriptionStub(t, () => ({ json: { text: 'never', language: 'en', duration: 1 } }))
  t.equal(await transcribe(jfk, tools, { llm: llm(stub.baseUrl, { apiKey: undefined }), voice }), null)
  t.equal(stub.requests.length, 0)
})

t.test('a file without audio has nothing to transcribe', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-transcript-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const silentVideo = path.join(dir, 'no-audio.mp4')
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=black:s=320x240:d=1', '-c:v', 'libx264', silentVideo])
  t.equal(made.status, 0, String(made.stderr))
  const stub = await startTranscriptionStub(t, () => ({ json: { text: 'never', language: 'en', duration: 1 } }))
  t.equal(await transcribe(silentVideo, tools, { llm: llm(stub.baseUrl), voice }), null)
  t.equal(stub.requests.length, 0)
})

t.test('an HTTP 500 is a clear error, after the configured retries', async (t) => {
  const stub = await startTranscriptionStub(t, () => ({ status: 500, error: 'the model is overloaded' }))
  const error = await transcribe(jfk, tools, { llm: llm(stub.baseUrl, { maxRetries: 1 }), voice }).then(() => null, (e: unknown) => e)
  t.type(error, TranscriptError)
  t.match((error as Error).message, /^the speech-to-text service answered with an error: 500 .*the model is overloaded.* \(2 attempts\)$/)
  t.equal(stub.requests.length, 2)
})

t.test('an unreachable server is named in the error', async (t) => {
  const error = await transcribe(jfk, tools, { llm: llm('http://127.0.0.1:9/v1'), voice }).then(() => null, (e: unknown) => e)
  t.type(error, TranscriptError)
  t.match((error as Error).message, /could not connect to the speech-to-text service at 127\.0\.0\.1:9/)
})

t.test('a reply without text is an error, not an empty transcript', async (t) => {
  const stub = await startTranscriptionStub(t, () => ({ json: { error: 'nothing' } }))
  const error = await transcribe(jfk, tools, { llm: llm(stub.baseUrl), voice }).then(() => null, (e: unknown) => e)
  t.type(error, TranscriptError)
  t.match((error as Error).message, /without a transcript text/)
})
