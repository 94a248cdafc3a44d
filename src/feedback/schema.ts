/**
 * The structure of coaching feedback, shared by the LLM and the rule-based writer, and its
 * validator. Problems are reported as short sentences naming the path
 * ("improvements[1].timestamps[0] must look like mm:ss or mm:ss-mm:ss"), because they are sent
 * back to the LLM to correct its reply.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import YAML from 'yaml'
import { formatTimestamp, parseTimestamp } from './timestamps.js'

export const LANGUAGES = ['en', 'ko'] as const
export type Language = typeof LANGUAGES[number]

export const MAX_ITEMS = 4
export const MAX_TIMESTAMPS = 6

// The pattern strings double as keys for friendlier messages (PATTERN_MESSAGES).
const NOT_BLANK = '\\S'
const HAS_NUMBER = '\\d'
export const TIMESTAMP_PATTERN = '^\\d{2,}:[0-5]\\d(-\\d{2,}:[0-5]\\d)?$'

const PATTERN_MESSAGES: Record<string, string> = {
  [NOT_BLANK]: 'must not be empty',
  [HAS_NUMBER]: 'must cite a number from the analysis',
  [TIMESTAMP_PATTERN]: 'must look like mm:ss or mm:ss-mm:ss'
}

const text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: NOT_BLANK })
const evidence = Type.String({ minLength: 1, maxLength: 600, pattern: HAS_NUMBER })
const timestamps = Type.Array(Type.String({ pattern: TIMESTAMP_PATTERN }), { maxItems: MAX_TIMESTAMPS })
const score = Type.Number({ minimum: 0, maximum: 100 })
/** A score category's key, as in category_scores. */
export const CATEGORY_KEY_PATTERN = '^[a-z][a-z0-9_]*$'

export const StrengthSchema = Type.Object({
  title: text(100),
  evidence,
  timestamps
}, { additionalProperties: false })

export const ImprovementSchema = Type.Object({
  title: text(100),
  evidence,
  suggestion: text(600),
  timestamps
}, { additionalProperties: false })

export const FeedbackSchema = Type.Object({
  language: Type.Enum([...LANGUAGES]),
  summary: text(1200),
  strengths: Type.Array(StrengthSchema, { minItems: 1, maxItems: MAX_ITEMS }),
  improvements: Type.Array(ImprovementSchema, { minItems: 1, maxItems: MAX_ITEMS }),
  /** The category scores of the modules present (eye_contact, ..., body_language when measured). */
  scores: Type.Record(Type.String({ pattern: CATEGORY_KEY_PATTERN }), score, { additionalProperties: false })
}, { additionalProperties: false })

export type Feedback = Static<typeof FeedbackSchema>
export type Strength = Static<typeof StrengthSchema>
export type Improvement = Static<typeof ImprovementSchema>

export type Validation<T> = { ok: true, value: T } | { ok: false, problems: string[] }

/** `/improvements/1/timestamps/0` -> `improvements[1].timestamps[0]`; the root is "the document". */
function displayPath (pointer: string): string {
  if (pointer === '') return 'the document'
  return pointer.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '')
}

/** The sub-schema at a JSON pointer such as `#/properties/strengths/items`. */
function schemaAt (schema: TSchema, pointer: string): Record<string, unknown> {
  let node: unknown = schema
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) node = (node as Record<string, unknown>)?.[part]
  return (node ?? {}) as Record<string, unknown>
}

const typeNames: Record<string, string> = { string: 'text', number: 'a number', integer: 'a whole number', object: 'a mapping', array: 'a list', boolean: 'true or false' }

/** Every way `value` breaks `schema`, as human-readable sentences (deduplicated). */
export function schemaProblems (schema: TSchema, value: unknown): string[] {
  const problems = new Set<string>()
  for (const error of Value.Errors(schema, value)) {
    const at = displayPath(error.instancePath)
    const params = error.params as Record<string, unknown>
    switch (error.keyword) {
      case 'required':
        for (const key of params.requiredProperties as string[]) problems.add(`${at === 'the document' ? key : `${at}.${key}`} is missing`)
        break
      case 'additionalProperties': {
        const node = schemaAt(schema, error.schemaPath)
        const allowed = Object.keys((node.properties ?? {}) as object)
        const hint = allowed.length ? `allowed: ${allowed.join(', ')}` : `keys must match ${Object.keys((node.patternProperties ?? {}) as object).join(' or ')}`
        for (const key of params.additionalProperties as string[]) {
          problems.add(`${at === 'the document' ? key : `${at}.${key}`} is not an allowed key (${hint})`)
        }
        break
      }
      case 'boolean': break // the unknown key itself; reported above with the allowed keys
      case 'type': {
        const expected = ([] as string[]).concat(params.type as string | string[])
        problems.add(`${at} must be ${expected.map((t) => typeNames[t] ?? t).join(' or ')}`)
        break
      }
      case 'enum': problems.add(`${at} must be one of ${(params.allowedValues as unknown[]).join(', ')}`); break
      case 'minLength': problems.add(`${at} must not be empty`); break
      case 'maxLength': problems.add(`${at} must be at most ${String(params.limit)} characters`); break
      case 'pattern': problems.add(`${at} ${PATTERN_MESSAGES[params.pattern as string] ?? `must match ${String(params.pattern)}`}`); break
      case 'minItems': problems.add(`${at} must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`); break
      case 'maxItems': problems.add(`${at} must have at most ${String(params.limit)} items`); break
      case 'minimum': case 'maximum': {
        const range = schemaAt(schema, error.schemaPath)
        problems.add(`${at} must be between ${String(range.minimum)} and ${String(range.maximum)}`)
        break
      }
      default: problems.add(`${at} ${error.message}`)
    }
  }
  return [...problems]
}

export interface FeedbackExpectations {
  /** Timestamps must fall within the video. */
  durationS?: number
  /** The text must be written in this language. */
  language?: Language
}

const HANGUL = /[\uac00-\ud7a3]/g

/** Checks beyond the structure: timestamps inside the video and in order, text in the right language. */
function contentProblems (feedback: Feedback, expect: FeedbackExpectations): string[] {
  const problems: string[] = []
  if (expect.durationS !== undefined) {
    const lastSecond = Math.ceil(expect.durationS)
    const check = (list: string, items: Array<{ timestamps: string[] }>) => items.forEach((item, i) => item.timestamps.forEach((stamp, k) => {
      const [start, end = start] = stamp.split('-').map(parseTimestamp) as [number, number?]
      const at = `${list}[${i}].timestamps[${k}]`
      if (start > lastSecond || end > lastSecond) problems.push(`${at} (${stamp}) is after the end of the video (${formatTimestamp(lastSecond * 1000)}); use only timestamps from the facts`)
      else if (end < start) problems.push(`${at} (${stamp}) ends before it starts`)
    }))
    check('strengths', feedback.strengths)
    check('improvements', feedback.improvements)
  }
  if (expect.language) {
    const hangul = (feedback.summary.match(HANGUL) ?? []).length
    const letters = (feedback.summary.match(/[\p{L}]/gu) ?? []).length
    if (expect.language === 'ko' && hangul < letters / 2) problems.push('summary must be written in Korean')
    if (expect.language === 'en' && hangul > letters / 2) problems.push('summary must be written in English')
  }
  return problems
}

export function validateFeedback (value: unknown, expect: FeedbackExpectations = {}): Validation<Feedback> {
  const problems = schemaProblems(FeedbackSchema, value)
  if (problems.length) return { ok: false, problems }
  const feedback = value as Feedback
  const content = contentProblems(feedback, expect)
  return content.length ? { ok: false, problems: content } : { ok: true, value: feedback }
}

/** The computed category scores (Scores.categories): feedback always carries the real numbers. */
export function feedbackScores (categories: Readonly<Record<string, number>>): Feedback['scores'] {
  return { ...categories }
}

/** The same feedback with its keys in the documented order (the LLM may order them otherwise). */
export function canonicalFeedback (f: Feedback): Feedback {
  return {
    language: f.language,
    summary: f.summary,
    strengths: f.strengths.map((s) => ({ title: s.title, evidence: s.evidence, timestamps: s.timestamps })),
    improvements: f.improvements.map((i) => ({ title: i.title, evidence: i.evidence, suggestion: i.suggestion, timestamps: i.timestamps })),
    scores: { ...f.scores }
  }
}

/**
 * Feedback as YAML text that parses back to the same structure. Timestamp lists are written
 * inline with quoted items: unquoted, a YAML 1.1 reader (PyYAML) takes 01:05 for the number 65.
 */
export function feedbackToYaml (feedback: Feedback): string {
  const document = new YAML.Document(canonicalFeedback(feedback))
  YAML.visit(document, {
    Pair (_, pair) {
      if (YAML.isScalar(pair.key) && pair.key.value === 'timestamps' && YAML.isSeq(pair.value)) {
        pair.value.flow = true
        for (const item of pair.value.items) if (YAML.isScalar(item)) item.type = 'QUOTE_DOUBLE'
      }
    }
  })
  return document.toString({ lineWidth: 0, flowCollectionPadding: false })
}
