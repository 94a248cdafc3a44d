import t, { type Test } from 'tap'
import YAML from 'yaml'
import { writeFeedback, RULES_VERSION, type FeedbackResult } from '../../src/feedback/index.js'
import { validateFeedback } from '../../src/feedback/schema.js'
import { computeScores } from '../../src/metrics/index.js'
import type { AnalysisResult } from '../../src/engine/analyze.js'
import { analyzeFixture } from '../helpers/engine.js'

const noKey = { model: 'gpt-4o', timeoutMs: 1000, maxRetries: 0 }
const HANGUL = /[\uac00-\ud7a3]/

// Written out here rather than taken from src/feedback/facts.ts, so a wrong formatter fails.
const mmss = (ms: number) => {
  const s = Math.floor(ms / 1000)
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}

async function rulesFeedback (analysis: AnalysisResult, language: 'en' | 'ko'): Promise<FeedbackResult> {
  const scores = computeScores(analysis.metrics)
  return writeFeedback({ metrics: analysis.metrics, scores, durationS: analysis.video.durationS, language }, noKey)
}

function checkStructure (t: Test, result: FeedbackResult, analysis: AnalysisResult, language: 'en' | 'ko') {
  t.equal(result.source, 'rules')
  t.equal(result.model, null)
  t.equal(result.promptVersion, RULES_VERSION)
  t.equal(result.language, language)
  t.notOk('fallbackReason' in result, 'no API key is not a failure')
  const parsed = YAML.parse(result.yaml)
  t.same(parsed, result.feedback, 'the YAML text parses back to the feedback')
  const validation = validateFeedback(parsed, { durationS: analysis.video.durationS, language })
  t.ok(validation.ok, validation.ok ? 'valid' : validation.problems.join('; '))
  const c = computeScores(analysis.metrics).categories
  t.same(parsed.scores, { eye_contact: c.eyeContact, expression: c.expression, composure: c.composure, presence: c.presence })
  t.equal(HANGUL.test(result.yaml), language === 'ko', language === 'ko' ? 'Korean text' : 'no Korean in English feedback')
}

t.test('sad_to_happy: cites the real eye contact, look-aways and blinks', async (t) => {
  const analysis = await analyzeFixture('video/sad_to_happy_pexels.mp4', { keepFrames: false })
  const m = analysis.metrics
  t.ok(m.attention.lookAways.length > 0 && m.blinks.count > 0, 'the clip has look-aways and blinks to cite')
  const eyeContact = `${Math.round(m.attention.eyeContactRatio * 100)}%`
  const lookAways = m.attention.lookAways.map((l) => `${mmss(l.startMs)}-${mmss(l.endMs)}`)

  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language)
    checkStructure(t, result, analysis, language)
    const f = result.feedback
    t.match(f.summary, eyeContact, `${language}: summary cites eye contact ${eyeContact}`)
    t.match(f.summary, String(computeScores(m).interviewScore), `${language}: and the interview score`)
    t.match(f.summary, language === 'en' ? `blinked ${m.blinks.count} times` : `눈 깜빡임은 ${m.blinks.count}번`, `${language}: and the blink count`)
    const lookAwayItem = f.improvements.find((i) => i.timestamps.includes(lookAways[0]!))
    t.ok(lookAwayItem, `${language}: an improvement points at the look-aways`)
    t.same(lookAwayItem?.timestamps, lookAways, 'with every look-away range')
    for (const range of lookAways) t.match(lookAwayItem?.evidence, range, `${language}: evidence names ${range}`)
    t.match(lookAwayItem?.evidence, language === 'en' ? `${lookAways.length} times for 1 second or more` : `${lookAways.length}번`)
    const rate = String(Math.round(m.blinks.ratePerMinute * 10) / 10)
    t.ok([...f.strengths, ...f.improvements].some((i) => i.evidence.includes(rate)), `${language}: an item cites the blink rate ${rate}/min`)
  }

  const en = (await rulesFeedback(analysis, 'en')).feedback
  t.ok(en.improvements.some((i) => i.title === 'Warmer expression' && i.timestamps.includes('00:00-00:10')), 'the sad opening is an improvement')
  t.ok(en.strengths.some((s) => s.title === 'Natural blinking'), `${m.blinks.ratePerMinute.toFixed(1)}/min is within 8-30`)
  const ko = (await rulesFeedback(analysis, 'ko')).feedback
  t.ok(ko.improvements.some((i) => i.title === '시선 이탈 줄이기'))
  t.ok(ko.strengths.some((s) => s.title === '자연스러운 눈 깜빡임'))
})

t.test('face_then_noface: the stretch without a face is cited', async (t) => {
  const analysis = await analyzeFixture('video/face_then_noface.mov', { keepFrames: false })
  const missing = analysis.metrics.presence.missing
  t.ok(missing.length > 0)
  const range = `${mmss(missing[0]!.startMs)}-${mmss(Math.min(missing[0]!.endMs, analysis.video.durationS * 1000))}`
  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language)
    checkStructure(t, result, analysis, language)
    const presence = result.feedback.improvements[0]!
    t.same(presence.timestamps, [range], `${language}: the first improvement is staying in frame, at ${range}`)
    t.match(presence.evidence, `${Math.round(analysis.metrics.presence.faceVisibleRatio * 100)}%`)
  }
})

t.test('no_face: still valid feedback, with no made-up measurements', async (t) => {
  const analysis = await analyzeFixture('video/no_face.mp4', { keepFrames: false })
  for (const language of ['en', 'ko'] as const) {
    const result = await rulesFeedback(analysis, language)
    checkStructure(t, result, analysis, language)
    t.equal(result.feedback.strengths.length, 1)
    t.equal(result.feedback.improvements.length, 1, 'only presence can be judged')
    t.match(result.feedback.improvements[0]!.evidence, '0%')
    t.notMatch(result.yaml, language === 'en' ? /blink/i : /깜빡/, 'nothing about blinks that were never measured')
  }
})
