import t, { type Test } from 'tap'
import { Value } from 'typebox/value'
import { summarizePose, type PoseMetrics } from '../../src/signals/pose/metrics/index.js'
import { poseCategories } from '../../src/signals/pose/score.js'
import { poseFeedback } from '../../src/signals/pose/feedback/index.js'
import { POSE_DEFINITIONS } from '../../src/signals/pose/feedback/definitions.js'
import { POSE_THRESHOLDS } from '../../src/signals/pose/thresholds.js'
import { buildFacts, describeFacts } from '../../src/feedback/facts.js'
import { writeRulesFeedback } from '../../src/feedback/rules.js'
import { ImprovementSchema, StrengthSchema, validateFeedback, type Language } from '../../src/feedback/schema.js'
import { computeScores } from '../../src/signals/scores.js'
import type { Aspect } from '../../src/feedback/aspect.js'
import { ASPECT, FRAME_MS, HIDDEN_HANDS, at, handAtMouth, jiggle, sequence, type PoseSpec, type Vec } from './skeleton.js'

const LANGUAGES: Language[] = ['en', 'ko']

function metrics (ms: number, spec: (now: number) => PoseSpec | null, speaking: Array<{ startMs: number, endMs: number }> | null = null): PoseMetrics {
  return summarizePose(sequence(ms, spec), { durationS: ms / 1000, frameAspect: ASPECT, speaking })
}

const facts = (m: PoseMetrics | null, durationS = m?.durationS ?? 20) => poseFeedback.facts(m, { durationS, language: 'en', transcript: null, facts: new Map() })

/** Open strokes of the left hand every `period` ms. */
function stroke (now: number, period: number): Vec {
  const k = Math.floor(now / period)
  const progress = Math.min(1, (now % period) / 400)
  const f = k % 2 === 0 ? progress : 1 - progress
  return at(0.1 + 0.3 * f, -0.3, -0.3)
}

/** 20 s: slouched 3-7 s, a hand at the mouth at 10-11 s and 14-15 s, still otherwise. */
const slouchAndTouches = () => metrics(20_000, (now) => ({
  bend: now >= 3000 && now < 7000 ? 35 : 0,
  left: (now >= 10_000 && now < 11_000) || (now >= 14_000 && now < 15_000) ? handAtMouth() : undefined
}))

function checkAspects (t: Test, aspects: Aspect[], language: Language) {
  for (const a of aspects) {
    t.ok(Value.Check(StrengthSchema, a.strength), `${language} ${a.key} strength fits the schema`)
    t.ok(Value.Check(ImprovementSchema, a.improvement), `${language} ${a.key} improvement fits the schema`)
    t.ok(a.goodness >= 0 && a.goodness <= 1, `${a.key} goodness`)
    t.equal(a.category, 'body_language')
    if (language === 'ko') {
      for (const text of [a.strength.title, a.strength.evidence, a.improvement.title, a.improvement.evidence, a.improvement.suggestion]) {
        t.notMatch(text.replace(/\d{2}:\d{2}(-\d{2}:\d{2})?/g, ''), /[A-Za-z]/, `Korean without English words: ${text}`)
        t.match(text, /[\uac00-\ud7a3]/)
      }
    }
  }
}

t.test('facts: rounded numbers and mm:ss ranges', async (t) => {
  const f = facts(slouchAndTouches())
  t.equal(f.status, 'measured')
  t.equal(f.visibility, 'full')
  t.equal(f.bodyVisiblePercent, 100)
  t.equal(f.posture.slouchPercent, 20)
  t.equal(f.posture.slouchDeg, 0, 'the median frame is upright')
  t.same(f.posture.slouches.map((r) => [r.label, r.seconds]), [['00:03-00:07', 4]])
  t.same(f.hands.faceTouches.map((r) => [r.label, r.region, r.hand, r.seconds]), [['00:10-00:11', 'mouth', 'left', 1], ['00:14-00:15', 'mouth', 'left', 1]])
  t.equal(f.hands.faceTouchesPerMinute, 6)
  t.equal(f.hands.enoughInView, true)
  t.equal(f.hands.gestures, 4, 'moving the hand to the mouth and back, twice')
  t.ok(f.score && f.score.score > 0 && f.score.score < 100)
  t.equal(poseFeedback.measured(f), true)

  const lines = poseFeedback.describe(f)
  t.match(lines.join('\n'), /slouched 20% of the measured time/)
  t.match(lines.join('\n'), /00:03-00:07 \(4 s\)/)
  t.match(lines.join('\n'), /Face touches \(a hand at the face for 0.5 s or more\): 2 \(6 per minute\): 00:10-00:11 at the mouth, 1 s, 00:14-00:15 at the mouth, 1 s\./)
  t.match(lines[0], new RegExp(`Body-language score ${f.score!.score}/100`))
})

t.test('facts and statements when the body is not visible or not analysed', async (t) => {
  const head = facts(metrics(10_000, (now) => (now >= 4000 && now < 5000 ? { framing: 'head', left: handAtMouth() } : { framing: 'head' })))
  t.equal(head.status, 'head_and_shoulders')
  t.equal(head.score, null)
  t.equal(head.posture.slouchPercent, null)
  t.equal(head.hands.gesturesPerMinute, null)
  t.equal(head.movement.swayTorsos, null)
  t.equal(poseFeedback.measured(head), false)
  const headLines = poseFeedback.describe(head)
  t.equal(headLines.length, 1, 'one line')
  t.match(headLines[0], /only the head and shoulders were in view .* posture, body movement and gestures were not measured and there is no body-language score; face touches .*: 1 \(6 per minute\): 00:04-00:05 at the mouth/)

  const none = facts(metrics(5000, () => null))
  t.equal(none.status, 'not_visible')
  t.same(poseFeedback.describe(none), ['Body language: the body was not in view (shoulders seen 0% of the recording), so posture, body movement and gestures were not measured and there is no body-language score; face touches (a hand at the face for 0.5 s or more) were still looked for: none.'])
  t.same(poseFeedback.aspects(none, 'en'), [])
  t.equal(poseFeedback.summary!(none, [], 'en'), 'Your body was not in view, so your posture and gestures were not measured.')
  t.equal(poseFeedback.summary!(none, [], 'ko'), '화면에 몸이 보이지 않아 자세와 손동작은 측정하지 않았습니다.')

  // A close-up without the shoulders in view: a hand over the face is still a face touch.
  const close = facts(metrics(10_000, (now) => ({ hidden: ['left_shoulder', 'right_shoulder'], left: now >= 2000 && now < 4000 ? handAtMouth() : undefined })))
  t.equal(close.status, 'not_visible')
  t.same(close.hands.faceTouches.map((r) => r.label), ['00:02-00:04'])
  for (const language of LANGUAGES) {
    const aspects = poseFeedback.aspects(close, language)
    t.same(aspects.map((a) => [a.key, a.verdict]), [['faceTouch', 'improvement']])
    checkAspects(t, aspects, language)
  }
  t.equal(poseFeedback.summary!(close, [], 'en'), 'Your body was not in view, so your posture and gestures were not measured. You touched your face once.')

  const skipped = facts(null, 12)
  t.equal(skipped.status, 'not_analysed')
  t.equal(skipped.duration, '00:12')
  t.same(poseFeedback.describe(skipped), ['Body language: not analysed for this recording (no posture, gestures or body-language score).'])
  t.same(poseFeedback.aspects(skipped, 'ko'), [])
  t.equal(poseFeedback.summary!(skipped, [], 'en'), null)

  for (const language of LANGUAGES) {
    const aspects = poseFeedback.aspects(head, language)
    t.same(aspects.map((a) => [a.key, a.verdict]), [['faceTouch', 'improvement']], 'a head-and-shoulders framing judges face touches only')
    checkAspects(t, aspects, language)
    t.same(poseFeedback.aspects(facts(metrics(10_000, () => ({ framing: 'head' }))), language).map((a) => a.verdict), ['neutral'], 'no touch seen: neither')
  }
})

t.test('aspects: slouching and touching the face are improvements, in English and Korean', async (t) => {
  const f = facts(slouchAndTouches())
  const en = poseFeedback.aspects(f, 'en')
  const byKey = Object.fromEntries(en.map((a) => [a.key, a]))
  t.same(Object.keys(byKey).sort(), ['faceTouch', 'fidgeting', 'gestures', 'movement', 'posture'])
  t.equal(byKey.posture!.verdict, 'neutral', '20% slouched is between 10% and 30%')
  t.equal(byKey.posture!.improvement.title, 'Sit up straight')
  t.same(byKey.posture!.improvement.timestamps, ['00:03-00:07'])
  t.equal(byKey.faceTouch!.verdict, 'improvement')
  t.same(byKey.faceTouch!.improvement.timestamps, ['00:10-00:11', '00:14-00:15'])
  t.match(byKey.faceTouch!.improvement.evidence, /You touched your face twice \(6 per minute\): 00:10-00:11 at your mouth \(1 s\), 00:14-00:15 at your mouth \(1 s\)\./)
  t.equal(byKey.fidgeting!.verdict, 'strength')
  t.equal(byKey.movement!.verdict, 'strength')
  checkAspects(t, en, 'en')

  const ko = poseFeedback.aspects(f, 'ko')
  t.same(ko.map((a) => [a.key, a.verdict]), en.map((a) => [a.key, a.verdict]), 'the same judgement in both languages')
  const koTouch = ko.find((a) => a.key === 'faceTouch')!
  t.equal(koTouch.improvement.title, '얼굴 만지지 않기')
  t.match(koTouch.improvement.evidence, /얼굴을 2번 만졌습니다\(분당 6회\): 00:10-00:11 입 1초, 00:14-00:15 입 1초\./)
  t.equal(ko.find((a) => a.key === 'posture')!.improvement.title, '허리 펴고 바르게 앉기')
  checkAspects(t, ko, 'ko')

  const slumped = facts(metrics(20_000, () => ({ bend: 35 })))
  const posture = poseFeedback.aspects(slumped, 'en').find((a) => a.key === 'posture')!
  t.equal(posture.verdict, 'improvement')
  t.same(posture.improvement.timestamps, ['00:00-00:20'])
  const upright = facts(metrics(20_000, () => ({})))
  t.equal(poseFeedback.aspects(upright, 'en').find((a) => a.key === 'posture')!.verdict, 'strength')
  t.equal(poseFeedback.aspects(upright, 'en').find((a) => a.key === 'faceTouch')!.verdict, 'strength')
  const turned = poseFeedback.aspects(facts(metrics(20_000, () => ({ yaw: 45 }))), 'ko').find((a) => a.key === 'posture')!
  t.equal(turned.improvement.title, '카메라를 정면으로 보고 앉기', 'the largest problem names the item')
})

t.test('aspects: gestures few, engaged, hidden; fidgeting; arms crossed', async (t) => {
  const still = facts(metrics(60_000, () => ({}), [{ startMs: 0, endMs: 60_000 }]))
  const few = poseFeedback.aspects(still, 'en').find((a) => a.key === 'gestures')!
  t.equal(few.verdict, 'improvement')
  t.equal(few.improvement.title, 'Use your hands more')
  t.same(few.improvement.timestamps, ['00:00-01:00'], 'the stretch without a gesture while speaking')
  t.match(few.improvement.evidence, /You made 0 gestures, 0 per minute/)

  const engaged = facts(metrics(60_000, (now) => ({ left: stroke(now, 6000) })))
  t.equal(engaged.hands.gestures, 10)
  const good = poseFeedback.aspects(engaged, 'en').find((a) => a.key === 'gestures')!
  t.equal(good.verdict, 'strength')
  t.match(good.strength.evidence, /You made 10 gestures, 10 per minute .*100% of them open/)

  const hidden = facts(metrics(30_000, () => ({ hidden: HIDDEN_HANDS })))
  const hiddenAspect = poseFeedback.aspects(hidden, 'en').find((a) => a.key === 'gestures')!
  t.equal(hiddenAspect.improvement.title, 'Let your hands be seen')
  t.same(hiddenAspect.improvement.timestamps, ['00:00-00:30'])
  t.notOk(poseFeedback.aspects(hidden, 'en').some((a) => a.key === 'fidgeting'), 'fidgeting is not judged without hands in view')

  const fidget = facts(metrics(20_000, (now) => ({ left: jiggle(now, 'left') })))
  t.equal(poseFeedback.aspects(fidget, 'en').find((a) => a.key === 'fidgeting')!.verdict, 'improvement')

  const crossed = facts(metrics(20_000, () => ({ left: at(-0.12, -0.3, -0.2), right: at(0.12, -0.28, -0.2) })))
  t.equal(crossed.hands.armsCrossedPercent, 100)
  const arms = poseFeedback.aspects(crossed, 'ko').find((a) => a.key === 'armsCrossed')!
  t.equal(arms.verdict, 'improvement')
  t.equal(arms.improvement.title, '팔짱 풀기')
  checkAspects(t, poseFeedback.aspects(crossed, 'ko'), 'ko')
  t.notOk(poseFeedback.aspects(still, 'en').some((a) => a.key === 'armsCrossed'), 'never crossed: not an aspect')
})

t.test('definitions quote the thresholds', async (t) => {
  const text = POSE_DEFINITIONS.join('\n')
  t.match(text, `more than ${POSE_THRESHOLDS.posture.slouchBendDeg} degrees`)
  t.match(text, `${POSE_THRESHOLDS.hands.faceTouch.minMs / 1000} s or more`)
  t.match(text, `${POSE_THRESHOLDS.hands.gesturesPerMinute.min}-${POSE_THRESHOLDS.hands.gesturesPerMinute.max} per minute`)
  t.match(text, /weight 15 of the interview score/)
})

t.test('the rule-based writer with the pose module: valid feedback in both languages', async (t) => {
  for (const [name, m] of [
    ['measured', slouchAndTouches()],
    ['head and shoulders', metrics(20_000, () => ({ framing: 'head' }))],
    ['not visible', metrics(20_000, () => null)]
  ] as Array<[string, PoseMetrics]>) {
    for (const language of LANGUAGES) {
      const scores = computeScores(poseCategories(m))
      const built = buildFacts({ signals: [{ kind: 'pose', contribution: poseFeedback, metrics: m }], scores, durationS: 20, language })
      const feedback = writeRulesFeedback(built)
      const valid = validateFeedback(feedback, { durationS: 20, language })
      t.ok(valid.ok, `${name} ${language}: ${valid.ok ? '' : valid.problems.join('; ')}`)
      if (name === 'measured') {
        t.same(Object.keys(scores.categories), ['body_language'])
        t.match(feedback.summary, language === 'en' ? /body-language score was/ : /자세와 몸짓 점수는/)
      } else {
        t.same(scores.categories, {}, `${name}: no body_language category`)
        t.match(feedback.summary, language === 'en' ? /posture and gestures were not measured/ : /자세와 손동작은 측정하지 않았습니다/)
      }
      const statements = describeFacts(built)
      t.ok(statements.length >= 2)
    }
  }
  t.equal(FRAME_MS, 100)
})
