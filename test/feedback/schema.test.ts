import t from 'tap'
import YAML from 'yaml'
import { feedbackToYaml, validateFeedback, type Feedback, type Improvement } from '../../src/feedback/schema.js'
import { formatRange, formatTimestamp, parseTimestamp } from '../../src/feedback/timestamps.js'
import { lookDirection } from '../../src/signals/face/feedback/facts.js'

function valid (): Feedback {
  return {
    language: 'en',
    summary: 'Your interview score was 26.1/60. You kept eye contact 51% of the time.',
    strengths: [{ title: 'Natural blinking', evidence: 'You blinked 5 times, 15.2 per minute.', timestamps: [] }],
    improvements: [
      { title: 'Fewer glances away', evidence: 'You looked away 2 times.', suggestion: 'Pause with your eyes on the lens.', timestamps: ['00:05-00:07', '00:14'] },
      { title: 'Steadier head', evidence: 'Your head moved 19.6 degrees per second.', suggestion: 'Sit back against the chair.', timestamps: [] }
    ],
    scores: { eye_contact: 20.9, expression: 35.5, composure: 52.3, presence: 100 }
  }
}

const problemsOf = (value: unknown, expect = {}) => {
  const result = validateFeedback(value, expect)
  return result.ok ? [] : result.problems
}

t.test('valid feedback passes and keeps its values', async (t) => {
  const result = validateFeedback(valid(), { durationS: 19.7, language: 'en' })
  t.ok(result.ok)
  if (result.ok) t.same(result.value, valid())
})

t.test('problems are readable sentences naming the path', async (t) => {
  const bad = valid()
  bad.improvements[1]!.timestamps = ['5:03']
  t.same(problemsOf(bad), ['improvements[1].timestamps[0] must look like mm:ss or mm:ss-mm:ss'])

  const unknownKeys = valid()
  Object.assign(unknownKeys, { source: 'llm' })
  Object.assign(unknownKeys.strengths[0]!, { score: 3 })
  const unknown = problemsOf(unknownKeys)
  t.ok(unknown.includes('source is not an allowed key (allowed: language, summary, strengths, improvements, scores)'), unknown.join('\n'))
  t.ok(unknown.includes('strengths[0].score is not an allowed key (allowed: title, evidence, timestamps)'), unknown.join('\n'))

  const empty = valid()
  empty.summary = ''
  empty.strengths[0]!.title = '   '
  delete (empty.improvements[0] as Partial<Improvement>).suggestion
  const emptyProblems = problemsOf(empty)
  t.ok(emptyProblems.includes('summary must not be empty'), emptyProblems.join('\n'))
  t.ok(emptyProblems.includes('strengths[0].title must not be empty'), 'whitespace is empty too')
  t.ok(emptyProblems.includes('improvements[0].suggestion is missing'))

  const many = valid()
  many.strengths = Array.from({ length: 5 }, () => many.strengths[0]!)
  many.improvements = []
  t.same(problemsOf(many), ['strengths must have at most 4 items', 'improvements must have at least 1 item'])

  const range = valid()
  range.scores.presence = 101
  range.scores.eye_contact = -1
  t.same(problemsOf(range).sort(), ['scores.eye_contact must be between 0 and 100', 'scores.presence must be between 0 and 100'])

  const keys = valid()
  Object.assign(keys.scores, { body_language: 64.5 })
  t.same(problemsOf(keys), [], 'the scores block takes any category present')
  Object.assign(keys.scores, { 'Body-Language': 1 })
  t.same(problemsOf(keys), ['scores.Body-Language is not an allowed key (keys must match ^[a-z][a-z0-9_]*$)'])

  const noNumber = valid()
  noNumber.strengths[0]!.evidence = 'You blinked naturally.'
  t.same(problemsOf(noNumber), ['strengths[0].evidence must cite a number from the analysis'])

  t.same(problemsOf({ ...valid(), language: 'fr' }), ['language must be one of en, ko'])
  t.same(problemsOf({ ...valid(), strengths: 'none' }), ['strengths must be a list'])
  t.same(problemsOf('just text'), ['the document must be a mapping'])
})

t.test('content checks: timestamps inside the video, the requested language', async (t) => {
  const late = valid()
  late.improvements[0]!.timestamps = ['00:18-00:25']
  t.same(problemsOf(late, { durationS: 19.7 }), ['improvements[0].timestamps[0] (00:18-00:25) is after the end of the video (00:20); use only timestamps from the facts'])
  t.same(problemsOf(late), [], 'not checked without a duration')

  const backwards = valid()
  backwards.improvements[0]!.timestamps = ['00:09-00:05']
  t.same(problemsOf(backwards, { durationS: 19.7 }), ['improvements[0].timestamps[0] (00:09-00:05) ends before it starts'])

  t.same(problemsOf(valid(), { language: 'ko' }), ['summary must be written in Korean'])
  const korean = { ...valid(), language: 'ko', summary: '면접 점수는 60점 만점에 26.1점입니다. 시선 접촉 비율은 51%였습니다.' }
  t.same(problemsOf(korean, { language: 'ko' }), [])
  t.same(problemsOf(korean, { language: 'en' }), ['summary must be written in English'])
})

t.test('YAML text parses back to the same feedback, timestamps quoted', async (t) => {
  const feedback = valid()
  feedback.summary = 'Score: 26.1/60 — "quoted" words, # not a comment, and a colon: here.'
  const text = feedbackToYaml(feedback)
  t.same(YAML.parse(text), feedback)
  t.match(text, 'timestamps: ["00:05-00:07", "00:14"]')
  t.same(YAML.parse(text, { version: '1.1' }).improvements[0].timestamps, ['00:05-00:07', '00:14'], 'a YAML 1.1 reader keeps them as text')
})

t.test('mm:ss formatting', async (t) => {
  t.equal(formatTimestamp(0), '00:00')
  t.equal(formatTimestamp(5880.875), '00:05', 'truncated like a player shows it')
  t.equal(formatTimestamp(61_999), '01:01')
  t.equal(formatTimestamp(3_725_000), '62:05', 'minutes keep counting past an hour')
  t.equal(formatRange(5880, 7799), '00:05-00:07')
  t.equal(formatRange(5100, 5900), '00:05', 'one second shows once')
  t.equal(parseTimestamp('01:05'), 65)
  t.ok(Number.isNaN(parseTimestamp('1:5')))
  t.equal(lookDirection(-21, 4), 'right', 'negative yaw is the person\'s right')
  t.equal(lookDirection(15, 1), 'left')
  t.equal(lookDirection(2, -30), 'down')
})
