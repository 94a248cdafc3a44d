/**
 * npm run fuzz:media [-- --variants 200 --seed 1 --workers 2 --time-limit 20 --keep]: mutated
 * videos (byte flips, truncations, edited headers) through the API and real worker processes;
 * exits 1 when any analysis does not end completed or failed with a reason, a worker or job
 * process dies, a job outlives the time limit, or a temp file or ffmpeg is left behind.
 *
 * Runs on isolated resources like the tests (its own MariaDB database, Redis queue prefix, S3
 * bucket, CANDOR_TMP_DIR, and the MongoDB test double unless MONGODB_URL is set), all removed
 * at the end, also on failure or Ctrl-C. The variants, report.json and the workers' logs stay
 * in the printed folder when the run fails (or with --keep); the same seed makes the same files.
 * How it works: test/helpers/media-fuzz.ts; the mutations: test/support/media-fuzz/.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { runMediaFuzz, formatReport } from '../test/helpers/media-fuzz.js'
import { Cleanup } from '../test/helpers/cleanup.js'
import { wholeNumber } from './cli-options.js'

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    'time-limit': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false }
  }
})



const options = {
  variants: wholeNumber('variants', args.variants, 1, 100_000),
  seed: wholeNumber('seed', args.seed, 0, 2 ** 32 - 1),
  workers: wholeNumber('workers', args.workers, 1, 16),
  timeLimitS: wholeNumber('time-limit', args['time-limit'], 1, 3600)
}
const dir = await fs.mkdtemp(path.join(os.tmpdir(), `candor-fuzz-media-${options.seed}-`))
const cleanup = new Cleanup()
process.once('SIGINT', () => {
  console.error('interrupted: cleaning up')
  void cleanup.run().finally(() => process.exit(130))
})

let failed = true
try {
  const report = await runMediaFuzz(cleanup, { ...options, dir, log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`) })
  console.log(formatReport(report).join('\n'))
  failed = report.violations.length > 0
} catch (error) {
  console.error(`fuzz run failed: ${(error as Error).stack ?? String(error)}`)
} finally {
  await cleanup.run()
  if (failed || args.keep) console.log(`variants, report.json and worker logs kept in ${dir}`)
  else await fs.rm(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
