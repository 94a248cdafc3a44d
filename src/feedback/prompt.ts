/**
 * The interview prompt (prompts/interview.yaml): loaded and checked as a whole, so a broken edit
 * fails with the file and the key at fault instead of producing a strange prompt, then rendered
 * into chat messages for one language. {{metric_definitions}} is filled from the signal modules'
 * definitions (built from their thresholds), not from the file. Other prompt files of the same
 * layout (prompts/visual-notes.yaml) load through the same checks with their own placeholders.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import YAML from 'yaml'
import { Type, type Static } from 'typebox'
import { projectRoot } from '../config.js'
import { schemaProblems, type Language } from './schema.js'

export const DEFAULT_PROMPT_FILE = path.join(projectRoot, 'prompts', 'interview.yaml')

const Text = Type.String({ minLength: 1, pattern: '\\S' })
const LanguageText = Type.Object({ name: Text, instructions: Text }, { additionalProperties: false })

const PromptFileSchema = Type.Object({
  version: Text,
  system: Text,
  user: Text,
  correction: Text,
  output_schema: Text,
  languages: Type.Object({ en: LanguageText, ko: LanguageText }, { additionalProperties: false })
}, { additionalProperties: false })

export type PromptFile = Static<typeof PromptFileSchema>

/** The placeholders each template may use, and those it must use. */
export type PlaceholderRules = Record<'system' | 'user' | 'correction', { allowed: string[], required: string[] }>

export const INTERVIEW_PLACEHOLDERS: PlaceholderRules = {
  system: { allowed: ['metric_definitions', 'output_schema', 'language_name', 'language_instructions'], required: ['output_schema'] },
  user: { allowed: ['facts', 'duration', 'language_name', 'language_code'], required: ['facts'] },
  correction: { allowed: ['problems', 'language_name', 'language_code'], required: ['problems'] }
}

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g

export class PromptFileError extends Error {
  constructor (file: string, problems: string[]) {
    super(`${displayName(file)}: ${problems.join('; ')}`)
    this.name = 'PromptFileError'
  }
}

export interface InterviewPrompt {
  file: string
  version: string
  templates: PromptFile
}

function displayName (file: string): string {
  const relative = path.relative(projectRoot, file)
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
}

function placeholderProblems (templates: PromptFile, rules: PlaceholderRules): string[] {
  const problems: string[] = []
  for (const [key, rule] of Object.entries(rules) as Array<[keyof PlaceholderRules, PlaceholderRules['system']]>) {
    const used = [...templates[key].matchAll(PLACEHOLDER)].map((m) => m[1]!)
    for (const name of new Set(used)) {
      if (!rule.allowed.includes(name)) problems.push(`${key} uses unknown placeholder {{${name}}} (allowed: ${rule.allowed.map((a) => `{{${a}}}`).join(', ')})`)
    }
    for (const name of rule.required) if (!used.includes(name)) problems.push(`${key} must contain {{${name}}}`)
  }
  // These are inserted as they are: a placeholder in them would reach the model unfilled.
  const literal = { output_schema: templates.output_schema, 'languages.en.instructions': templates.languages.en.instructions, 'languages.ko.instructions': templates.languages.ko.instructions }
  for (const [key, text] of Object.entries(literal)) if (text.match(PLACEHOLDER)) problems.push(`${key} must not contain {{placeholders}}`)
  return problems
}

/** Reads and checks a prompt file; throws PromptFileError naming the file and the bad key. */
export async function loadPrompt (file: string = DEFAULT_PROMPT_FILE, placeholders: PlaceholderRules = INTERVIEW_PLACEHOLDERS): Promise<InterviewPrompt> {
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch (error) {
    throw new PromptFileError(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`])
  }
  const document = YAML.parseDocument(source, { uniqueKeys: true })
  if (document.errors.length) throw new PromptFileError(file, [`is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`])
  const parsed: unknown = document.toJS()
  const problems = schemaProblems(PromptFileSchema, parsed)
  if (problems.length) throw new PromptFileError(file, problems)
  const templates = parsed as PromptFile
  const unfit = placeholderProblems(templates, placeholders)
  if (unfit.length) throw new PromptFileError(file, unfit)
  return { file, version: templates.version, templates }
}

/** Fills {{name}} in one pass, so placeholder-like text inside the values stays as it is. */
export function fill (template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (match, name: string) => values[name] ?? match).trim()
}

export interface RenderInput {
  language: Language
  /** What the measurements mean, one bullet each (every module's definitions: facts.ts metricDefinitions). */
  definitions: string[]
  /** Fact statements, one per line. */
  facts: string[]
  /** The video's length as mm:ss. */
  duration: string
}

export function renderMessages (prompt: InterviewPrompt, input: RenderInput): { system: string, user: string } {
  const t = prompt.templates
  const language = t.languages[input.language]
  const common = { language_name: language.name, language_code: input.language }
  return {
    system: fill(t.system, {
      ...common,
      metric_definitions: input.definitions.map((d) => `- ${d}`).join('\n'),
      output_schema: t.output_schema.trim(),
      language_instructions: language.instructions.trim()
    }),
    user: fill(t.user, { ...common, duration: input.duration, facts: input.facts.map((f) => `- ${f}`).join('\n') })
  }
}

/** The follow-up message after an unusable reply, listing what was wrong with it. */
export function renderCorrection (prompt: InterviewPrompt, language: Language, problems: string[]): string {
  const t = prompt.templates
  return fill(t.correction, {
    language_name: t.languages[language].name,
    language_code: language,
    problems: problems.map((p) => `- ${p}`).join('\n')
  })
}
