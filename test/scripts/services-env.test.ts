/**
 * The README's sequence `cp environment.example .env` then `scripts/services` must work: the
 * script reads .env as the application does (Node's dotenv parser), so unquoted values with
 * spaces (FILLER_WORDS_EN) are values, not commands, and quoted values and comments are honoured.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/config.js'

t.test('scripts/services reads a .env copied from environment.example', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-env-'))
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))
  await fs.cp(path.join(projectRoot, 'scripts'), path.join(root, 'scripts'), { recursive: true })
  const example = await fs.readFile(path.join(projectRoot, 'environment.example'), 'utf8')
  t.match(example, /^FILLER_WORDS_EN=.* .*$/m, 'the example has an unquoted value with spaces')
  // Ports nothing listens on, so status reports them down without touching real services.
  await fs.writeFile(path.join(root, '.env'), `${example}\nS3_ENDPOINT="http://127.0.0.1:1" # quoted, with a comment\nREDIS_URL=redis://127.0.0.1:2\n`)

  const run = spawnSync('bash', [path.join(root, 'scripts/services'), 'status', 'redis', 's3'], {
    env: { PATH: process.env.PATH, CANDOR_DATA_DIR: path.join(root, '.data') }, encoding: 'utf8'
  })
  t.notMatch(run.stderr, /command not found/, 'no line of .env is run as a command')
  t.equal(run.status, 1, `status answers (1: the required services named are down): ${run.stderr}`)
  t.match(run.stdout, /redis\s+127\.0\.0\.1:2\s+down/, 'a plain value is read')
  t.match(run.stdout, /s3\s+http:\/\/127\.0\.0\.1:1\s+down/, 'a quoted value with a comment is read as dotenv reads it')

  const overridden = spawnSync('bash', [path.join(root, 'scripts/services'), 'status', 'redis'], {
    env: { PATH: process.env.PATH, CANDOR_DATA_DIR: path.join(root, '.data'), REDIS_URL: 'redis://127.0.0.1:3' }, encoding: 'utf8'
  })
  t.match(overridden.stdout, /redis\s+127\.0\.0\.1:3\s+down/, 'the real environment wins over .env')
})
