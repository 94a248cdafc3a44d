/**
 * BullMQ sandboxed processor: runs in a child process so decoding and inference never block
 * the API's event loop, and a crash takes down only this child (BullMQ then re-queues the
 * job once its lock expires). Connections and the engine (its models and worker threads) are
 * created once per child and reused across jobs.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq'
import { loadChildConfig } from '../config.js'
import { createLogger } from '../logger.js'
import { createPool } from '../db/mariadb.js'
import { createMongo } from '../db/mongo.js'
import { AnalysisRepository } from '../repositories/analyses.js'
import { ResultsRepository } from '../repositories/results.js'
import { FrameStore } from '../repositories/frame-store.js'
import { createObjectStorage } from '../storage/object-storage.js'
import { AnalysisEngine } from '../engine/analyze.js'
import { writeFeedback } from '../feedback/index.js'
import type { AnalysisJobData } from '../queue/analysis-queue.js'
import { runAnalysisJob, type AnalysisJobDeps, type JobOutcome } from './analyze-video.js'
import { describeFailure } from './failure.js'
import { sweepOrphanedTempFiles } from './temp-files.js'

let deps: AnalysisJobDeps | undefined

// The worker process that forked this one is gone (killed, crashed, or exiting past its
// shutdown grace period): stop now. Going on would finish a job whose lock is no longer
// renewed, which another worker may already be running again, and leave this process behind
// holding its connections. Its ffmpeg ends with it (the pipe it writes to closes).
process.once('disconnect', () => process.exit(1))

function jobDeps (): AnalysisJobDeps {
  if (deps) return deps
  const config = loadChildConfig()
  const pool = createPool(config.mariadb.url, 2)
  let engine: Promise<AnalysisEngine> | undefined
  deps = {
    config,
    analyses: new AnalysisRepository(pool),
    results: new ResultsRepository(pool),
    frames: new FrameStore(createMongo(config.mongodb.url).db),
    storage: createObjectStorage(config.s3),
    engine: () => {
      engine ??= AnalysisEngine.load({ modelsDir: config.modelsDir, emotionModel: config.engine.emotionModel })
      engine.catch(() => { engine = undefined })
      return engine
    },
    writeFeedback: (input) => writeFeedback(input, config.llm, { visualNotes: config.visualNotes }),
    logger: createLogger(config, 'candor-job')
  }
  // What processes killed mid-job left behind; every job sweeps again before it starts.
  const { logger } = deps
  sweepOrphanedTempFiles(config.tmpDir).then(
    (removed) => { if (removed.length > 0) logger.info({ removed }, 'removed temp files of dead processes') },
    (error: unknown) => logger.warn({ err: error }, 'could not sweep the temp folder'))
  return deps
}

export default async function processAnalysisJob (job: SandboxedJob<AnalysisJobData>): Promise<JobOutcome> {
  const attempts = job.opts.attempts ?? 1
  try {
    return await runAnalysisJob(job.data.analysisId, jobDeps(), {
      finalAttempt: job.attemptsMade + 1 >= attempts,
      // Progress lives in the analysis row only. Sent to BullMQ, the worker process writes it
      // to the job; if Redis lost the job, that write fails, and BullMQ's sandbox then fails
      // the job while this child goes on running it, and hands the busy child the worker's
      // next jobs, which all fail at once ("cannot start a not idling child process").
      reportProgress: async () => {}
    })
  } catch (error) {
    const failure = describeFailure(error)
    // BullMQ retries any error; bad input would fail the same way every time.
    if (failure.permanent) throw new UnrecoverableError(failure.message)
    throw new Error(failure.message, { cause: error })
  }
}
