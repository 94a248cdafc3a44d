import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { projectRoot } from '../src/config.js'
import { fixtures } from './helpers/environment.js'

function cli (...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], {
    cwd: projectRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LOG_LEVEL: 'silent' }
  })
}

t.test('analyses a video: summary on stdout, full result in --out', async (t) => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-cli-'))
  t.teardown(() => fs.rm(out, { recursive: true, force: true }))
  const run = cli(path.join(fixtures, 'video/grid/bbaf2n.mpg'), '--out', out)
  t.equal(run.status, 0, run.stderr)
  t.match(run.stdout, /blinks\s+2 \(/)
  t.match(run.stdout, /face in view\s+100\.0 %/)
  t.match(run.stderr, /done in/)
  const result = JSON.parse(await fs.readFile(path.join(out, 'bbaf2n.mpg.analysis.json'), 'utf8'))
  t.equal(result.signals.face.frames.length, 75)
  t.equal(result.signals.face.metrics.blinks.count, 2)

  const json = cli(path.join(fixtures, 'video/grid/bbaf2n.mpg'), '--json', '--fps', '5', '--emotion-fps', '0')
  t.equal(json.status, 0, json.stderr)
  const summary = JSON.parse(json.stdout)
  t.equal(summary.sampling.frames, 15)
  t.notOk(summary.signals.face.frames, 'frames only go to --out')
  t.equal(summary.signals.face.frameCount, 15)
})

t.test('bad input: a clear message and a non-zero exit', async (t) => {
  const missing = cli('/nonexistent/video.webm')
  t.equal(missing.status, 1)
  t.match(missing.stderr, /cannot analyse \/nonexistent\/video\.webm: video file not found/)
  const audio = cli(path.join(fixtures, 'audio/jfk.wav'))
  t.equal(audio.status, 1)
  t.match(audio.stderr, /not a video: no video stream/)
  const usage = cli('a.webm', 'b.webm')
  t.equal(usage.status, 2)
  t.match(usage.stderr, /expected one video, got 2/)
  const badFps = cli('a.webm', '--fps', 'fast')
  t.equal(badFps.status, 2)
  t.match(badFps.stderr, /--fps must be a number/)
})
