/**
 * npm run analyze -- [video] [--out dir] [--fps n] [--json]
 *
 * Analyses one video file on this machine, with no database or S3. Without a path it uses
 * the default sample from ../shared/fixtures. Progress goes to stderr, the summary to stdout.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigOrExit, projectRoot } from '../config.js'
import { probeVideo, MediaError } from '../media/ffprobe.js'

export const DEFAULT_VIDEO = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'video', 'sad_to_happy_pexels.mp4')

const usage = 'usage: npm run analyze -- [video] [--out dir] [--fps n] [--json]'

function fail (message: string, code = 1): never {
  console.error(message)
  process.exit(code)
}

let args
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      fps: { type: 'string' },
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
if (args.positionals.length === 0 && !fs.existsSync(video)) {
  fail(`no video given and the default sample is missing (${video})\n${usage}`, 2)
}

const config = loadConfigOrExit()
try {
  const metadata = await probeVideo(video, config.ffmpeg)
  if (args.values.json) {
    console.log(JSON.stringify({ file: video, video: metadata }, null, 2))
  } else {
    console.log(`${path.basename(video)}: ${metadata.width}x${metadata.height} ${metadata.videoCodec}, ` +
      `${metadata.durationS.toFixed(1)} s at ${metadata.fps.toFixed(2)} fps, audio: ${metadata.audioCodec ?? 'none'}`)
  }
} catch (error) {
  if (error instanceof MediaError) fail(`cannot analyse ${video}: ${error.message}`)
  throw error
}
