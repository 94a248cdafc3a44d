/**
 * The structure of coaching feedback, shared by the LLM and the rule-based writer, with the
 * visual_notes section a vision model adds (or says why it did not), and its validator.
 * Problems are reported as short sentences naming the path ("improvements[1].timestamps[0] must
 * look like mm:ss or mm:ss-mm:ss"), because they are sent back to the LLM to correct its reply.
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

/** What a feedback writer produces: everything but the visual notes, which are never the writer's. */
export const WrittenFeedbackSchema = Type.Object({
  language: Type.Enum([...LANGUAGES]),
  summary: text(1200),
  strengths: Type.Array(StrengthSchema, { minItems: 1, maxItems: MAX_ITEMS }),
  improvements: Type.Array(ImprovementSchema, { minItems: 1, maxItems: MAX_ITEMS }),
  /** The category scores of the modules present (eye_contact, ..., body_language when measured). */
  scores: Type.Record(Type.String({ pattern: CATEGORY_KEY_PATTERN }), score, { additionalProperties: false })
}, { additionalProperties: false })

/** At most this many key frames go to the vision model. */
export const MAX_VISUAL_FRAMES = 4
/** One visual note: a sentence or two. */
export const MAX_VISUAL_NOTE = 240
export const MAX_VISUAL_REASON = 400
export const VISUAL_NOTE_KEYS = ['appearance', 'framing', 'lighting', 'posture'] as const
export type VisualNoteKey = typeof VISUAL_NOTE_KEYS[number]

/** The vision model's reply: one short note per aspect. */
export const VisualNoteTextsSchema = Type.Object({
  appearance: text(MAX_VISUAL_NOTE),
  framing: text(MAX_VISUAL_NOTE),
  lighting: text(MAX_VISUAL_NOTE),
  posture: text(MAX_VISUAL_NOTE)
}, { additionalProperties: false })

export const VisualNotesProducedSchema = Type.Object({
  produced: Type.Literal(true),
  model: text(200),
  prompt_version: text(100),
  /** The times (ms) of the frames the model saw, ascending: the only moments a note may cite. */
  frames: Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, maxItems: MAX_VISUAL_FRAMES }),
  ...VisualNoteTextsSchema.properties
}, { additionalProperties: false })

export const VisualNotesSkippedSchema = Type.Object({
  produced: Type.Literal(false),
  /** Why there are no notes, in one sentence. */
  reason: text(MAX_VISUAL_REASON)
}, { additionalProperties: false })

export const VisualNotesSchema = Type.Union([VisualNotesProducedSchema, VisualNotesSkippedSchema])

/** Feedback as stored: the written feedback plus, since visual notes exist, the visual_notes section. */
export const FeedbackSchema = Type.Object({
  ...WrittenFeedbackSchema.properties,
  visual_notes: Type.Optional(VisualNotesSchema)
}, { additionalProperties: false })

export type Feedback = Static<typeof FeedbackSchema>
export type WrittenFeedback = Static<typeof WrittenFeedbackSchema>
export type VisualNoteTexts = Static<typeof VisualNoteTextsSchema>
export type VisualNotes = Static<typeof VisualNotesSchema>
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

/** A problem when `text` is not mostly in `language` (Hangul against all letters). */
function languageProblem (text: string, language: Language, what: string): string | null {
  const hangul = (text.match(HANGUL) ?? []).length
  const letters = (text.match(/[\p{L}]/gu) ?? []).length
  if (language === 'ko' && hangul < letters / 2) return `${what} must be written in Korean`
  if (language === 'en' && hangul > letters / 2) return `${what} must be written in English`
  return null
}

/** Checks beyond the structure: timestamps inside the video and in order, text in the right language. */
function contentProblems (feedback: WrittenFeedback, expect: FeedbackExpectations): string[] {
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
    const problem = languageProblem(feedback.summary, expect.language, 'summary')
    if (problem) problems.push(problem)
  }
  return problems
}

/** A moment of the video cited in a note: mm:ss, or m:ss as the frame captions write it. */
const MOMENT = /(?<![\d:])(\d{1,3}):([0-5]\d)(?![\d:])/g

/**
 * Checks of visual notes beyond the structure: each moment a note cites is the second of a
 * frame the model saw (it saw nothing else), and the notes are in the feedback's language.
 * `prefix` names where the notes sit ("visual_notes." in stored feedback, "" in the model's reply).
 */
export function visualNoteProblems (notes: VisualNoteTexts, framesMs: readonly number[], language: Language | undefined, prefix = ''): string[] {
  const problems: string[] = []
  const seconds = new Set(framesMs.map((ms) => Math.floor(ms / 1000)))
  const allowed = framesMs.map((ms) => formatTimestamp(ms)).join(', ')
  for (const key of VISUAL_NOTE_KEYS) {
    for (const match of notes[key].matchAll(MOMENT)) {
      if (!seconds.has(Number(match[1]) * 60 + Number(match[2]))) {
        problems.push(`${prefix}${key} cites ${match[0]}, which is not the time of a frame the model was shown (${allowed}); cite only those times`)
      }
    }
  }
  if (language) {
    const problem = languageProblem(VISUAL_NOTE_KEYS.map((key) => notes[key]).join(' '), language, `${prefix || 'the '}notes`)
    if (problem) problems.push(problem)
  }
  return problems
}

/** The visual_notes section of stored feedback: its shape by `produced`, then its content. */
function visualNotesSectionProblems (value: unknown, expect: FeedbackExpectations): string[] {
  const mapping = value !== null && typeof value === 'object' && !Array.isArray(value)
  const produced = mapping ? (value as { produced?: unknown }).produced : undefined
  if (produced !== true && produced !== false) return [mapping ? 'visual_notes.produced must be true or false' : 'visual_notes must be a mapping']
  // Validated inside a wrapper so the problems name the full path (visual_notes.lighting ...).
  const wrapper = Type.Object({ visual_notes: produced ? VisualNotesProducedSchema : VisualNotesSkippedSchema })
  const problems = schemaProblems(wrapper, { visual_notes: value })
  if (problems.length || !produced) return problems
  const notes = value as Static<typeof VisualNotesProducedSchema>
  notes.frames.forEach((ms, i) => {
    if (i > 0 && ms <= notes.frames[i - 1]!) problems.push(`visual_notes.frames must be in ascending order without repeats (${notes.frames.join(', ')})`)
    if (expect.durationS !== undefined && ms > Math.ceil(expect.durationS) * 1000) {
      problems.push(`visual_notes.frames[${i}] (${ms} ms) is after the end of the video (${formatTimestamp(Math.ceil(expect.durationS) * 1000)})`)
    }
  })
  return [...new Set(problems), ...visualNoteProblems(notes, notes.frames, expect.language, 'visual_notes.')]
}

/**
 * Stored feedback, or a writer's (which has no visual_notes). The section is checked apart from
 * the rest: it is never the writer's, and its shape depends on `produced`.
 */
export function validateFeedback (value: unknown, expect: FeedbackExpectations = {}): Validation<Feedback> {
  const hasSection = value !== null && typeof value === 'object' && !Array.isArray(value) && 'visual_notes' in value
  let body = value
  const problems: string[] = []
  if (hasSection) {
    const { visual_notes: section, ...written } = value as Record<string, unknown>
    body = written
    problems.push(...visualNotesSectionProblems(section, expect))
  }
  problems.unshift(...schemaProblems(WrittenFeedbackSchema, body))
  if (problems.length) return { ok: false, problems }
  const content = contentProblems(body as WrittenFeedback, expect)
  return content.length ? { ok: false, problems: content } : { ok: true, value: value as Feedback }
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
    scores: { ...f.scores },
    ...(f.visual_notes ? { visual_notes: canonicalVisualNotes(f.visual_notes) } : {})
  }
}

export function canonicalVisualNotes (v: VisualNotes): VisualNotes {
  if (!v.produced) return { produced: false, reason: v.reason }
  return {
    produced: true,
    model: v.model,
    prompt_version: v.prompt_version,
    frames: [...v.frames],
    appearance: v.appearance,
    framing: v.framing,
    lighting: v.lighting,
    posture: v.posture
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
      if (YAML.isScalar(pair.key) && pair.key.value === 'frames' && YAML.isSeq(pair.value)) pair.value.flow = true
    }
  })
  return document.toString({ lineWidth: 0, flowCollectionPadding: false })
}
