/**
 * npm run sequences -- --input DIR --out DIR [options]
 *
 * Landmark sequences for training models: every video under --input (recursively) becomes
 * <out>/<its path>.npz (NumPy, named arrays), listed in <out>/manifest.json and uploaded to
 * s3://<bucket>/<prefix>/. A rerun skips what is done and unchanged; Ctrl-C stops cleanly and
 * the next run resumes. Exit codes: 0 all done, 1 the run could not go on (S3, output folder,
 * manifest, models), 2 bad arguments or config file, 3 finished with failed videos or uploads,
 * 130 interrupted.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../config.js'
import { createS3Client } from '../storage/object-storage.js'
import { createExtractor } from '../datasets/extract.js'
import { ManifestError } from '../datasets/manifest.js'
import {
  checkField, OptionsError, presetName, PRESET_NAMES, PRESETS, readConfigFile, resolveOptions, type ConfigFile, type SequenceOptions
} from '../datasets/presets.js'
import { createProgress } from '../datasets/progress.js'
import { RunError, runSequences } from '../datasets/run.js'
import { DEFAULT_EXTENSIONS, ScanError } from '../datasets/scan.js'

const usage = `usage: npm run sequences -- --input DIR --out DIR [options]

  --input DIR              folder of videos, scanned recursively (${DEFAULT_EXTENSIONS.join(' ')})
  --out DIR                where the .npz files (same tree as the input) and manifest.json go
  --bucket B               S3 bucket to upload to (default: S3_BUCKET)
  --prefix P               S3 key prefix (default: sequences/<name of the input folder>)
  --preset NAME            ${PRESET_NAMES.join(' | ')} (default: the config file's "extends", else production)
  --config FILE            JSON file: {"extends": "<preset>", "fps": 20, ...} overriding the preset
  --signals LIST           pose,face
  --fps N                  frames per second sampled from each video
  --max-frames N           at most N sampled frames per video ("all" for no limit)
  --min-confidence X       drop frames whose landmark confidence is below X (0..1)
  --model lite|full        BlazePose variant
  --concurrency N          videos extracted at once
  --upload-concurrency N   files uploaded at once
  --extensions LIST        file extensions to pick up, e.g. .mp4,.mov
  --skip-upload            write locally only
  --dry-run                print the effective options and what would be done; change nothing
  -h, --help               this text

Flags override the config file, which overrides the preset.`

function fail (message: string, code = 2): never {
  console.error(code === 2 ? `${message}\n\nrun with --help for the options` : message)
  process.exit(code)
}

let args
try {
  args = parseArgs({
    allowPositionals: false,
    options: {
      input: { type: 'string' },
      out: { type: 'string' },
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      preset: { type: 'string' },
      config: { type: 'string' },
      signals: { type: 'string' },
      fps: { type: 'string' },
      'max-frames': { type: 'string' },
      'min-confidence': { type: 'string' },
      model: { type: 'string' },
      concurrency: { type: 'string' },
      'upload-concurrency': { type: 'string' },
      extensions: { type: 'string' },
      'skip-upload': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
} catch (error) {
  fail((error as Error).message)
}
const v = args.values
if (v.help) {
  console.log(usage)
  console.log('\npresets:')
  for (const name of PRESET_NAMES) {
    const p = PRESETS[name]
    console.log(`  ${name.padEnd(14)} signals ${p.signals.join(',')}, fps ${p.fps}, max-frames ${p.maxFrames ?? 'all'}, min-confidence ${p.minConfidence}, model ${p.model}, concurrency ${p.concurrency}`)
  }
  process.exit(0)
}
if (!v.input) fail('--input is required: the folder of videos')
if (!v.out) fail('--out is required: the folder for the .npz files and the manifest')

/** A flag's value checked like the same field in a config file, with the flag named. */
function flag<K extends keyof SequenceOptions> (field: K, name: string, raw: string | undefined, convert: (raw: string) => unknown): SequenceOptions[K] | undefined {
  if (raw === undefined) return undefined
  try {
    return checkField(field, convert(raw), `--${name}`)
  } catch (error) {
    if (error instanceof OptionsError) fail(error.message.replace(`--${name}: ${field} must`, `--${name} must`))
    throw error
  }
}
const number = (raw: string) => (raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw)
const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter((s) => s !== '')

const flags: Partial<SequenceOptions> = {}
const set = <K extends keyof SequenceOptions>(field: K, value: SequenceOptions[K] | undefined) => { if (value !== undefined) flags[field] = value }
set('signals', flag('signals', 'signals', v.signals, list))
set('fps', flag('fps', 'fps', v.fps, number))
set('maxFrames', flag('maxFrames', 'max-frames', v['max-frames'], (raw) => (raw === 'all' ? null : number(raw))))
set('minConfidence', flag('minConfidence', 'min-confidence', v['min-confidence'], number))
set('model', flag('model', 'model', v.model, (raw) => raw))
set('concurrency', flag('concurrency', 'concurrency', v.concurrency, number))
set('uploadConcurrency', flag('uploadConcurrency', 'upload-concurrency', v['upload-concurrency'], number))
set('extensions', flag('extensions', 'extensions', v.extensions, list))

let config: ConfigFile | undefined
let effective
try {
  const preset = v.preset === undefined ? undefined : presetName(v.preset, '--preset')
  if (v.config) config = await readConfigFile(path.resolve(v.config))
  effective = resolveOptions({ ...(preset ? { preset } : {}), ...(config ? { config } : {}), ...(v.config ? { configFile: v.config } : {}), flags })
} catch (error) {
  if (error instanceof OptionsError) fail(error.message)
  throw error
}
if (v['skip-upload'] && (v.bucket !== undefined || v.prefix !== undefined)) {
  console.error('note: --skip-upload given, so --bucket and --prefix are not used')
}
const prefix = v.prefix ?? `sequences/${path.basename(path.resolve(v.input))}`
if (prefix.split('/').includes('..')) fail(`--prefix must not contain "..", got "${prefix}"`)

const appConfig = loadConfigOrExit()
const bucket = v['skip-upload'] ? null : (v.bucket ?? appConfig.s3.uploadsBucket)
if (bucket !== null && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) fail(`--bucket must be a valid S3 bucket name, got "${bucket}"`)
const s3 = bucket !== null ? createS3Client(appConfig.s3) : undefined

// Ctrl-C (or SIGTERM) once: stop taking videos, abort the ones in progress, keep the manifest.
// Twice: quit at once (the manifest on disk is still whole: it is only ever renamed into place).
const controller = new AbortController()
let stopSignal: NodeJS.Signals | null = null
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    if (stopSignal) process.exit(name === 'SIGINT' ? 130 : 143)
    stopSignal = name
    process.stderr.write(`\n${name}: stopping; the manifest keeps what is done (again to quit at once)\n`)
    controller.abort(new Error(`interrupted by ${name}`))
  })
}

let code = 0
try {
  const summary = await runSequences({
    input: v.input, out: v.out, bucket, prefix, effective, skipUpload: v['skip-upload'], dryRun: v['dry-run'],
    ...(s3 ? { s3 } : {}),
    createExtractor: () => createExtractor({
      modelsDir: appConfig.modelsDir, emotionModel: appConfig.engine.emotionModel, tools: appConfig.ffmpeg,
      maxWidth: appConfig.engine.analysisWidth, limits: appConfig.limits
    }),
    progress: createProgress(process.stderr),
    print: (line) => console.log(line),
    signal: controller.signal
  })
  if (summary.interrupted) code = stopSignal === 'SIGTERM' ? 143 : 130
  else if (summary.failed > 0 || summary.uploadFailed > 0) code = 3
} catch (error) {
  if (error instanceof RunError || error instanceof ManifestError || error instanceof ScanError) {
    console.error(`sequences: ${error.message}`)
    code = 1
  } else if (error instanceof Error && /model file missing/.test(error.message)) {
    console.error(`sequences: ${error.message}`)
    code = 1
  } else {
    throw error
  }
} finally {
  s3?.destroy()
}
process.exit(code)
