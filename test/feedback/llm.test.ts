/**
 * The LLM writer against a local OpenAI-compatible server (POST /v1/chat/completions) whose
 * replies each scenario scripts: valid, invalid then valid, invalid twice, HTTP errors, a hang.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import YAML from 'yaml'
import { writeFeedback, type FeedbackInput } from '../../src/feedback/index.js'
import { loadPrompt } from '../../src/feedback/prompt.js'
import { RULES_VERSION } from '../../src/feedback/rules.js'
import { requestDeadlineMs } from '../../src/feedback/llm.js'
import { validateFeedback } from '../../src/feedback/schema.js'
import { loadConfig, type Config } from '../../src/config.js'
import { readTranscript } from '../../src/transcripts/transcribe.js'
import { analysisInput, faceOf, faceScores, voiceOf } from '../helpers/feedback.js'
import { analyzeFixture } from '../helpers/engine.js'
import { startStub, type Stub } from '../helpers/openai-stub.js'

const llmConfig = (stub: Stub, overrides: Partial<Config['llm']> = {}): Config['llm'] => ({
  apiKey: 'sk-test-dummy', baseUrl: stub.baseUrl, model: 'gpt-4o', timeoutMs: 5000, maxRetries: 2, ...overrides
})

const analysis = await analyzeFixture('video/sad_to_happy_pexels.mp4', { keepFrames: false })
const face = faceOf(analysis)
const scores = faceScores(face)
const input = (language: 'en' | 'ko' = 'en'): FeedbackInput => analysisInput(analysis, language)
const computed = { eye_contact: scores.categories.eye_contact, expression: scores.categories.expression, composure: scores.categories.composure, presence: scores.categories.presence }
const eyeContact = `${Math.round(face.attention.eyeContactRatio * 100)}%`
const firstLookAway = face.attention.lookAways[0]!
const mmss = (ms: number) => `00:${String(Math.floor(ms / 1000)).padStart(2, '0')}`
const lookAwayRange = `${mmss(firstLookAway.startMs)}-${mmss(firstLookAway.endMs)}`

/** What a well-behaved model would answer, with made-up scores that must be replaced. */
const goodReply = `language: en
summary: "Your interview score was ${scores.interviewScore}/60. You kept eye contact ${eyeContact} of the time."
strengths:
  - title: "Natural blinking"
    evidence: "You blinked ${face.blinks.count} times, within the normal range."
    timestamps: []
improvements:
  - title: "Fewer glances away"
    evidence: "You looked away ${face.attention.lookAways.length} times for a second or more."
    suggestion: "Pause with your eyes on the lens while you think."
    timestamps: ["${lookAwayRange}"]
scores:
  eye_contact: 99
  expression: 99
  composure: 99
  presence: 99
`
const koreanReply = goodReply
  .replace('language: en', 'language: ko')
  .replace(/summary: ".*"/, `summary: "면접 점수는 60점 만점에 ${scores.interviewScore}점입니다. 시선 접촉 비율은 ${eyeContact}였습니다."`)
const brokenYaml = 'language: en\nsummary: "unterminated\nstrengths: [\n'
const missingSuggestion = goodReply.replace(/ {4}suggestion: .*\n/, '').replace(`["${lookAwayRange}"]`, '["5:03"]')

t.test('a valid reply is used, with the computed scores', async (t) => {
  const stub = await startStub(t, () => ({ content: goodReply, model: 'gpt-4o-2024-08-06' }))
  const result = await writeFeedback(input(), llmConfig(stub))
  t.equal(result.source, 'llm')
  t.equal(result.model, 'gpt-4o-2024-08-06', 'the model that answered is recorded')
  t.equal(result.promptVersion, (await loadPrompt()).version)
  t.notOk('fallbackReason' in result)
  t.same(result.feedback.scores, computed, 'the model\'s 99s are replaced by the computed scores')
  t.same(YAML.parse(result.yaml), result.feedback, 'the stored YAML is the validated feedback')
  t.ok(validateFeedback(YAML.parse(result.yaml)).ok)
  t.same(result.feedback.improvements[0]!.timestamps, [lookAwayRange])

  t.equal(stub.requests.length, 1)
  const request = stub.requests[0]!
  t.equal(request.authorization, 'Bearer sk-test-dummy')
  t.equal(request.body.model, 'gpt-4o')
  t.ok(request.body.temperature !== undefined && request.body.temperature <= 0.3, 'low temperature')
  t.same(request.body.messages.map((m) => m.role), ['system', 'user'])
  t.match(request.body.messages[0]!.content, 'Output ONLY the YAML document')
  const user = request.body.messages[1]!.content
  t.match(user, `Eye contact: ${eyeContact}`, 'the facts carry the real eye contact')
  t.match(user, lookAwayRange, 'and the look-away timestamps')
  t.match(user, `Blinks: ${face.blinks.count},`)
  t.match(user, `interview ${scores.interviewScore}/60`)
  t.notMatch(user, /Voice:|Speech:|Pace:|Pauses of/, 'no voice analysis given: no voice facts')
})

t.test('a reply in ```yaml fences still parses', async (t) => {
  const stub = await startStub(t, () => ({ content: `Here is the feedback:\n\`\`\`yaml\n${goodReply}\`\`\`\n` }))
  const result = await writeFeedback(input(), llmConfig(stub))
  t.equal(result.source, 'llm')
  t.equal(result.model, 'gpt-4o-stub')
  t.equal(stub.requests.length, 1)
})

t.test('Korean feedback: language set, text checked', async (t) => {
  const stub = await startStub(t, () => ({ content: koreanReply }))
  const result = await writeFeedback(input('ko'), llmConfig(stub))
  t.equal(result.source, 'llm')
  t.equal(result.language, 'ko')
  t.equal(result.feedback.language, 'ko')
  t.match(stub.requests[0]!.body.messages[1]!.content, '(language: ko)')
})

t.test('invalid YAML, then valid: asks once more with the error', async (t) => {
  const stub = await startStub(t, (n) => ({ content: n === 0 ? brokenYaml : goodReply }))
  const result = await writeFeedback(input(), llmConfig(stub))
  t.equal(result.source, 'llm')
  t.equal(stub.requests.length, 2)
  const retry = stub.requests[1]!.body.messages
  t.same(retry.map((m) => m.role), ['system', 'user', 'assistant', 'user'])
  t.equal(retry[2]!.content, brokenYaml, 'the previous reply is sent back')
  t.match(retry[3]!.content, /- the reply is not valid YAML: .*line \d+/, 'with the parser\'s error')
})

t.test('a schema problem is named exactly in the follow-up', async (t) => {
  const stub = await startStub(t, (n) => ({ content: n === 0 ? missingSuggestion : goodReply }))
  const result = await writeFeedback(input(), llmConfig(stub))
  t.equal(result.source, 'llm')
  const correction = stub.requests[1]!.body.messages[3]!.content
  t.match(correction, '- improvements[0].suggestion is missing')
  t.match(correction, '- improvements[0].timestamps[0] must look like mm:ss or mm:ss-mm:ss')
})

t.test('English text when Korean was asked for counts as invalid', async (t) => {
  const stub = await startStub(t, (n) => ({ content: n === 0 ? goodReply : koreanReply }))
  const result = await writeFeedback(input('ko'), llmConfig(stub))
  t.equal(result.source, 'llm')
  t.match(stub.requests[1]!.body.messages[3]!.content, 'summary must be written in Korean')
})

t.test('invalid twice: the rules write it and say why', async (t) => {
  const stub = await startStub(t, () => ({ content: missingSuggestion }))
  const result = await writeFeedback(input(), llmConfig(stub))
  t.equal(stub.requests.length, 2, 'asks once more, not again')
  t.equal(result.source, 'rules')
  t.equal(result.model, null)
  t.equal(result.promptVersion, RULES_VERSION)
  t.equal(result.fallbackReason, 'LLM reply was not valid feedback YAML twice: improvements[0].suggestion is missing; improvements[0].timestamps[0] must look like mm:ss or mm:ss-mm:ss')
  t.ok(validateFeedback(YAML.parse(result.yaml)).ok, 'the rules\' feedback is valid')
  t.same(result.feedback.scores, computed)
})

t.test('HTTP 500 every time: retried by the client, then the rules', async (t) => {
  const stub = await startStub(t, () => ({ status: 500, error: 'Internal Server Error' }))
  const result = await writeFeedback(input(), llmConfig(stub, { maxRetries: 2 }))
  t.equal(stub.requests.length, 3, '1 + maxRetries attempts')
  t.equal(result.source, 'rules')
  t.equal(result.fallbackReason, 'LLM request failed: 500 Internal Server Error after 3 attempts')
})

t.test('HTTP 401 is not retried', async (t) => {
  const stub = await startStub(t, () => ({ status: 401, error: 'Incorrect API key provided' }))
  const result = await writeFeedback(input(), llmConfig(stub, { maxRetries: 2 }))
  t.equal(stub.requests.length, 1)
  t.equal(result.fallbackReason, 'LLM request failed: 401 Incorrect API key provided after 1 attempt')
})

t.test('a hang beyond the timeout: the rules, with a timeout reason', async (t) => {
  const stub = await startStub(t, () => ({ hang: 'before-headers' }))
  const started = Date.now()
  const result = await writeFeedback(input(), llmConfig(stub, { timeoutMs: 500, maxRetries: 1 }))
  t.equal(result.source, 'rules')
  t.equal(result.fallbackReason, 'LLM request timed out after 500 ms (2 attempts)')
  t.equal(stub.requests.length, 2, 'a timeout is retried too')
  t.ok(Date.now() - started < 5000, 'gives up in time')
})

t.test('a body that stalls after the headers is ended by the overall deadline', async (t) => {
  const stub = await startStub(t, () => ({ hang: 'after-headers' }))
  const llm = llmConfig(stub, { timeoutMs: 200, maxRetries: 0 })
  t.equal(requestDeadlineMs(llm), 400)
  t.equal(requestDeadlineMs({ timeoutMs: 60_000, maxRetries: 2 }), 361_500, 'twice the timeout per attempt plus 0.5 s and 1 s of backoff')
  const result = await writeFeedback(input(), llm)
  t.equal(result.source, 'rules')
  t.equal(result.fallbackReason, 'LLM request timed out: no complete reply within 400 ms (1 attempt)')
})

t.test('nothing listening: a connection error, no stack trace', async (t) => {
  const stub = await startStub(t, () => ({ content: goodReply }))
  const closed = await new Promise<string>((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port
      probe.close(() => resolve(`http://127.0.0.1:${port}/v1`))
    })
  })
  const result = await writeFeedback(input(), llmConfig(stub, { baseUrl: closed, maxRetries: 0 }))
  t.equal(result.source, 'rules')
  t.match(result.fallbackReason, /^LLM request failed: could not connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 1 attempt$/)
})

t.test('no API key: the rules, without asking and without a reason', async (t) => {
  const stub = await startStub(t, () => ({ content: goodReply }))
  const { apiKey: _, ...noKey } = llmConfig(stub)
  const result = await writeFeedback(input(), noKey)
  t.equal(stub.requests.length, 0)
  t.equal(result.source, 'rules')
  t.notOk('fallbackReason' in result)
})

/** The good reply without timestamps: valid for any video length. */
const plainReply = goodReply.replace(`["${lookAwayRange}"]`, '[]')
const round1 = (value: number) => Math.round(value * 10) / 10

t.test('the voice facts reach the prompt: bbaf2n\'s real voice and a hand-built transcript', async (t) => {
  const grid = await analyzeFixture('video/grid/bbaf2n.mpg', { keepFrames: false })
  const m = voiceOf(grid).metrics!
  // HAND-BUILT transcript (no speech-to-text service here): the clip's sentence, "bin blue at
  // f two now" (fixtures/README.md), with an "um" put in front, read by the real readTranscript.
  const words = 'um bin blue at f two now'.split(' ').map((word, i) => ({ word, start: 0.2 + i * 0.35, end: 0.2 + i * 0.35 + 0.3 }))
  const transcript = readTranscript({ text: words.map((w) => w.word).join(' '), language: 'english', duration: grid.video.durationS, words },
    grid.video.durationS, loadConfig({ NODE_ENV: 'test' }).voice.fillerWords)
  const stub = await startStub(t, () => ({ content: plainReply }))
  const result = await writeFeedback(analysisInput(grid, 'en', { withVoice: true, transcript }), llmConfig(stub))
  t.equal(result.source, 'llm')
  t.equal(stub.requests.length, 1)
  const [system, user] = stub.requests[0]!.body.messages.map((message) => message.content) as [string, string]
  t.match(system, 'Pace: syllables per minute over the whole recording, pauses included', 'the voice metrics are defined')
  t.match(system, 'English 180-250')
  t.match(system, 'say so once in the summary', 'with the rule for a voice that was not analysed')

  t.match(user, `- Speech: ${round1(m.speechS)} s, ${Math.round(m.speakingRatio * 100)}% of the recording`)
  t.match(user, 'the voice rates below are only a rough estimate', '3 s is too short to judge')
  t.match(user, `- Pace: ${Math.round(m.syllablesPerMinuteTotal)} syllables per minute over the whole recording, pauses included (reference for English: 180-250; language from the transcript)`)
  t.match(user, `; ${Math.round(m.syllablesPerMinuteSpeaking)} syllables per minute while speaking (${m.syllables} syllables).`)
  t.match(user, `- Pauses of 0.3 s or more while speaking: ${m.pauses.count}`)
  t.match(user, `- Intonation: pitch variability ${round1(m.pitch.variabilitySemitones!)} semitones`)
  t.match(user, `pitch range ${round1(m.pitch.rangeSemitones!)} semitones`)
  t.match(user, `- Loudness variation between syllables: ${round1(m.loudness.variationDb)} dB.`)
  t.match(user, `- Transcript (English): ${Math.round(transcript.wordsPerMinute)} words per minute over the whole recording (reference for English: 130-170).`)
  t.match(user, `- Filler words: 1 (${round1(transcript.fillers.perMinute)} per minute; more than 5 per minute is a lot); most frequent: "um" 1 time (first at 00:00).`)
  t.ok(user.indexOf('- Pace:') < user.indexOf('- Scores:'), 'the voice facts come before the scores')
})

t.test('a voice that was not analysed is a fact too, without voice numbers', async (t) => {
  const stub = await startStub(t, () => ({ content: goodReply }))
  // sad_to_happy's own audio track is digital silence.
  t.equal(voiceOf(analysis).metrics?.speechS, 0)
  await writeFeedback(analysisInput(analysis, 'en', { withVoice: true }), llmConfig(stub))
  // What the engine reports for a file without audio (rules.test.ts analyses one).
  await writeFeedback(analysisInput(analysis, 'en', { voice: { hasAudio: false, metrics: null } }), llmConfig(stub))
  t.equal(stub.requests.length, 2)
  const [silent, noAudio] = stub.requests.map((r) => r.body.messages[1]!.content)
  t.match(silent, '- Voice: no speech was detected in the audio track')
  t.match(noAudio, '- Voice: the video has no audio track, so the voice was not analysed')
  for (const user of [silent!, noAudio!]) t.notMatch(user, /Speech:|Pace:|Pauses of|Intonation:|Filler words:|Transcript/, 'no voice numbers')
})
