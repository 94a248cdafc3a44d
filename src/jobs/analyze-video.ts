/**
 * The analysis job, free of BullMQ: fetch the video from S3 into a temp file, check it is a
 * video within the limits, record what it is, and record the outcome. The engine stages
 * (face, emotion, voice) plug in after probing.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import crypto from 'node:crypto'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { AnalysisRepository } from '../repositories/analyses.js'
import type { ObjectStorage } from '../storage/object-storage.js'
import { probeVideo } from '../media/ffprobe.js'
import { describeFailure, InputError } from './failure.js'

export interface AnalysisJobDeps {
  config: Pick<Config, 'tmpDir' | 'limits' | 'ffmpeg'>
  analyses: AnalysisRepository
  storage: ObjectStorage
  logger: Logger
}

export interface JobControl {
  /** True when a failure now will not be retried: the analysis must then be marked failed. */
  finalAttempt: boolean
  reportProgress: (progress: number, stage: string) => Promise<void>
}

export type JobOutcome = 'completed' | 'skipped'

export async function runAnalysisJob (analysisId: string, deps: AnalysisJobDeps, control: JobControl): Promise<JobOutcome> {
  const { analyses, storage, config } = deps
  const log = deps.logger.child({ analysisId })
  const analysis = await analyses.get(analysisId)
  if (!analysis) {
    log.warn('analysis row not found; dropping the job')
    return 'skipped'
  }
  if (analysis.status === 'completed') return 'skipped'

  const progress = async (value: number, stage: string) => {
    await analyses.updateProgress(analysisId, value, stage)
    await control.reportProgress(value, stage)
  }
  await fs.mkdir(config.tmpDir, { recursive: true })
  const videoFile = path.join(config.tmpDir, `${analysisId}-${crypto.randomUUID()}.video`)
  try {
    await analyses.markProcessing(analysisId)
    await progress(2, 'downloading')
    const object = await storage.download(analysis.s3Bucket, analysis.s3Key, videoFile, { maxBytes: config.limits.maxVideoBytes })

    await progress(10, 'probing')
    const video = await probeVideo(videoFile, config.ffmpeg)
    if (video.durationS > config.limits.maxVideoSeconds) {
      throw new InputError('video_too_long',
        `video too long: ${formatDuration(video.durationS)} > ${formatDuration(config.limits.maxVideoSeconds)} limit`)
    }
    await analyses.saveVideo(analysisId, video, object.etag)
    log.info({ video }, 'video probed')

    await analyses.markCompleted(analysisId, { analysedFrames: 0, modelVersions: {}, scoreVersion: null })
    return 'completed'
  } catch (error) {
    const failure = describeFailure(error)
    if (failure.permanent || control.finalAttempt) {
      await analyses.markFailed(analysisId, failure.code, failure.message)
    }
    log.warn({ err: error, failure }, 'analysis attempt failed')
    throw error
  } finally {
    await fs.rm(videoFile, { force: true })
  }
}

function formatDuration (seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)}h`
  if (seconds >= 60) return `${Math.round(seconds / 60)}min`
  return `${Math.round(seconds)}s`
}
