/**
 * Named option sets for `npm run sequences`, a JSON config file that extends one, and the
 * command-line flags on top: preset < config file < flags. Every field is checked here with a
 * message naming the field and where it came from.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { SequenceSignal } from './extract.js'
import { DEFAULT_EXTENSIONS, normaliseExtensions, ScanError } from './scan.js'

export interface SequenceOptions {
  /** Which landmark sets to extract: pose (33 points, world coordinates, visibility), face. */
  signals: SequenceSignal[]
  /** Frames per second sampled from each video. */
  fps: number
  /** At most this many sampled frames per video (null: the whole video). */
  maxFrames: number | null
  /** Frames whose landmark confidence is below this are dropped (their timestamps stay honest). */
  minConfidence: number
  /** BlazePose variant. */
  model: 'lite' | 'full'
  /** Videos extracted at once (each runs its own engine with its worker threads). */
  concurrency: number
  /** Files uploaded to S3 at once. */
  uploadConcurrency: number
  /** File extensions the scan picks up (case-insensitive). */
  extensions: string[]
}

export const PRESET_NAMES = ['development', 'production', 'high-accuracy', 'fast'] as const
export type PresetName = typeof PRESET_NAMES[number]
export const DEFAULT_PRESET: PresetName = 'production'

export const PRESETS: Readonly<Record<PresetName, Readonly<SequenceOptions>>> = {
  /** Quick looks while building a pipeline: few frames, the light model, short clips. */
  development: { signals: ['pose'], fps: 5, maxFrames: 150, minConfidence: 0.5, model: 'lite', concurrency: 1, uploadConcurrency: 4, extensions: [...DEFAULT_EXTENSIONS] },
  /** The default: pose at 15 fps with the full model, whole videos. */
  production: { signals: ['pose'], fps: 15, maxFrames: null, minConfidence: 0.5, model: 'full', concurrency: 1, uploadConcurrency: 4, extensions: [...DEFAULT_EXTENSIONS] },
  /** Every signal at 30 fps with the full model, keeping only confident frames. */
  'high-accuracy': { signals: ['pose', 'face'], fps: 30, maxFrames: null, minConfidence: 0.7, model: 'full', concurrency: 1, uploadConcurrency: 4, extensions: [...DEFAULT_EXTENSIONS] },
  /** Throughput first: pose at 10 fps with the lite model, two videos at once. */
  fast: { signals: ['pose'], fps: 10, maxFrames: null, minConfidence: 0.5, model: 'lite', concurrency: 2, uploadConcurrency: 8, extensions: [...DEFAULT_EXTENSIONS] }
}

export class OptionsError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'OptionsError'
  }
}

export type OptionSource = 'preset' | 'config' | 'flag'

export interface EffectiveOptions {
  preset: PresetName
  configFile: string | null
  options: SequenceOptions
  /** Where each field's value came from. */
  sources: Record<keyof SequenceOptions, OptionSource>
}

const FIELDS = ['signals', 'fps', 'maxFrames', 'minConfidence', 'model', 'concurrency', 'uploadConcurrency', 'extensions'] as const satisfies ReadonlyArray<keyof SequenceOptions>
const SIGNALS: readonly SequenceSignal[] = ['pose', 'face']

/** Field names as flags use them (max-frames) and as JSON uses them (maxFrames) both map here. */
const FLAG_NAMES: Record<keyof SequenceOptions, string> = {
  signals: 'signals', fps: 'fps', maxFrames: 'max-frames', minConfidence: 'min-confidence', model: 'model',
  concurrency: 'concurrency', uploadConcurrency: 'upload-concurrency', extensions: 'extensions'
}

export function presetName (raw: string, where: string): PresetName {
  if ((PRESET_NAMES as readonly string[]).includes(raw)) return raw as PresetName
  throw new OptionsError(`${where}: unknown preset "${raw}"; the presets are ${PRESET_NAMES.join(', ')}`)
}

/**
 * Checks one field's value (from JSON, or a flag's string already split/converted by the
 * caller) and returns it typed; `where` names the source in the message.
 */
export function checkField<K extends keyof SequenceOptions> (field: K, value: unknown, where: string): SequenceOptions[K] {
  const fail = (expected: string): never => {
    throw new OptionsError(`${where}: ${field} must be ${expected}, got ${JSON.stringify(value)}`)
  }
  const number = (min: number, max: number, whole: boolean) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
      fail(`${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`)
    }
    return value as number
  }
  switch (field) {
    case 'signals': {
      if (!Array.isArray(value) || value.length === 0) fail(`a non-empty list of ${SIGNALS.join(', ')}`)
      const list = value as unknown[]
      for (const s of list) if (typeof s !== 'string' || !(SIGNALS as readonly string[]).includes(s)) fail(`a list of ${SIGNALS.join(', ')}`)
      // Always in one order, so the same set gives the same fingerprint and file layout.
      return SIGNALS.filter((s) => list.includes(s)) as SequenceOptions[K]
    }
    case 'fps': return number(0.1, 60, false) as SequenceOptions[K]
    case 'maxFrames': return (value === null ? null : number(1, 10_000_000, true)) as SequenceOptions[K]
    case 'minConfidence': return number(0, 1, false) as SequenceOptions[K]
    case 'model': return (value === 'lite' || value === 'full' ? value : fail('"lite" or "full"')) as SequenceOptions[K]
    case 'concurrency': return number(1, 16, true) as SequenceOptions[K]
    case 'uploadConcurrency': return number(1, 64, true) as SequenceOptions[K]
    case 'extensions': {
      if (!Array.isArray(value) || value.some((e) => typeof e !== 'string')) fail('a list of file extensions such as [".mp4", ".mov"]')
      try {
        return normaliseExtensions(value as string[]) as SequenceOptions[K]
      } catch (error) {
        if (error instanceof ScanError) throw new OptionsError(`${where}: extensions: ${error.message}`)
        throw error
      }
    }
  }
  throw new OptionsError(`${where}: unknown field ${String(field)}`)
}

export interface ConfigFile {
  extends?: PresetName
  fields: Partial<SequenceOptions>
}

/** Reads and checks a config file: {"extends": "production", "fps": 20, ...}; unknown keys are errors. */
export async function readConfigFile (file: string): Promise<ConfigFile> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    throw new OptionsError(`--config ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new OptionsError(`--config ${file}: not valid JSON (${(error as Error).message})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new OptionsError(`--config ${file}: must be a JSON object such as {"extends": "production", "fps": 20}`)
  const where = `--config ${path.basename(file)}`
  const out: ConfigFile = { fields: {} }
  for (const [key, value] of Object.entries(json)) {
    if (key === '$comment' || key === 'description') continue
    if (key === 'extends') {
      if (typeof value !== 'string') throw new OptionsError(`${where}: extends must name a preset (${PRESET_NAMES.join(', ')}), got ${JSON.stringify(value)}`)
      out.extends = presetName(value, where)
      continue
    }
    const field = FIELDS.find((f) => f === key || FLAG_NAMES[f] === key)
    if (!field) throw new OptionsError(`${where}: unknown field "${key}"; the fields are extends, ${FIELDS.join(', ')}`)
    ;(out.fields as Record<string, unknown>)[field] = checkField(field, value, where)
  }
  return out
}

/**
 * The options a run uses: the preset (--preset, else the config file's "extends", else
 * production), then the config file's fields, then the flags.
 */
export function resolveOptions (input: { preset?: PresetName, config?: ConfigFile, configFile?: string, flags: Partial<SequenceOptions> }): EffectiveOptions {
  const preset = input.preset ?? input.config?.extends ?? DEFAULT_PRESET
  const options = structuredClone(PRESETS[preset]) as SequenceOptions
  const sources = Object.fromEntries(FIELDS.map((f) => [f, 'preset'])) as Record<keyof SequenceOptions, OptionSource>
  for (const [layer, fields] of [['config', input.config?.fields ?? {}], ['flag', input.flags]] as const) {
    for (const field of FIELDS) {
      if (fields[field] === undefined) continue
      ;(options as unknown as Record<string, unknown>)[field] = fields[field]
      sources[field] = layer
    }
  }
  return { preset, configFile: input.configFile ?? null, options, sources }
}

/** The effective configuration for a person, one field a line with where it came from. */
export function describeOptions (effective: EffectiveOptions): string {
  const lines = [`preset: ${effective.preset}${effective.configFile ? ` (extended by ${effective.configFile})` : ''}`]
  for (const field of FIELDS) {
    const value = effective.options[field]
    const shown = Array.isArray(value) ? value.join(',') : value === null ? 'all' : String(value)
    lines.push(`  ${FLAG_NAMES[field].padEnd(18)} ${shown.padEnd(28)} (${effective.sources[field]})`)
  }
  return lines.join('\n')
}

/** The fields that change an extracted file; a change means re-extracting. */
export function extractionFingerprint (options: SequenceOptions): string {
  return JSON.stringify({ signals: options.signals, fps: options.fps, maxFrames: options.maxFrames, minConfidence: options.minConfidence, model: options.model })
}
