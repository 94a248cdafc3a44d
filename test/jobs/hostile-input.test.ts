/**
 * The analysis job against hostile files, with real MariaDB, S3 and MongoDB (or its double)
 * and the real engine: each file is refused from its headers (or its packet count) before
 * decoding, fails once with the limit's code (never retried) and leaves no temp file; a job
 * over its time limit is stopped, ffmpeg and all, and the next job in the same process runs.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { loadConfig, type Config } from '../../src/config.js'
import { createPool } from '../../src/db/mariadb.js'
import { createMongo } from '../../src/db/mongo.js'
import { migrate } from '../../src/db/migrate.js'
import { AnalysisRepository } from '../../src/repositories/analyses.js'
import { ResultsRepository } from '../../src/repositories/results.js'
import { FrameStore } from '../../src/repositories/frame-store.js'
import { writeFeedback } from '../../src/feedback/index.js'
import { runAnalysisJob, type AnalysisJobDeps } from '../../src/jobs/analyze-video.js'
import { describeFailure } from '../../src/jobs/failure.js'
import { testEnvironment, waitFor, fixtures } from '../helpers/environment.js'
import { sharedEngine } from '../helpers/engine.js'
import { mediaChildren } from '../helpers/processes.js'
import {
  declaredSize, tenHoursOfTinyFrames, statedFrameRate, unstatedFrameRate, manyStreams, growingFrames, statedFramesOverTime
} from '../helpers/hostile-media.js'

const control = { finalAttempt: false, reportProgress: async () => {} }

t.test('hostile files fail fast, once, with the limit named, and leave nothing behind', async (t) => {
  const { config, env, storage, logger } = await testEnvironment(t, { mongo: true })
  await migrate(config.mariadb.url)
  const pool = createPool(config.mariadb.url, 4)
  const mongo = createMongo(config.mongodb.url)
  t.teardown(async () => {
    await mongo.client.close()
    await pool.end()
  })
  const analyses = new AnalysisRepository(pool)
  const depsFor = (jobConfig: Config): AnalysisJobDeps => ({
    config: jobConfig,
    analyses,
    results: new ResultsRepository(pool),
    frames: new FrameStore(mongo.db),
    storage,
    engine: sharedEngine,
    writeFeedback: (input) => writeFeedback(input, jobConfig.llm),
    logger
  })
  const deps = depsFor(config)
  await sharedEngine() // loaded once, so the timings below are the job's own

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'candor-hostile-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const bucket = config.s3.uploadsBucket

  async function run (file: string, jobDeps: AnalysisJobDeps = deps) {
    const key = `hostile/${path.basename(file)}`
    await storage.put(bucket, key, await fs.readFile(file))
    const { analysis } = await analyses.create({ tenantId: 'tenant-a', userId: 'u', sessionId: key, s3Bucket: bucket, s3Key: key })
    const started = performance.now()
    const outcome = await runAnalysisJob(analysis.id, jobDeps, control).then((value) => ({ value }), (error: unknown) => ({ error }))
    const ms = Math.round(performance.now() - started)
    return { outcome, ms, row: (await analyses.get(analysis.id))! }
  }

  const cases: Array<[string, string, string, RegExp]> = [
    ['16384x16384 declared', await declaredSize(path.join(dir, 'huge.mkv'), 16384, 16384), 'resolution_too_high', /^resolution too high: 16384x16384 = 268\.4 MP > 8\.8 MP limit$/],
    ['ten hours of 1x1 frames', tenHoursOfTinyFrames(path.join(dir, 'ten-hours.mkv')), 'video_too_long', /^video too long: 10\.0h > 1h limit$/],
    ['1000 fps stated', statedFrameRate(path.join(dir, 'fast.mp4'), 1000, 0.3), 'frame_rate_too_high', /^frame rate too high: 1000 fps > 240 fps limit$/],
    ['230 fps over 1000 s', statedFramesOverTime(path.join(dir, 'frames.mkv'), 230, 1000), 'too_many_frames', /^too many frames: 230001 \(17min at 230 fps\) > 216000 limit$/],
    ['20 streams', manyStreams(path.join(dir, 'streams.mkv'), 20), 'too_many_streams', /^too many streams: 20 > 16 limit$/],
    ['1000 packets a second, no stated rate', unstatedFrameRate(path.join(dir, 'unstated.webm'), 1000, 1.5), 'frame_rate_too_high', /^frame rate too high: 100\d(\.\d+)? fps counted in the file > 240 fps limit$/],
    ['frames decoding larger than the header', await growingFrames(path.join(dir, 'growing.webm'), 3072), 'resolution_too_high', /^resolution too high: frames decode at 3072x3072 = 9\.4 MP > 8\.8 MP limit \(more than the file's header says\)$/]
  ]
  for (const [what, file, code, message] of cases) {
    const { outcome, ms, row } = await run(file)
    t.comment(`${what} (${(await fs.stat(file)).size} bytes): failed in ${ms} ms: ${row.errorMessage}`)
    t.ok('error' in outcome, `${what}: the job fails`)
    if ('error' in outcome) t.match(describeFailure(outcome.error), { code, permanent: true }, `${what}: permanent, never retried`)
    t.match(row, { status: 'failed', errorCode: code, errorMessage: message, attempts: 1 }, what)
    t.same(await fs.readdir(config.tmpDir), [], `${what}: no temp file left`)
  }
  t.same(await mediaChildren(), [], 'no ffmpeg or ffprobe left running')

  t.test('a job over its time limit is stopped and failed; the next job in the process runs', async (t) => {
    // Download and probe take about a second; the engine needs far more than 3 s for this video.
    // (test/engine/cancel.test.ts stops the engine at a chosen moment, without timing.)
    const tight = loadConfig({ ...env, JOB_TIME_LIMIT_SECONDS: '3', JOB_TIME_LIMIT_PER_VIDEO_SECOND: '0' })
    const slow = path.join(fixtures, 'video/sad_to_happy_pexels.mp4')
    const { outcome, ms, row } = await run(slow, depsFor(tight))
    t.comment(`time limit 3 s: stopped after ${ms} ms at stage ${row.stage}, progress ${row.progress.toFixed(0)}: ${row.errorMessage}`)
    t.ok('error' in outcome, 'the job fails')
    if ('error' in outcome) t.match(describeFailure(outcome.error), { code: 'job_timeout', permanent: true }, 'permanent, never retried')
    t.match(row, { status: 'failed', errorCode: 'job_timeout', errorMessage: /^analysis stopped: it took longer than its time limit of 3s/, attempts: 1 })
    t.same(await fs.readdir(config.tmpDir), [], 'no temp file left')
    await waitFor('ffmpeg to be gone', async () => ((await mediaChildren()).length === 0 ? true : undefined), 5000, 50)
    t.pass('no ffmpeg or ffprobe left running')

    const next = await run(path.join(fixtures, 'video/single_face.mp4'))
    t.comment(`the next job: ${next.row.status} in ${next.ms} ms`)
    t.match(next.row, { status: 'completed', analysedFrames: 72 }, 'the engine and its worker threads work for the next job')
  })
})

