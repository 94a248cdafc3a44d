import { readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import YAML from 'yaml'
import { DEFAULT_PROMPT_FILE, PromptFileError, loadPrompt, renderCorrection, renderMessages, type PromptFile } from '../../src/feedback/prompt.js'
import { writeFeedback } from '../../src/feedback/index.js'
import { RULES_VERSION } from '../../src/feedback/rules.js'
import { metricDefinitions } from '../../src/feedback/facts.js'
import { computeFaceMetrics } from '../../src/signals/face/metrics/index.js'
import { faceFeedback } from '../../src/signals/face/feedback/index.js'
import { voiceFeedback } from '../../src/signals/voice/feedback/index.js'
import { feedbackInputOf } from '../helpers/feedback.js'

const definitions = metricDefinitions([{ contribution: faceFeedback }, { contribution: voiceFeedback }])
const facts = ['Eye contact: 51% of the open-eyed face time.', 'Look-aways of 1 s or more: 2: 00:05-00:07 (1.9 s, to their right), 00:14-00:16 (1.5 s, to their left).']

t.test('the prompt file loads and renders for both languages', async (t) => {
  const prompt = await loadPrompt()
  t.match(prompt.version, /^interview-\d+\.\d+$/)
  for (const language of ['en', 'ko'] as const) {
    const { system, user } = renderMessages(prompt, { language, facts, definitions, duration: '00:19' })
    t.notMatch(system + user, /\{\{|\}\}/, `${language}: every placeholder filled`)
    t.match(system, 'Output ONLY the YAML document')
    t.match(system, '- Eye contact %: of the time the face was in view with the eyes open, the share in which the gaze (head pose plus eye direction) pointed within 12 degrees sideways', 'the modules\' metric definitions are included')
    t.match(system, 'Pace: syllables per minute over the whole recording, pauses included. Reference ranges: English 180-250', 'the voice ones too')
    t.match(system, 'eye_contact (weight 35;', 'with the score weights')
    t.match(system, 'Interview score (0-60): 0.6 times the weighted mean', 'and how they combine')
    t.match(system, '<category_key>: <number>', 'the output schema is included')
    t.match(user, `- ${facts[1]}`, 'facts are listed one per line')
    t.match(user, '00:19')
    t.match(user, `(language: ${language})`)
  }
  t.match(renderMessages(prompt, { language: 'ko', facts, definitions, duration: '00:19' }).system, '시선 접촉', 'Korean terms for the model')
  t.match(renderMessages(prompt, { language: 'ko', facts, definitions, duration: '00:19' }).system, 'pace = 말하기 속도', 'for the voice too')
  const correction = renderCorrection(prompt, 'ko', ['improvements[0].suggestion is missing', 'the reply is not valid YAML: bad indentation'])
  t.match(correction, '- improvements[0].suggestion is missing\n- the reply is not valid YAML: bad indentation')
  t.match(correction, 'Korean (한국어)')
})

t.test('placeholder-like text in the facts is not expanded', async (t) => {
  const prompt = await loadPrompt()
  const { user } = renderMessages(prompt, { language: 'en', facts: ['odd {{language_name}} text'], definitions, duration: '00:10' })
  t.match(user, '- odd {{language_name}} text')
})

t.test('a broken prompt file fails with the file and the key at fault', async (t) => {
  const good = YAML.parse(await readFile(DEFAULT_PROMPT_FILE, 'utf8')) as PromptFile
  const variant = (change: (doc: PromptFile) => void) => {
    const doc = structuredClone(good)
    change(doc)
    return YAML.stringify(doc)
  }
  const dir = t.testdir({
    'invalid.yaml': 'version: 1\nsystem: |\n  text\n user: broken indentation\n',
    'no-korean-name.yaml': variant((d) => { delete (d.languages.ko as Partial<PromptFile['languages']['ko']>).name }),
    'typo-placeholder.yaml': variant((d) => { d.user = d.user.replace('{{facts}}', '{{fact}}') }),
    'extra-key.yaml': variant((d) => { Object.assign(d, { temperature: 0.2 }) }),
    'empty-system.yaml': variant((d) => { d.system = '  ' })
  })
  const failure = async (name: string) => {
    const error = await loadPrompt(path.resolve(dir, name)).then(() => null, (e: unknown) => e)
    t.type(error, PromptFileError, name)
    return (error as Error).message
  }
  t.match(await failure('invalid.yaml'), /invalid\.yaml: is not valid YAML: .*line 4/)
  t.match(await failure('no-korean-name.yaml'), /no-korean-name\.yaml: languages\.ko\.name is missing$/)
  const typo = await failure('typo-placeholder.yaml')
  t.match(typo, 'user uses unknown placeholder {{fact}} (allowed: {{facts}}, {{duration}}, {{language_name}}, {{language_code}})')
  t.match(typo, 'user must contain {{facts}}')
  t.match(await failure('extra-key.yaml'), 'temperature is not an allowed key')
  t.match(await failure('empty-system.yaml'), 'system must not be empty')
  t.match(await failure('missing.yaml'), /missing\.yaml: cannot be read \(ENOENT\)/)
  t.match(await failure(DEFAULT_PROMPT_FILE.replace('interview.yaml', 'nope.yaml')), /^prompts\/nope\.yaml: /, 'project files are named relative to the root')
})

t.test('with a broken prompt the rules write the feedback and say why', async (t) => {
  const dir = t.testdir({ 'broken.yaml': 'version: [' })
  const metrics = computeFaceMetrics([])
  const result = await writeFeedback(
    feedbackInputOf(metrics, 3, 'en'),
    { apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4o', timeoutMs: 1000, maxRetries: 0 },
    { promptFile: path.join(dir, 'broken.yaml') }
  )
  t.equal(result.source, 'rules')
  t.equal(result.promptVersion, RULES_VERSION)
  t.match(result.fallbackReason, /^LLM prompt is invalid: .*broken\.yaml: is not valid YAML/)
})
