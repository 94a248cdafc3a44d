/**
 * npm run analyze -- [video] [--out dir] [--fps n] [--emotion-fps n] [--pose-fps n] [--json]
 *
 * Analyses one video file on this machine, with no database or S3. Without a path it uses
 * the default sample from ../shared/fixtures. Progress goes to stderr; a summary table (or,
 * with --json, the metrics as JSON) to stdout; with --out, the full AnalysisResult including
 * every frame is written to <dir>/<video name>.analysis.json.
 */
import fs from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigOrExit, projectRoot } from '../config.js'
import { MediaError } from '../media/ffprobe.js'
import { MediaLimitError } from '../media/limits.js'
import { AnalysisEngine, type AnalysisResult } from '../engine/analyze.js'
import { formatReport } from './report.js'

export const DEFAULT_VIDEO = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'video', 'sad_to_happy_pexels.mp4')

const usage = 'usage: npm run analyze -- [video] [--out dir] [--fps n] [--emotion-fps n] [--pose-fps n] [--json]'

function fail (message: string, code = 1): never {
  console.error(message)
  process.exit(code)
}

function positiveNumber (name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) fail(`--${name} must be a number >= 0, got "${raw}"\n${usage}`, 2)
  return value
}

let args
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      fps: { type: 'string' },
      'emotion-fps': { type: 'string' },
      'pose-fps': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, 2)
}
if (args.values.help) {
  console.log(usage)
  process.exit(0)
}
if (args.positionals.length > 1) fail(`expected one video, got ${args.positionals.length}\n${usage}`, 2)
const video = path.resolve(args.positionals[0] ?? DEFAULT_VIDEO)
if (args.positionals.length === 0 && !existsSync(video)) {
  fail(`no video given and the default sample is missing (${video})\n${usage}`, 2)
}
const fps = positiveNumber('fps', args.values.fps)
const emotionFps = positiveNumber('emotion-fps', args.values['emotion-fps'])
const poseFps = positiveNumber('pose-fps', args.values['pose-fps'])

const config = loadConfigOrExit()
const started = performance.now()
// On a terminal one progress line is rewritten in place; in a log, a line every 10 %.
const interactive = process.stderr.isTTY
let lastShown = -Infinity
let result: AnalysisResult
try {
  const engine = await AnalysisEngine.load({ modelsDir: config.modelsDir, emotionModel: config.engine.emotionModel })
  result = await engine.analyze(video, config.ffmpeg, {
    ...(fps ? { fps } : {}),
    signals: {
      ...config.engine.signals,
      face: { ...config.engine.signals.face, ...(emotionFps !== undefined ? { emotionFps } : {}) },
      pose: { ...config.engine.signals.pose, ...(poseFps !== undefined ? { poseFps } : {}) }
    },
    maxWidth: config.engine.analysisWidth,
    limits: config.limits,
    onProgress: ({ stage, framesDone, framesExpected, fraction }) => {
      const mark = interactive ? performance.now() / 500 : fraction * 10
      if (stage === 'analysing' && Math.floor(mark) === Math.floor(lastShown)) return
      lastShown = mark
      const line = `${stage} ${Math.round(fraction * 100)}%${stage === 'analysing' ? ` ${framesDone}/${framesExpected} frames` : ''}`
      process.stderr.write(interactive ? `\r${line}   ` : `${line}\n`)
    }
  })
  process.stderr.write(`${interactive ? '\r' : ''}done in ${((performance.now() - started) / 1000).toFixed(1)} s${' '.repeat(interactive ? 30 : 0)}\n`)
} catch (error) {
  process.stderr.write('\n')
  if (error instanceof MediaError || error instanceof MediaLimitError) fail(`cannot analyse ${video}: ${error.message}`)
  if (error instanceof Error && /model file missing/.test(error.message)) fail(error.message)
  throw error
}

if (args.values.out) {
  await fs.mkdir(args.values.out, { recursive: true })
  const file = path.join(args.values.out, `${path.basename(video)}.analysis.json`)
  await fs.writeFile(file, JSON.stringify(result))
  process.stderr.write(`full result: ${file}\n`)
}
// Without --out the per-frame records stay out of the JSON: the metrics are the summary.
const summary = { ...result, signals: Object.fromEntries(Object.entries(result.signals).map(([kind, { frames: _frames, ...rest }]) => [kind, rest])) }
console.log(args.values.json ? JSON.stringify(summary, null, 2) : formatReport(result))
