/**
 * End to end, with every real component: a browser-style webm in Swift S3, POST /analyze, the
 * job in a sandboxed worker child (engine, MongoDB frames, MariaDB scores/events/feedback),
 * and the GET endpoints, whose responses must match their published schemas.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Value } from 'typebox/value'
import type { TSchema } from 'typebox'
import YAML from 'yaml'
import { testApp, pollUntilDone, type Api } from '../helpers/app.js'
import { fixtures } from '../helpers/environment.js'
import { spawnSync } from 'node:child_process'
import { toWebm } from '../helpers/media.js'
import { startStub } from '../helpers/openai-stub.js'
import { AnalyzeAccepted, AnalysisResponse, FramesResponse, FeedbackResponse, RecentResponse } from '../../src/schemas/analysis.js'
import { FACE_KIND } from '../../src/signals/face/codec.js'

/** JSON columns come back parsed or as text, depending on how MariaDB declares them. */
const json = (value: unknown): any => (typeof value === 'string' ? JSON.parse(value) : value) // eslint-disable-line @typescript-eslint/no-explicit-any

function matches (t: { ok: (value: unknown, message: string) => unknown }, schema: TSchema, value: unknown, what: string): void {
  const problems = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.instancePath} ${e.message}`)
  t.ok(problems.length === 0, `${what} matches its schema${problems.length ? `: ${problems.join('; ')}` : ''}`)
}

t.test('a webm recording analysed end to end', async (t) => {
  const { app, api, config, storage } = await testApp(t, { WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '2' })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-e2e-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const bucket = config.s3.uploadsBucket
  await storage.put(bucket, 'interviews/u1/answer-1.webm', await fs.readFile(toWebm('video/single_face.mp4', path.join(dir, 'a.webm'))), 'video/webm')

  const body = { s3_bucket: bucket, s3_key: 'interviews/u1/answer-1.webm', user_id: 'u1', session_id: 's1', options: { language: 'ko' } }
  const posted = await api({ method: 'POST', url: '/analyze', payload: body })
  t.equal(posted.statusCode, 202, posted.body)
  const accepted = posted.json()
  matches(t, AnalyzeAccepted, accepted, 'the 202 reply')
  t.match(accepted, { status: 'queued', created: true, message: 'analysis queued' })
  const estimate = Date.parse(accepted.estimated_completion)
  t.ok(estimate > Date.now() && estimate < Date.now() + 120_000, 'completion estimated from the 2.4 s duration')
  t.equal(posted.headers.location, `/analysis/${accepted.analysis_id}`)

  const done = await pollUntilDone(api, accepted.analysis_id)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  matches(t, AnalysisResponse, done, 'GET /analysis/:id')
  t.match(done, {
    progress: 100, stage: 'done', attempts: 1, analysed_frames: 72,
    video: { video_codec: 'vp8', audio_codec: 'opus', width: 640, height: 360 },
    eye_tracking: { blink_count: 1 },
    presence: { face_missing_percent: 0, other_faces_percent: 0 }
  })
  const emotion = done.emotion_analysis as { interview_score: number, emotions: Record<string, number> }
  t.ok(emotion.interview_score >= 0 && emotion.interview_score <= 60, `interview score ${emotion.interview_score} in 0-60`)
  t.ok(Math.abs(Object.values(emotion.emotions).reduce((a, b) => a + b, 0) - 1) < 0.01, 'an emotion distribution')
  t.same((done.events as Array<{ kind: string }>).map((e) => e.kind), ['blink'], 'the one blink is a timeline event')

  t.test('rows in MariaDB and frames in MongoDB', async (t) => {
    const [scores] = await app.mariadb.query('SELECT * FROM analysis_scores WHERE analysis_id = ?', [accepted.analysis_id])
    t.equal(scores.score_version, done.scores_version)
    t.same(json(scores.scores).categories, done.category_scores, 'the categories as served')
    const signals: Array<{ kind: string, metrics: unknown }> = await app.mariadb.query('SELECT kind, metrics FROM analysis_signals WHERE analysis_id = ? ORDER BY kind', [accepted.analysis_id])
    t.same(signals.map((s) => s.kind), ['face', 'pose', 'voice'], 'one row of metrics per kind')
    t.match(json(signals[0]!.metrics), { blinks: { count: 1 } })
    const [events] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analysis_events WHERE analysis_id = ?', [accepted.analysis_id])
    t.equal(Number(events.n), 1)
    const [feedback] = await app.mariadb.query('SELECT language, source FROM analysis_feedback WHERE analysis_id = ?', [accepted.analysis_id])
    t.match(feedback, { language: 'ko', source: 'rules' })
    t.equal(await app.frames.countFrames(accepted.analysis_id, FACE_KIND), done.analysed_frames, 'MongoDB holds every analysed frame')
  })

  t.test('voice signals beside the face', async (t) => {
    const voice = done.voice_analysis as Record<string, unknown>
    t.match(voice, { has_audio: true, note: null, transcript: null, pauses: { count: Number }, pitch: Object })
    t.ok(typeof voice.speaking_ratio === 'number' && voice.speaking_ratio >= 0 && voice.speaking_ratio <= 1)
    const frames = (await api({ url: `/analysis/${accepted.analysis_id}/frames?kind=voice` })).json()
    matches(t, FramesResponse, frames, 'a voice frames page')
    t.match(frames, { kind: 'voice', count: 3 }, 'one voice frame per second of the 2.4 s recording')
    t.same(frames.frames.map((f: { t_ms: number }) => f.t_ms), [0, 1000, 2000])
    const [{ metrics }] = await app.mariadb.query('SELECT metrics FROM analysis_signals WHERE analysis_id = ? AND kind = ?', [accepted.analysis_id, 'voice'])
    t.match(json(metrics), { hasAudio: true, metrics: { syllables: Number } })
  })

  t.test('body language beside the face: what the framing shows, pose frames in MongoDB', async (t) => {
    // single_face.mp4 frames a man's head and shoulders: the body below is never seen.
    t.match(done.body_language, {
      visibility: 'head_and_shoulders', body_visible: false, score: null,
      note: /head-and-shoulders framing: .* not measured/, hands: { face_touches: [] }
    })
    t.notOk('body_language' in (done.category_scores as Record<string, number>), 'no body-language category without a visible body')
    const page = (await api({ url: `/analysis/${accepted.analysis_id}/frames?kind=pose&limit=5` })).json()
    matches(t, FramesResponse, page, 'a pose frames page')
    t.match(page, { kind: 'pose', count: 5 })
    const first = page.frames[0] as { t_ms: number, pose: { presence: number, landmarks: number[][], world: number[][] } }
    t.equal(first.pose.landmarks.length, 33, '33 landmarks')
    t.ok(first.pose.landmarks.every((l) => l.length === 4) && first.pose.world.every((w) => w.length === 3), 'x, y, z, visibility; world x, y, z')
    const nose = first.pose.landmarks[0]!
    const box = ((await api({ url: `/analysis/${accepted.analysis_id}/frames?kind=face&limit=1` })).json().frames[0].face.box) as number[]
    t.ok(nose[0]! > box[0]! && nose[0]! < box[0]! + box[2]! && nose[1]! > box[1]! && nose[1]! < box[1]! + box[3]!, 'the body followed is the speaker: its nose is inside the face box')
    const stored = await app.frames.countFrames(accepted.analysis_id, 'pose')
    t.ok(stored >= 22 && stored <= 26, `pose at 10 per second: ${stored} frames for 2.4 s`)
  })

  t.test('a recording without an audio track says so', async (t) => {
    const silent = path.join(dir, 'silent.mp4')
    const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path.join(fixtures, 'video/grid/lbbc2a.mpg'), '-an', '-c:v', 'libx264', '-preset', 'ultrafast', silent])
    t.equal(made.status, 0)
    await storage.put(bucket, 'interviews/u1/no-audio.mp4', await fs.readFile(silent))
    const reply = await api({ method: 'POST', url: '/analyze', payload: { ...body, s3_key: 'interviews/u1/no-audio.mp4', session_id: 's-silent' } })
    const result = await pollUntilDone(api, reply.json().analysis_id)
    t.equal(result.status, 'completed')
    t.match(result, { video: { has_audio: false, audio_codec: null }, voice_analysis: { has_audio: false, note: 'no audio track: voice not analysed', syllables: null, pitch: null } })
    const frames = (await api({ url: `/analysis/${reply.json().analysis_id}/frames?kind=voice` })).json()
    t.equal(frames.count, 0, 'no voice frames')
  })

  t.test('frames, paginated in time order', async (t) => {
    const seen: number[] = []
    let from: number | null = 0
    while (from !== null) {
      const page: Awaited<ReturnType<Api>> = await api({ url: `/analysis/${accepted.analysis_id}/frames?from=${from}&limit=30` })
      t.equal(page.statusCode, 200)
      matches(t, FramesResponse, page.json(), 'a frames page')
      seen.push(...page.json().frames.map((f: { t_ms: number }) => f.t_ms))
      from = page.json().next_from
    }
    t.equal(seen.length, 72)
    t.ok(seen.every((v, i) => i === 0 || v > seen[i - 1]!), 'strictly increasing times')
    const window = (await api({ url: `/analysis/${accepted.analysis_id}/frames?from=1000&to=1500` })).json()
    t.same(window.frames.map((f: { t_ms: number }) => f.t_ms), seen.filter((v) => v >= 1000 && v <= 1500), 'a time window, both ends included')
    const bad = await api({ url: `/analysis/${accepted.analysis_id}/frames?from=500&to=100` })
    t.equal(bad.statusCode, 400)
  })

  t.test('the coaching feedback', async (t) => {
    const reply = await api({ url: `/analysis/${accepted.analysis_id}/llm-comment` })
    t.equal(reply.statusCode, 200, reply.body)
    const comment = reply.json()
    matches(t, FeedbackResponse, comment, 'GET /analysis/:id/llm-comment')
    t.match(comment, { language: 'ko', source: 'rules', model: null, fallback_reason: null })
    t.same(YAML.parse(comment.yaml), comment.feedback, 'the stored YAML parses to the stored structure')
    t.match(comment.yaml, /[\uac00-\ud7a3]/, 'written in Korean')
    const english = await api({ url: `/analysis/${accepted.analysis_id}/llm-comment?language=en` })
    t.equal(english.statusCode, 404, 'no English feedback was written for this analysis')
  })

  t.test('the same request does not start a second analysis', async (t) => {
    const again = await api({ method: 'POST', url: '/analyze', payload: body })
    t.equal(again.statusCode, 200)
    t.match(again.json(), { analysis_id: accepted.analysis_id, status: 'completed', created: false })
    const keyed = await api({ method: 'POST', url: '/analyze', headers: { 'idempotency-key': 'retry-42' }, payload: { ...body, session_id: 's2' } })
    t.equal(keyed.statusCode, 202)
    const keyedAgain = await api({ method: 'POST', url: '/analyze', headers: { 'idempotency-key': 'retry-42' }, payload: { ...body, session_id: 's2' } })
    t.equal(keyedAgain.json().analysis_id, keyed.json().analysis_id, 'the Idempotency-Key returns the first analysis')
    await pollUntilDone(api, keyed.json().analysis_id)
  })

  t.test('recent analyses, newest first', async (t) => {
    const recent = (await api({ url: '/analysis/recent?user_id=u1&limit=5' })).json()
    matches(t, RecentResponse, recent, 'GET /analysis/recent')
    t.equal(recent.analyses.length, 3)
    t.ok(recent.analyses[0].created_at >= recent.analyses[1].created_at)
    t.equal((await api({ url: '/analysis/recent?limit=500' })).statusCode, 400, 'the limit is bounded')
  })

  t.test('OpenAPI documents every route', async (t) => {
    const spec = (await api({ url: '/docs/json' })).json()
    for (const route of ['/analyze', '/analysis/{id}', '/analysis/{id}/frames', '/analysis/{id}/llm-comment', '/analysis/{id}/timeline', '/analysis/recent', '/uploads', '/uploads/{id}', '/uploads/{id}/complete', '/uploads/direct', '/users/{user_id}/analyses']) {
      t.ok(spec.paths[route], `${route} documented`)
    }
    t.ok(spec.paths['/analyze'].post.requestBody, 'with its request body schema')
  })
})

t.test('an OpenAI-compatible server writes the feedback through the job', async (t) => {
  const reply = `language: en
summary: You held eye contact for most of this 3 second answer and kept your face in view 100% of the time.
strengths:
  - title: Steady eye contact
    evidence: Your gaze stayed on the camera for over 90% of your face time.
    timestamps: []
improvements:
  - title: A warmer opening
    evidence: Happiness stayed under 10% in the first 3 seconds.
    suggestion: Open your answer with a slight smile.
    timestamps: ["00:00-00:02"]
scores: { eye_contact: 1, expression: 1, composure: 1, presence: 1 }
`
  const notes = 'appearance: "Plain clothes, nothing distracting in view."\nframing: "Your face is centred with some headroom."\nlighting: "Even light on your face."\nposture: "Head level, shoulders square."\n'
  // The feedback request and the visual-notes request (the one carrying images) get their own replies.
  const stub = await startStub(t, (_, request) => request.images.length > 0 ? { content: notes, model: 'gpt-4o-2024-08-06' } : { content: reply, model: 'gpt-4o-2024-08-06' })
  const { api, config, storage } = await testApp(t, { WORKER_IN_PROCESS: 'true', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: stub.baseUrl })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-llm-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  await storage.put(config.s3.uploadsBucket, 'clip.webm', await fs.readFile(toWebm('video/grid/lbbc2a.mpg', path.join(dir, 'clip.webm'), 'vp9')))
  const posted = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: config.s3.uploadsBucket, s3_key: 'clip.webm', user_id: 'u9', session_id: 's9' } })
  const done = await pollUntilDone(api, posted.json().analysis_id)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  t.match(done.video, { video_codec: 'vp9', audio_codec: 'opus' })
  t.equal(stub.requests.length, 2, 'one feedback request, one visual-notes request')
  const main = stub.requests.find((r) => r.images.length === 0)!
  t.equal(main.body.model, 'gpt-4o', 'the configured model')
  t.match(main.body.messages.at(-1)!.content, /eye contact/i, 'the analysis facts were sent')
  // No event of this clip has a picture, so the model sees the recording's typical moment: the middle frame, annotated.
  const vision = stub.requests.find((r) => r.images.length > 0)!
  t.equal(vision.images.length, 1, 'one key frame')
  t.match(vision.images[0], { format: 'jpeg' })
  const comment = (await api({ url: `/analysis/${posted.json().analysis_id}/llm-comment` })).json()
  t.match(comment, { source: 'llm', model: 'gpt-4o-2024-08-06', language: 'en', fallback_reason: null })
  const computed = (done.category_scores as Record<string, number>)
  t.same(comment.feedback.scores, computed, 'the stored scores are the computed ones, not the model\'s')
  t.same(YAML.parse(comment.yaml), comment.feedback)
  t.match(comment.feedback.visual_notes, { produced: true, lighting: 'Even light on your face.' }, 'the visual notes are stored with the feedback')
  t.equal(comment.feedback.visual_notes.frames.length, 1)
})
