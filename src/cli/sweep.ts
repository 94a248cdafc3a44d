/**
 * npm run sweep: one sweep now (unfinished deletions, RETENTION_DAYS, orphaned artifacts and
 * frames), ignoring the lease the workers take; or, with --tenant and --user, every analysis
 * of one person.
 *
 *   npm run sweep [-- --grace-minutes 15]
 *   npm run sweep -- --tenant acme --user u1 [--source]
 */
import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../config.js'
import { createLogger } from '../logger.js'
import { migrate } from '../db/migrate.js'
import { createPool } from '../db/mariadb.js'
import { createMongo } from '../db/mongo.js'
import { AnalysisRepository } from '../repositories/analyses.js'
import { FrameStore } from '../repositories/frame-store.js'
import { UploadRepository } from '../repositories/uploads.js'
import { createObjectStorage } from '../storage/object-storage.js'
import { createAnalysisQueue } from '../queue/analysis-queue.js'
import { sweepOnce, DEFAULT_GRACE_MS } from '../jobs/sweeper.js'
import { deleteUserAnalyses } from '../services/deletion.js'

const USAGE = 'usage: npm run sweep [-- --grace-minutes n]  |  npm run sweep -- --tenant <id> --user <user_id> [--source]'

let args
try {
  args = parseArgs({
    options: { 'grace-minutes': { type: 'string' }, tenant: { type: 'string' }, user: { type: 'string' }, source: { type: 'boolean', default: false } },
    strict: true
  }).values
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`)
  process.exit(2)
}
const graceMinutes = args['grace-minutes'] === undefined ? DEFAULT_GRACE_MS / 60_000 : Number(args['grace-minutes'])
if (!Number.isFinite(graceMinutes) || graceMinutes < 0) {
  console.error(`--grace-minutes must be a number >= 0, got ${args['grace-minutes']}\n${USAGE}`)
  process.exit(2)
}
if ((args.tenant === undefined) !== (args.user === undefined) || args.tenant === '' || args.user === '') {
  console.error(`--tenant and --user go together, each non-empty\n${USAGE}`)
  process.exit(2)
}
if (args.source && args.user === undefined) {
  console.error(`--source applies to --user only (the sweep decides recordings by itself)\n${USAGE}`)
  process.exit(2)
}

const config = loadConfigOrExit()
const logger = createLogger(config, 'candor-sweep')
await migrate(config.mariadb.url)
const pool = createPool(config.mariadb.url, 2)
const mongo = createMongo(config.mongodb.url)
const storage = createObjectStorage(config.s3)
const queue = createAnalysisQueue(config)
queue.on('error', () => {}) // a job that cannot be removed is logged by the deletion
const deps = { analyses: new AnalysisRepository(pool), frames: new FrameStore(mongo.db), uploads: new UploadRepository(pool), storage, artifactsBucket: config.s3.artifactsBucket, queue, logger }
let exitCode = 0
try {
  if (args.user !== undefined) {
    const result = await deleteUserAnalyses(args.tenant!, args.user, { deleteSource: args.source }, deps)
    console.log(`deleted ${result.analysisIds.length - result.incomplete.length} of ${result.analysisIds.length} analyses of user ${args.user} (tenant ${args.tenant})${args.source ? ' with their recordings' : ''}`)
    for (const failure of result.incomplete) console.error(failure.message)
    if (result.incomplete.length > 0) exitCode = 1
  } else {
    const counts = await sweepOnce(deps, { graceMs: graceMinutes * 60_000, ...(config.retention.days !== undefined ? { retentionDays: config.retention.days } : {}) })
    console.log(JSON.stringify(counts))
    if (counts.failed > 0) exitCode = 1
  }
} catch (error) {
  console.error(`sweep failed: ${(error as Error).message}`)
  exitCode = 1
} finally {
  await queue.close().catch(() => {})
  await pool.end()
  await mongo.client.close()
  storage.destroy()
}
process.exit(exitCode)
