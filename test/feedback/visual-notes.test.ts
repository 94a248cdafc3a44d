/**
 * Visual notes against a local OpenAI-compatible server that takes image input and checks it as
 * OpenAI does (test/helpers/openai-stub.ts: each image a base64 data URL whose bytes decode as
 * the declared format, else 400). The key frames are annotated 1280x720 JPEGs made with sharp
 * from the fixture photos, at moments of a real analysis of sad_to_happy_pexels.mp4.
 */
import path from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import YAML from 'yaml'
import { loadConfig, type Config } from '../../src/config.js'
import { writeFeedback, type FeedbackInput, type KeyFrame } from '../../src/feedback/index.js'
import { RULES_VERSION } from '../../src/feedback/rules.js'
import { MAX_VISUAL_NOTE, validateFeedback, type Feedback, type VisualNotes } from '../../src/feedback/schema.js'
import { FRAME_MAX_SIDE } from '../../src/feedback/visual-frames.js'
import { DEFAULT_VISUAL_PROMPT_FILE, VISUAL_PLACEHOLDERS } from '../../src/feedback/visual-notes.js'
import { loadPrompt } from '../../src/feedback/prompt.js'
import { fixtures } from '../helpers/environment.js'
import { analyzeFixture } from '../helpers/engine.js'
import { analysisInput, faceOf, faceScores } from '../helpers/feedback.js'
import { startStub, type RecordedRequest, type Reply, type Stub } from '../helpers/openai-stub.js'

const analysis = await analyzeFixture('video/sad_to_happy_pexels.mp4', { keepFrames: false })
const face = faceOf(analysis)
const scores = faceScores(face)
const durationS = analysis.video.durationS
const [firstLookAway, secondLookAway] = face.attention.lookAways as [typeof face.attention.lookAways[0], typeof face.attention.lookAways[0]]
const eyeContact = `${Math.round(face.attention.eyeContactRatio * 100)}%`
const mmss = (ms: number) => `00:${String(Math.floor(ms / 1000)).padStart(2, '0')}`
const mss = (ms: number) => `0:${String(Math.floor(ms / 1000)).padStart(2, '0')}`

/** A fixture photo as a 1280x720 webcam frame with the analysis's drawings: a box, an arrow and a caption bar. */
async function annotatedFrame (photo: string, caption: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720">
    <rect x="470" y="150" width="340" height="400" fill="none" stroke="#00e676" stroke-width="6"/>
    <line x1="640" y1="330" x2="760" y2="300" stroke="#ff1744" stroke-width="8"/>
    <rect x="0" y="650" width="1280" height="70" fill="#000" fill-opacity="0.6"/>
    <text x="20" y="697" font-family="sans-serif" font-size="34" fill="#fff">${caption}</text>
  </svg>`
  return sharp(path.join(fixtures, photo))
    .resize(1280, 720, { fit: 'contain', background: '#202020' })
    .composite([{ input: Buffer.from(svg) }])
    .jpeg({ quality: 90 })
    .toBuffer()
}

/** Five frames, out of order as the events list them; 10500 ms is the one the spread leaves out. */
const frameSpecs = [
  { atMs: secondLookAway.peakMs, photo: 'emotion/neutral.jpg', caption: `look_away at ${mss(secondLookAway.peakMs)}: gaze ${Math.round(Math.abs(secondLookAway.meanYaw))}° to the side of the camera` },
  { atMs: 2000, photo: 'faces/one_face.jpg', caption: 'presence at 0:02: face centred, 31% of the frame height' },
  { atMs: firstLookAway.peakMs, photo: 'emotion/sad.jpg', caption: `look_away at ${mss(firstLookAway.peakMs)}: gaze ${Math.round(Math.abs(firstLookAway.meanYaw))}° to the side of the camera` },
  { atMs: 10500, photo: 'emotion/surprised.jpg', caption: 'expression at 0:10: surprise' },
  { atMs: 18000, photo: 'emotion/happy.jpg', caption: 'expression at 0:18: happiness' }
]
const keyFrames: KeyFrame[] = await Promise.all(frameSpecs.map(async (f) => ({ jpeg: await annotatedFrame(f.photo, f.caption), atMs: f.atMs, caption: f.caption })))
const sentMs = [2000, Math.floor(firstLookAway.peakMs), Math.floor(secondLookAway.peakMs), 18000]
const [t0, t1, t2, t3] = sentMs.map(mmss) as [string, string, string, string]
const leftOut = mmss(10500)

/** `frames` null: the input has no keyFrames at all. */
const input = (language: 'en' | 'ko' = 'en', frames: KeyFrame[] | null = keyFrames): FeedbackInput =>
  ({ ...analysisInput(analysis, language), ...(frames ? { keyFrames: frames } : {}) })
const llmConfig = (stub: Stub, overrides: Partial<Config['llm']> = {}): Config['llm'] => ({
  apiKey: 'sk-test-dummy', baseUrl: stub.baseUrl, model: 'gpt-4o', timeoutMs: 5000, maxRetries: 1, ...overrides
})
const visual: Config['visualNotes'] = { enabled: true, model: 'gpt-4o-vision' }
const promptVersion = (await loadPrompt(DEFAULT_VISUAL_PROMPT_FILE, VISUAL_PLACEHOLDERS)).version

const mainReply = `language: en
summary: "Your interview score was ${scores.interviewScore}/60 and you kept eye contact ${eyeContact} of the time."
strengths:
  - title: "Natural blinking"
    evidence: "You blinked ${face.blinks.count} times."
    timestamps: []
improvements:
  - title: "Fewer glances away"
    evidence: "You looked away ${face.attention.lookAways.length} times."
    suggestion: "Pause with your eyes on the lens while you think."
    timestamps: []
scores: {}
`
const notes = {
  appearance: 'You look tidy and ready; your top is plain and nothing distracting is in view.',
  framing: `Your face sits in the middle with little headroom; at ${t1} the camera sees you from slightly below.`,
  lighting: 'Your face is evenly lit from the front with no strong shadows or backlight.',
  posture: `The frames show your head and upper shoulders only; at ${t3} your head is level.`
}
const koNotes = {
  appearance: '단정한 차림새로 면접 준비가 된 모습입니다. 화면에 방해되는 물건은 보이지 않습니다.',
  framing: `얼굴이 화면 가운데에 있지만 머리 위 여백이 좁습니다. ${t1}에는 카메라가 약간 아래에서 비춥니다.`,
  lighting: '얼굴이 정면에서 고르게 밝고 강한 그림자나 역광이 없습니다.',
  posture: '화면에는 머리와 어깨 윗부분만 보입니다. 머리는 곧게 세우고 있습니다.'
}
const notesYaml = (n: Record<string, string>) => Object.entries(n).map(([key, text]) => `${key}: "${text}"`).join('\n') + '\n'

/** Answers the feedback request with `main` and the request with images with `vision(n)` (n-th vision request). */
function byKind (main: () => Reply, vision: (n: number) => Reply) {
  let visionCalls = 0
  return (_: number, request: RecordedRequest): Reply => (request.images.length > 0 || request.body.model === visual.model ? vision(visionCalls++) : main())
}
const visionRequests = (stub: Stub) => stub.requests.filter((r) => r.body.model === visual.model)
const mainRequests = (stub: Stub) => stub.requests.filter((r) => r.body.model !== visual.model)
const notesOf = (feedback: Feedback) => feedback.visual_notes as VisualNotes

t.test('notes from the frames land in the YAML and the parsed feedback', async (t) => {
  const stub = await startStub(t, byKind(() => ({ content: mainReply }), () => ({ content: notesYaml(notes), model: 'gpt-4o-vision-2024' })))
  const result = await writeFeedback(input(), llmConfig(stub), { visualNotes: visual })
  t.equal(result.source, 'llm', result.fallbackReason ?? '')
  t.same(result.feedback.visual_notes, { produced: true, model: 'gpt-4o-vision-2024', prompt_version: promptVersion, frames: sentMs, ...notes })
  t.same(YAML.parse(result.yaml), result.feedback, 'the YAML parses back to the feedback, section included')
  t.match(result.yaml, `visual_notes:\n  produced: true\n  model: gpt-4o-vision-2024\n  prompt_version: ${promptVersion}\n  frames: [${sentMs.join(', ')}]\n`)
  t.ok(validateFeedback(YAML.parse(result.yaml), { durationS, language: 'en' }).ok, 'the stored document is valid feedback')
  t.equal(result.feedback.summary.includes(eyeContact), true, 'the main feedback is the LLM\'s')

  t.equal(stub.requests.length, 2, 'one feedback request, one vision request')
  const [request] = visionRequests(stub)
  t.ok(request)
  t.equal(request!.authorization, 'Bearer sk-test-dummy')
  t.equal(request!.images.length, 4, 'four frames of the five')
  for (const image of request!.images) {
    t.same([image.mediaType, image.format, image.detail], ['image/jpeg', 'jpeg', 'low'])
    t.same([image.width, image.height], [FRAME_MAX_SIDE, 288], 'downscaled from 1280x720 to 512 wide, aspect kept')
  }
  t.same(request!.body.messages.map((m) => m.role), ['system', 'user'])
  t.match(request!.text, 'do not describe them', 'the drawings are not the scene')
  t.match(request!.text, `- Frame 1 at ${t0}: presence at 0:02: face centred`, 'the frames in time order with their captions')
  t.match(request!.text, `- Frame 2 at ${t1}: ${frameSpecs[2]!.caption}`)
  t.match(request!.text, `- Frame 4 at ${t3}: expression at 0:18: happiness`)
  t.notMatch(request!.text, 'expression at 0:10', 'the frame left out is not described')
  t.match(request!.text, `Eye contact: ${eyeContact}`, 'the measured facts go with the frames')
  t.match(request!.text, `interview ${scores.interviewScore}/60`)
  t.same(mainRequests(stub)[0]!.images, [], 'the feedback request carries no image')
})

t.test('Korean: English notes are corrected once, the rules write the feedback when the LLM fails', async (t) => {
  const stub = await startStub(t, byKind(() => ({ status: 500, error: 'Internal Server Error' }), (n) => ({ content: notesYaml(n === 0 ? notes : koNotes) })))
  const result = await writeFeedback(input('ko'), llmConfig(stub, { maxRetries: 0 }), { visualNotes: visual })
  t.equal(result.source, 'rules')
  t.equal(result.promptVersion, RULES_VERSION)
  t.equal(result.fallbackReason, 'LLM request failed: 500 Internal Server Error after 1 attempt')
  t.same(result.feedback.visual_notes, { produced: true, model: 'gpt-4o-vision-stub', prompt_version: promptVersion, frames: sentMs, ...koNotes })
  t.same(YAML.parse(result.yaml), result.feedback)
  t.ok(validateFeedback(YAML.parse(result.yaml), { durationS, language: 'ko' }).ok)

  const [first, second] = visionRequests(stub)
  t.match(first!.text, '(language: ko)')
  t.match(first!.text, '차림새', 'with the Korean terms')
  t.same(second!.body.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user'])
  t.match(second!.body.messages[3]!.content, '- the notes must be written in Korean')
  t.equal(second!.images.length, 4, 'the correction keeps the frames in the conversation')
})

t.test('without a key, turned off, not asked for or without frames: no request, and the reason', async (t) => {
  const stub = await startStub(t, byKind(() => ({ content: mainReply }), () => ({ content: notesYaml(notes) })))
  const { apiKey: _, ...noKey } = llmConfig(stub)
  for (const language of ['en', 'ko'] as const) {
    const result = await writeFeedback(input(language), noKey, { visualNotes: visual })
    t.equal(result.source, 'rules')
    t.same(result.feedback.visual_notes, { produced: false, reason: 'no OpenAI-compatible API key configured (OPENAI_API_KEY)' })
    t.match(result.yaml, /\nvisual_notes:\n {2}produced: false\n {2}reason: no OpenAI-compatible API key configured \(OPENAI_API_KEY\)\n$/)
    t.ok(validateFeedback(YAML.parse(result.yaml), { durationS, language }).ok, `${language}: valid`)
  }
  t.equal(stub.requests.length, 0, 'nothing was asked')

  const off = await writeFeedback(input(), llmConfig(stub), { visualNotes: { ...visual, enabled: false } })
  t.same(off.feedback.visual_notes, { produced: false, reason: 'visual notes are turned off (VISUAL_NOTES=false)' })
  const unasked = await writeFeedback(input(), llmConfig(stub))
  t.same(unasked.feedback.visual_notes, { produced: false, reason: 'visual notes were not requested' })
  for (const frames of [null, []]) {
    const noFrames = await writeFeedback(input('en', frames), llmConfig(stub), { visualNotes: visual })
    t.same(noFrames.feedback.visual_notes, { produced: false, reason: 'no key frames to show the vision model' })
    t.equal(noFrames.source, 'llm')
  }
  t.equal(visionRequests(stub).length, 0, 'no vision request')
  t.equal(stub.requests.length, 4, 'only the four feedback requests')
})

t.test('a failed vision request leaves the feedback as it is', async (t) => {
  const stub = await startStub(t, byKind(() => ({ content: mainReply }), () => ({ status: 503, error: 'The server is overloaded' })))
  const result = await writeFeedback(input(), llmConfig(stub, { maxRetries: 1 }), { visualNotes: visual })
  t.equal(result.source, 'llm', 'the feedback request was not affected')
  t.notOk('fallbackReason' in result)
  t.same(result.feedback.visual_notes, { produced: false, reason: 'vision model request failed: 503 The server is overloaded after 2 attempts' })
  t.equal(visionRequests(stub).length, 2, 'retried as configured')
  t.same(YAML.parse(result.yaml), result.feedback)

  // A model without image input: OpenAI answers 400, which is not retried.
  const textOnly = await startStub(t, byKind(() => ({ content: mainReply }), () => ({ content: notesYaml(notes) })), { acceptsImages: false })
  const refused = await writeFeedback(input(), llmConfig(textOnly), { visualNotes: visual })
  t.equal(refused.source, 'llm')
  t.same(refused.feedback.visual_notes, { produced: false, reason: 'vision model request failed: 400 Image input is not supported for this model or message role. after 1 attempt' })
  t.equal(textOnly.refused.length, 1)
  t.equal(textOnly.requests.length, 1, 'only the feedback request got through')
})

t.test('unusable replies twice: no notes, the problems as the reason, the feedback kept', async (t) => {
  const long = { ...notes, lighting: `Your face is evenly lit. ${'The light is soft and even across your face. '.repeat(6)}` }
  t.ok(long.lighting.length > MAX_VISUAL_NOTE)
  const stub = await startStub(t, byKind(() => ({ content: mainReply }), (n) => ({ content: n === 0 ? 'appearance: "tidy\nframing: [' : notesYaml(long) })))
  const result = await writeFeedback(input(), llmConfig(stub), { visualNotes: visual })
  t.equal(result.source, 'llm')
  t.same(result.feedback.visual_notes, { produced: false, reason: `vision model reply was not valid visual notes YAML twice: lighting must be at most ${MAX_VISUAL_NOTE} characters` })
  const [first, second] = visionRequests(stub)
  t.ok(first)
  t.match(second!.body.messages[3]!.content, /- the reply is not valid YAML: /, 'the parser\'s error went back to the model')
  t.ok(validateFeedback(YAML.parse(result.yaml), { durationS, language: 'en' }).ok)

  // A time the model was not shown: the frame left out, and one that is in no frame.
  const invented = { ...notes, framing: `At ${leftOut} you lean out of the frame.`, posture: 'At 0:45 you sit upright.' }
  const inventing = await startStub(t, byKind(() => ({ content: mainReply }), () => ({ content: notesYaml(invented) })))
  const refused = await writeFeedback(input(), llmConfig(inventing), { visualNotes: visual })
  const allowed = `(${[t0, t1, t2, t3].join(', ')})`
  t.same(refused.feedback.visual_notes, {
    produced: false,
    reason: `vision model reply was not valid visual notes YAML twice: framing cites ${leftOut}, which is not the time of a frame the model was shown ${allowed}; cite only those times; ` +
      `posture cites 0:45, which is not the time of a frame the model was shown ${allowed}; cite only those times`
  })
  t.match(visionRequests(inventing)[1]!.body.messages[3]!.content, `- framing cites ${leftOut}`, 'the correction named it')
})

t.test('frames that cannot be used are left out; with none left, no request', async (t) => {
  const stub = await startStub(t, byKind(() => ({ content: mainReply }), () => ({ content: notesYaml({ ...notes, framing: 'Your face sits in the middle.', posture: 'Your head is level.' }) })))
  const png = await sharp(path.join(fixtures, 'emotion/happy.jpg')).png().toBuffer()
  const frames: KeyFrame[] = [
    { jpeg: Buffer.from('not a picture at all'), atMs: 1000, caption: 'broken' },
    { jpeg: keyFrames[1]!.jpeg, atMs: 60_000, caption: 'after the end' },
    { jpeg: png, atMs: 3000, caption: 'a PNG, re-encoded' },
    { jpeg: keyFrames[4]!.jpeg, atMs: 3400, caption: 'same second as the PNG' },
    { jpeg: keyFrames[2]!.jpeg, atMs: 9000, caption: 'x'.repeat(500) }
  ]
  const result = await writeFeedback(input('en', frames), llmConfig(stub), { visualNotes: visual })
  const section = notesOf(result.feedback)
  t.same(section.produced ? section.frames : section.reason, [3000, 9000], 'the PNG and the frame with the long caption')
  const [request] = visionRequests(stub)
  t.same(request!.images.map((i) => [i.format, i.width, i.height]), [['jpeg', 500, 282], ['jpeg', FRAME_MAX_SIDE, 288]], 'the PNG went as JPEG; small frames are not enlarged')
  t.match(request!.text, `- Frame 2 at 00:09: ${'x'.repeat(199)}…\n`, 'a long caption is cut')

  const none = await writeFeedback(input('en', frames.slice(0, 2)), llmConfig(stub), { visualNotes: visual })
  const reason = (none.feedback.visual_notes as { reason: string }).reason
  t.match(reason, /^none of the 2 key frames could be used: /)
  t.match(reason, '01:00: its time (60000 ms) is not inside the 00:20 video')
  t.match(reason, '00:01: not a readable image (')
  t.equal(visionRequests(stub).length, 1, 'no request without a frame')
})

t.test('the stub refuses what OpenAI refuses', async (t) => {
  const stub = await startStub(t, () => ({ content: 'unused' }))
  const jpeg = keyFrames[0]!.jpeg.toString('base64')
  const png = (await sharp(keyFrames[0]!.jpeg).png().toBuffer()).toString('base64')
  const post = (url: string, detail = 'low') => fetch(`${stub.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url, detail } }] }] })
  })
  t.equal((await post(`data:image/jpeg;base64,${jpeg}`)).status, 200, 'a real JPEG is taken')
  t.equal(stub.requests[0]!.images[0]!.width, 1280)
  const bad = [
    `data:image/jpeg;base64,${png}`, // a PNG declared as JPEG
    `data:image/jpeg;base64,${jpeg.slice(0, 4000)}`, // cut off: the header reads, the pixels do not
    'data:image/jpeg;base64,@@not base64@@',
    `data:text/plain;base64,${jpeg}`,
    'https://example.com/frame.jpg'
  ]
  for (const url of bad) {
    const response = await post(url)
    t.equal(response.status, 400, url.slice(0, 40))
    const body = await response.json() as { error: { type: string } }
    t.equal(body.error.type, 'invalid_request_error')
  }
  t.equal((await post(`data:image/jpeg;base64,${jpeg}`, 'ultra')).status, 400, 'an unknown detail')
  t.equal(stub.requests.length, 1, 'refused requests never reach the script')
  t.equal(stub.refused.length, 6)
})

t.test('the stored section is validated: shape, lengths, frame times', async (t) => {
  const { visual_notes: _, ...base } = (await writeFeedback(input(), { model: 'gpt-4o', timeoutMs: 1000, maxRetries: 0 })).feedback
  const withNotes = (section: unknown) => ({ ...base, visual_notes: section })
  const good = { produced: true, model: 'gpt-4o', prompt_version: promptVersion, frames: sentMs, ...notes }
  const problems = (section: unknown) => {
    const result = validateFeedback(withNotes(section), { durationS, language: 'en' })
    return result.ok ? [] : result.problems
  }
  t.same(problems(good), [])
  t.same(problems({ ...good, lighting: 'a'.repeat(MAX_VISUAL_NOTE + 1) }), [`visual_notes.lighting must be at most ${MAX_VISUAL_NOTE} characters`])
  t.same(problems({ ...good, appearance: `At ${leftOut} you wear a hat.` }),
    [`visual_notes.appearance cites ${leftOut}, which is not the time of a frame the model was shown (${[t0, t1, t2, t3].join(', ')}); cite only those times`])
  t.same(problems({ ...good, frames: [...sentMs.slice(0, 3), 25_000] }), [
    'visual_notes.frames[3] (25000 ms) is after the end of the video (00:20)',
    `visual_notes.posture cites ${t3}, which is not the time of a frame the model was shown (${[t0, t1, t2].join(', ')}, 00:25); cite only those times`
  ])
  t.same(problems({ ...good, frames: [2000, 1000] }), ['visual_notes.frames must be in ascending order without repeats (2000, 1000)', `visual_notes.framing cites ${t1}, which is not the time of a frame the model was shown (00:02, 00:01); cite only those times`, `visual_notes.posture cites ${t3}, which is not the time of a frame the model was shown (00:02, 00:01); cite only those times`])
  t.same(problems({ ...good, frames: [1, 2, 3, 4, 5] }), ['visual_notes.frames must have at most 4 items'])
  t.same(problems({ ...good, lighting: '얼굴이 고르게 밝습니다. 그림자가 없습니다. 역광도 없습니다. 조명이 좋습니다.', appearance: '단정한 차림새입니다.', framing: '가운데에 있습니다.', posture: '곧은 자세입니다.' }), ['visual_notes.notes must be written in English'])
  t.same(problems({ produced: false }), ['visual_notes.reason is missing'])
  t.same(problems({ produced: false, reason: 'no key', appearance: 'x' }), ['visual_notes.appearance is not an allowed key (allowed: produced, reason)'])
  t.same(problems({ ...good, produced: 'yes' }), ['visual_notes.produced must be true or false'])
  t.same(problems('none'), ['visual_notes must be a mapping'])
  t.ok(validateFeedback(base).ok, 'feedback without the section (stored before it existed) is still valid')
  t.equal(loadConfig({ NODE_ENV: 'test', OPENAI_MODEL: 'gpt-4o-mini' }).visualNotes.model, 'gpt-4o-mini', 'the vision model defaults to the feedback model')
})
