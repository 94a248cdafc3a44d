/**
 * A signal module the writers have never heard of: its contribution (facts, statements,
 * definitions, a score category, judged aspects, a summary sentence) shows up in both writers,
 * en and ko, without any change to them. No engine: face metrics of an empty video.
 */
import t from 'tap'
import YAML from 'yaml'
import type { FeedbackContribution } from '../../src/feedback/contribution.js'
import { writeFeedback, type FeedbackInput } from '../../src/feedback/index.js'
import type { Language } from '../../src/feedback/schema.js'
import { validateFeedback } from '../../src/feedback/schema.js'
import { faceFeedback } from '../../src/signals/face/feedback/index.js'
import { computeFaceMetrics } from '../../src/signals/face/metrics/index.js'
import { faceCategories } from '../../src/signals/face/scores.js'
import { computeScores } from '../../src/signals/scores.js'
import { startStub } from '../helpers/openai-stub.js'

interface FakeMetrics { swaysPerMinute: number, at: number }
type FakeFacts = { measured: false } | { measured: true, swaysPerMinute: number, first: string }

const NAMES: Record<Language, { good: string, poor: string, sentence: (n: number) => string }> = {
  en: { good: 'Still and grounded', poor: 'Sway less', sentence: (n) => `You swayed ${n} times a minute.` },
  ko: { good: '안정된 자세 유지', poor: '몸 흔들림 줄이기', sentence: (n) => `분당 ${n}번 몸을 흔들었습니다.` }
}

const fake: FeedbackContribution<FakeMetrics, FakeFacts> = {
  facts: (m) => (m ? { measured: true, swaysPerMinute: m.swaysPerMinute, first: `00:0${m.at}` } : { measured: false }),
  measured: (f) => f.measured,
  describe: (f) => (f.measured ? [`Sway: ${f.swaysPerMinute} per minute, first at ${f.first}.`] : ['Sway: not analysed.']),
  definitions: ['Sway: side-to-side movements of the torso per minute; more than 3 per minute distracts.'],
  categories: { steadiness: { en: 'steadiness', ko: '안정감' } },
  aspects: (f, language) => {
    if (!f.measured) return []
    const t = NAMES[language]
    const evidence = t.sentence(f.swaysPerMinute)
    return [{
      key: 'sway',
      verdict: f.swaysPerMinute > 3 ? 'improvement' : 'strength',
      goodness: f.swaysPerMinute > 3 ? 0 : 1,
      // First of every list, ahead of the face's presence (10).
      rank: { improvement: 5, strength: 5 },
      category: 'steadiness',
      strength: { title: t.good, evidence, timestamps: [] },
      improvement: { title: t.poor, evidence, suggestion: language === 'en' ? 'Plant both feet.' : '두 발을 바닥에 붙이세요.', timestamps: [f.first] }
    }]
  },
  summary: (f, _aspects, language) => (f.measured ? NAMES[language].sentence(f.swaysPerMinute) : null)
}

const face = computeFaceMetrics([])
const input = (language: Language, metrics: FakeMetrics | null, steadiness = 40): FeedbackInput => ({
  signals: [{ kind: 'face', contribution: faceFeedback, metrics: face }, { kind: 'sway', contribution: fake, metrics }],
  scores: computeScores([...faceCategories(face), ...(metrics ? [{ key: 'steadiness', score: steadiness, weight: 0.25 }] : [])]),
  durationS: 9,
  language,
  transcript: null
})
const noKey = { model: 'gpt-4o', timeoutMs: 1000, maxRetries: 0 }

t.test('the rule-based writer: its aspect, category and summary sentence', async (t) => {
  for (const language of ['en', 'ko'] as const) {
    const result = await writeFeedback(input(language, { swaysPerMinute: 7, at: 4 }), noKey)
    const f = result.feedback
    t.ok(validateFeedback(YAML.parse(result.yaml), { durationS: 9, language }).ok, `${language}: valid`)
    t.same(f.improvements[0], { title: NAMES[language].poor, evidence: NAMES[language].sentence(7), suggestion: language === 'en' ? 'Plant both feet.' : '두 발을 바닥에 붙이세요.', timestamps: ['00:04'] }, `${language}: first by its rank`)
    t.equal(f.scores.steadiness, 40, `${language}: its category in the scores block`)
    t.match(f.summary, language === 'en' ? 'steadiness 40' : '안정감 40', `${language}: named in the overview`)
    t.match(f.summary, NAMES[language].sentence(7), `${language}: its summary sentence`)
    // The face saw nothing, so the fake category is the only measured one: no best or worst area.
    t.notMatch(f.summary, language === 'en' ? 'strongest area' : '가장 좋은 영역')
  }
  const calm = (await writeFeedback(input('en', { swaysPerMinute: 1, at: 2 }), noKey)).feedback
  t.same(calm.strengths.map((s) => s.title), ['Still and grounded'])

  const unmeasured = await writeFeedback(input('en', null), noKey)
  t.notOk('steadiness' in unmeasured.feedback.scores, 'no category when it measured nothing')
  t.notMatch(unmeasured.yaml, /sway/i, 'and no aspect')
  t.ok(validateFeedback(unmeasured.feedback, { durationS: 9, language: 'en' }).ok)
})

t.test('the LLM writer: its definitions, statements and category', async (t) => {
  const reply = `language: en
summary: "Your interview score was 9.9/60."
strengths:
  - title: "Recording in place"
    evidence: "You recorded 00:09 of video."
    timestamps: []
improvements:
  - title: "Sway less"
    evidence: "You swayed 7 times a minute."
    suggestion: "Plant both feet."
    timestamps: ["00:04"]
scores:
  steadiness: 99
`
  const stub = await startStub(t, () => ({ content: reply }))
  const llm = { apiKey: 'sk-test-dummy', baseUrl: stub.baseUrl, model: 'gpt-4o', timeoutMs: 5000, maxRetries: 0 }
  const result = await writeFeedback(input('en', { swaysPerMinute: 7, at: 4 }), llm)
  t.equal(result.source, 'llm', result.fallbackReason ?? '')
  const [system, user] = stub.requests[0]!.body.messages.map((m) => m.content) as [string, string]
  t.match(system, '- Sway: side-to-side movements of the torso per minute; more than 3 per minute distracts.')
  t.match(system, '- Eye contact %:', 'beside the face definitions')
  t.match(user, '- Sway: 7 per minute, first at 00:04.')
  t.match(user, /- Scores: interview [\d.]+\/60; eye_contact 0, expression 50, composure 0, presence 0, steadiness 40 \(each 0-100\)\./)
  t.same(result.feedback.scores, { eye_contact: 0, expression: 50, composure: 0, presence: 0, steadiness: 40 }, 'the computed scores replace the model\'s')
})
