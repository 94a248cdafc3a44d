/**
 * POST /analysis/:id/feedback: the feedback of a completed analysis written again in another
 * language from what the job stored, against the real services (Swift, MariaDB, MongoDB, the
 * in-process worker) and the rule-based writer (no LLM key).
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Value } from 'typebox/value'
import { testApp, pollUntilDone, callerFor } from '../helpers/app.js'
import { toWebm } from '../helpers/media.js'
import { FeedbackResponse } from '../../src/schemas/analysis.js'
import { rewriteFeedback } from '../../src/services/feedback-language.js'

const HANGUL = /[\uac00-\ud7a3]/

t.test('feedback in another language', async (t) => {
  const { app, api, config, storage } = await testApp(t, { WORKER_IN_PROCESS: 'true', JOB_ATTEMPTS: '1' })
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-feedback-language-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const bucket = config.s3.uploadsBucket
  await storage.put(bucket, 'fl/answer.webm', await fs.readFile(toWebm('video/single_face.mp4', path.join(dir, 'a.webm'))), 'video/webm')
  const posted = await api({ method: 'POST', url: '/analyze', payload: { s3_bucket: bucket, s3_key: 'fl/answer.webm', user_id: 'u1', session_id: 's1', options: { language: 'en' } } })
  t.equal(posted.statusCode, 202, posted.body)
  const id = posted.json().analysis_id as string
  const done = await pollUntilDone(api, id)
  t.equal(done.status, 'completed', JSON.stringify(done.error))

  const english = await api({ url: `/analysis/${id}/llm-comment?language=en` })
  t.match((await api({ url: `/analysis/${id}/feedback` })).json(), { analysis_id: id, languages: [{ language: 'en', source: 'rules', model: null }] })
  t.equal(english.statusCode, 200)
  t.equal((await api({ url: `/analysis/${id}/llm-comment?language=ko` })).statusCode, 404, 'no Korean feedback before it is asked for')

  const written = await api({ method: 'POST', url: `/analysis/${id}/feedback`, payload: { language: 'ko' } })
  t.equal(written.statusCode, 201, written.body)
  const ko = written.json()
  t.ok(Value.Check(FeedbackResponse, ko), 'the reply matches FeedbackResponse')
  t.match(ko, { analysis_id: id, language: 'ko', source: 'rules', model: null, fallback_reason: null })
  t.match(ko.feedback, { language: 'ko', visual_notes: { produced: false } })
  t.match(ko.feedback.summary, HANGUL, 'the summary is Korean')
  t.ok(ko.feedback.improvements.every((i: { suggestion: string }) => HANGUL.test(i.suggestion)), 'every suggestion is Korean')
  t.same(ko.feedback.scores, done.category_scores, 'the same scores as the analysis')
  t.match(ko.feedback.visual_notes.reason, /written with the analysis.*in en/)

  const served = (await api({ url: `/analysis/${id}/llm-comment?language=ko` })).json()
  t.equal(served.yaml, ko.yaml, 'GET /llm-comment serves the stored Korean feedback')
  t.same(served.feedback, ko.feedback)

  const again = await api({ method: 'POST', url: `/analysis/${id}/feedback`, payload: { language: 'ko' } })
  t.equal(again.statusCode, 200, 'asked again: the stored feedback, nothing written')
  t.equal(again.json().created_at, ko.created_at)
  t.equal(again.json().yaml, ko.yaml)
  const asked = await api({ method: 'POST', url: `/analysis/${id}/feedback`, payload: { language: 'en' } })
  t.equal(asked.statusCode, 200, 'the language it was made in is there already')
  t.equal(asked.json().yaml, english.json().yaml, 'and it is left as the job wrote it')
  const [rows] = await app.mariadb.query('SELECT COUNT(*) AS n FROM analysis_feedback WHERE analysis_id = ?', [id])
  t.equal(Number(rows.n), 2, 'one row per language')
  t.same((await api({ url: `/analysis/${id}/feedback` })).json().languages.map((l: { language: string }) => l.language), ['en', 'ko'], 'listed, the first written first')

  t.test('the stored results give the job\'s own feedback back', async (t) => {
    // Written again in English from what was stored, the rules produce what the job wrote
    // from the engine's results (all but the visual notes, which are the job's alone).
    const analysis = (await app.analyses.get(id))!
    const rewritten = await rewriteFeedback(analysis, 'en', { results: app.results, llm: config.llm }, null)
    const { visual_notes: _notes, ...text } = rewritten.feedback
    const { visual_notes: _stored, ...storedText } = english.json().feedback
    t.same(text, storedText)
  })

  t.test('refused requests', async (t) => {
    const bad = [
      { payload: { language: 'fr' }, status: 400 },
      { payload: { language: 'ko', extra: 1 }, status: 400 },
      { payload: {}, status: 400 }
    ]
    for (const { payload, status } of bad) {
      const reply = await api({ method: 'POST', url: `/analysis/${id}/feedback`, payload })
      t.equal(reply.statusCode, status, JSON.stringify(payload))
      t.match(reply.json(), { statusCode: status, error: String, message: String })
    }
    t.equal((await api({ method: 'POST', url: '/analysis/not-a-uuid/feedback', payload: { language: 'ko' } })).statusCode, 400)
    t.equal((await api({ method: 'POST', url: '/analysis/0b6f6a56-4c39-4c8e-9a51-4e3f3b0a9d2e/feedback', payload: { language: 'ko' } })).statusCode, 404)
    const other = await callerFor(app, 'tenant-b')
    const foreign = await other.api({ method: 'POST', url: `/analysis/${id}/feedback`, payload: { language: 'ko' } })
    t.equal(foreign.statusCode, 404, 'another tenant\'s analysis is unknown')
    const reader = await callerFor(app, 'tenant-a', { scopes: ['analyses:read'] })
    t.equal((await reader.api({ method: 'POST', url: `/analysis/${id}/feedback`, payload: { language: 'ko' } })).statusCode, 403, 'needs analyses:write')
    t.equal((await app.inject({ method: 'POST', url: `/analysis/${id}/feedback`, payload: { language: 'ko' } })).statusCode, 401)
    const { analysis: queued } = await app.analyses.create({ tenantId: 'tenant-a', userId: 'u2', sessionId: 's2', s3Bucket: bucket, s3Key: 'fl/never-run.webm' })
    const early = await api({ method: 'POST', url: `/analysis/${queued.id}/feedback`, payload: { language: 'ko' } })
    t.equal(early.statusCode, 409, early.body)
    t.match(early.json().message, /once the analysis has completed: it is (queued|processing|failed)/)
  })

  t.test('documented', async (t) => {
    const doc = (await app.inject({ url: '/docs/json' })).json()
    const operation = doc.paths['/analysis/{id}/feedback']?.post
    t.ok(operation, 'in the OpenAPI document')
    t.ok(operation.responses['201'] && operation.responses['200'] && operation.responses['409'])
    t.ok(doc.paths['/analysis/{id}/feedback'].get, 'the list of languages too')
  })
})
