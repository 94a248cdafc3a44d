/**
 * The analysis job, free of BullMQ: fetch the video from S3 into a temp file, check it is a
 * video within the limits, run the engine (per-frame signals go to MongoDB in batches as they
 * are produced), store scores and timeline events in MariaDB in one transaction, make the
 * event pictures, timeline overview and playback copy (artifacts.ts), write the coaching
 * feedback, then mark the analysis completed. Every write replaces what an earlier
 * attempt of the same analysis wrote, so a retry after a crash gives the same result. The job
 * runs under a time limit (time-limit.ts), and its files live in a folder of its own that a
 * later job removes should this process die mid-way (temp-files.ts).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { AnalysisRepository, AnalysisRecord } from '../repositories/analyses.js'
import type { ResultsRepository } from '../repositories/results.js'
import type { FrameStore } from '../repositories/frame-store.js'
import type { ObjectStorage } from '../storage/object-storage.js'
import type { AnalysisEngine } from '../engine/analyze.js'
import { transcribe, type Transcript } from '../transcripts/transcribe.js'
import { signalModule } from '../signals/registry.js'
import { analysisOutcome, feedbackSignals } from '../signals/outcome.js'
import type { FrameWriter } from '../repositories/frame-store.js'
import { probeVideo, type MediaProbe } from '../media/ffprobe.js'
import { checkMediaLimits } from '../media/limits.js'
import { untilAborted } from '../abort.js'
import { describeFailure } from './failure.js'
import { JobTimeLimit } from './time-limit.js'
import { createJobTempDir, sweepOrphanedTempFiles } from './temp-files.js'
import type { FeedbackInput, FeedbackResult } from '../feedback/index.js'
import { clearArtifacts, makeEventPictures, makePlayback, makeTimelineOverview } from './artifacts.js'

export interface AnalysisJobDeps {
  config: Pick<Config, 'tmpDir' | 'limits' | 'ffmpeg' | 'engine' | 'feedback' | 'llm' | 'voice' | 's3' | 'artifacts'>
  analyses: AnalysisRepository
  results: ResultsRepository
  frames: FrameStore
  storage: ObjectStorage
  engine: () => Promise<AnalysisEngine>
  writeFeedback: (input: FeedbackInput) => Promise<FeedbackResult>
  logger: Logger
}

export interface JobControl {
  /** True when a failure now will not be retried: the analysis must then be marked failed. */
  finalAttempt: boolean
  reportProgress: (progress: number, stage: string) => Promise<void>
}

export type JobOutcome = 'completed' | 'skipped'

/** Options a request may set (validated by the API's schema before they are stored). */
interface AnalysisOptions { language?: 'en' | 'ko', emotion_fps?: number, fps?: number }

// Progress: download and probe 0-8 %, the engine 8-90 %, storing, pictures, feedback and the playback copy 90-100 %.
const ENGINE_START = 8
const ENGINE_END = 90

export async function runAnalysisJob (analysisId: string, deps: AnalysisJobDeps, control: JobControl): Promise<JobOutcome> {
  const { analyses, config } = deps
  const log = deps.logger.child({ analysisId })
  const analysis = await analyses.get(analysisId)
  if (!analysis) {
    log.warn('analysis row not found; dropping the job')
    return 'skipped'
  }
  if (analysis.status === 'completed') return 'skipped'

  const progress = throttledProgress(analysisId, deps, control)
  // Files left by processes that died mid-job (kill -9) go first; then this job's own folder.
  const swept = await sweepOrphanedTempFiles(config.tmpDir)
  if (swept.length > 0) log.info({ removed: swept }, 'removed temp files of dead processes')
  const tempDir = await createJobTempDir(config.tmpDir)
  const videoFile = path.join(tempDir, 'input.video')
  const timeLimit = new JobTimeLimit(config.limits.jobTimeLimit)
  const { signal } = timeLimit
  // The copy runs beside the rest: stopped with the job, and when the job fails before it ends.
  const copyStop = new AbortController()
  const copySignal = AbortSignal.any([signal, copyStop.signal])
  let playback: Promise<void> | undefined
  try {
    const options = analysis.options as AnalysisOptions
    await analyses.markProcessing(analysisId)
    await progress(1, 'downloading', true)
    const object = await untilAborted(deps.storage.download(analysis.s3Bucket, analysis.s3Key, videoFile, { maxBytes: config.limits.maxVideoBytes }), signal)

    await progress(5, 'probing', true)
    const video = await probeVideo(videoFile, config.ffmpeg, { signal })
    checkMediaLimits(video, config.limits)
    timeLimit.scaleTo(Math.max(video.durationS, video.mediaDurationS))
    await analyses.saveVideo(analysisId, video, object.etag)

    // The playback copy encodes on one thread beside the engine (which leaves part of a core
    // idle), so the analysis seldom waits for it; it never fails the analysis.
    await clearArtifacts(analysisId, deps)
    if (config.artifacts.playbackCopy) {
      const copyStarted = performance.now()
      playback = makePlayback({ analysisId, videoFile, tempDir, probe: video, signal: copySignal }, deps)
        .then(() => log.info({ ms: Math.round(performance.now() - copyStarted) }, 'playback copy done'))
      playback.catch(() => {}) // awaited below; rejects only when the job stops
    }

    const started = performance.now()
    const result = await analyse(analysis, videoFile, video, deps, progress, signal)
    log.info({ frames: result.sampling.frames, seconds: video.durationS, ms: Math.round(performance.now() - started) }, 'video analysed')

    await progress(90, 'transcribing', true)
    const { transcript, transcriptError } = await untilAborted(transcribeIfConfigured(videoFile, tempDir, video, deps), signal)

    await progress(92, 'storing', true)
    // Deleted while it ran (DELETE /analysis/:id): store nothing more; frames already written are the sweeper's.
    if (!(await analyses.get(analysisId))) {
      log.info('analysis deleted while its job ran; stopping')
      return 'skipped'
    }
    const outcome = analysisOutcome(result.signals)
    const { scores } = outcome
    const modelVersions = { engine: result.engineVersion, ...Object.fromEntries(outcome.signals.map((s) => [`${s.kind}_metrics`, s.version])), ...result.models }
    await deps.results.saveResults(analysisId, {
      signals: outcome.signals.map(({ kind, version, metrics }) => ({ kind, version, metrics })),
      scores,
      events: outcome.events,
      analysedFrames: result.sampling.frames,
      modelVersions
    })
    await deps.results.saveTranscript(analysisId, transcript && {
      model: config.voice.transcribeModel,
      language: transcript.language,
      text: transcript.text,
      words: transcript.words,
      wordsPerMinute: transcript.wordsPerMinute,
      fillers: transcript.fillers
    }, transcriptError)

    await progress(93, 'pictures', true)
    const artifacts = {
      analysisId, videoFile, tempDir, probe: video, signal,
      analysedSize: { width: result.sampling.width, height: result.sampling.height },
      sampling: { maxWidth: config.engine.analysisWidth, ...(options.fps ? { fps: options.fps } : {}) },
      events: outcome.events, signals: outcome.signals
    }
    const artifactsStarted = performance.now()
    const eventFrames = await makeEventPictures(artifacts, deps)
    const typicalFrame = await makeTimelineOverview(artifacts, deps)
    log.info({ ms: Math.round(performance.now() - artifactsStarted), keyFrames: eventFrames.length }, 'pictures done')
    const keyFrames = [...eventFrames, ...(typicalFrame ? [typicalFrame] : [])].sort((a, b) => a.atMs - b.atMs)

    await progress(95, 'feedback', true)
    const language = options.language ?? config.feedback.defaultLanguage
    const feedback = await untilAborted(deps.writeFeedback({
      signals: feedbackSignals(outcome), scores, durationS: video.durationS, language, transcript, keyFrames
    }), signal)
    if (feedback.fallbackReason) log.warn({ reason: feedback.fallbackReason }, 'LLM feedback failed; rule-based feedback stored')
    const notes = feedback.feedback.visual_notes
    if (!notes.produced) log.info({ reason: notes.reason }, 'visual notes not produced')
    await deps.results.saveFeedback(analysisId, {
      language: feedback.language,
      source: feedback.source,
      model: feedback.model,
      promptVersion: feedback.promptVersion,
      yaml: feedback.yaml,
      parsed: feedback.feedback,
      fallbackReason: feedback.fallbackReason ?? null
    })
    await progress(98, 'playback', true)
    await playback

    await analyses.markCompleted(analysisId, { analysedFrames: result.sampling.frames, modelVersions, scoreVersion: scores.version })
    return 'completed'
  } catch (thrown) {
    // Once the time is up, whatever broke on the way out (a killed ffmpeg...) is that.
    const error: unknown = signal.aborted ? signal.reason : thrown
    const failure = describeFailure(error)
    if (failure.permanent || control.finalAttempt) {
      await analyses.markFailed(analysisId, failure.code, failure.message)
    }
    log.warn({ err: error, failure }, 'analysis attempt failed')
    throw error
  } finally {
    copyStop.abort(new Error('the analysis job ended first'))
    await playback?.catch(() => {})
    timeLimit.stop()
    await fs.rm(tempDir, { recursive: true, force: true })
  }
}

/**
 * Runs the engine on the already-probed file, writing each kind's frames to MongoDB as they
 * come and replacing an earlier attempt's.
 */
async function analyse (analysis: AnalysisRecord, file: string, probe: MediaProbe, deps: AnalysisJobDeps, progress: ProgressReporter, signal: AbortSignal) {
  const options = analysis.options as AnalysisOptions
  const writers = new Map<string, FrameWriter>()
  const engine = await untilAborted(deps.engine(), signal)
  const result = await engine.analyze(file, deps.config.ffmpeg, {
    probe,
    limits: deps.config.limits,
    signal,
    ...(options.fps ? { fps: options.fps } : {}),
    maxWidth: deps.config.engine.analysisWidth,
    // The request's emotion_fps is the face module's emotionFps.
    signals: { ...deps.config.engine.signals, face: { ...deps.config.engine.signals.face, ...(options.emotion_fps !== undefined ? { emotionFps: options.emotion_fps } : {}) } },
    keepFrames: false,
    onFrames: (kind, frames) => {
      const module = signalModule(kind)!
      if (!writers.has(kind)) writers.set(kind, deps.frames.writer(analysis.id, kind))
      return writers.get(kind)!.add(frames.map((frame) => module.codec.encode(frame)))
    },
    onProgress: ({ fraction }) => { void progress(ENGINE_START + fraction * (ENGINE_END - ENGINE_START), 'analysing') }
  })
  for (const [kind, { frameCount }] of Object.entries(result.signals)) {
    // A kind with no frames this time still clears what an earlier attempt stored.
    const writer = writers.get(kind) ?? deps.frames.writer(analysis.id, kind)
    const stored = await writer.finish()
    if (stored !== frameCount) throw new Error(`stored ${stored} ${kind} frames of ${frameCount}`)
  }
  return result
}

/**
 * The transcript when a speech-to-text API is configured and there is audio; otherwise none
 * (never made up). An API failure is recorded, not fatal: the analysis stands without it.
 */
async function transcribeIfConfigured (file: string, tempDir: string, probe: MediaProbe, deps: AnalysisJobDeps): Promise<{ transcript: Transcript | null, transcriptError?: string }> {
  if (!probe.audio.hasAudio || !deps.config.llm.apiKey) return { transcript: null }
  try {
    return { transcript: await transcribe(file, deps.config.ffmpeg, { llm: deps.config.llm, voice: deps.config.voice, tmpDir: tempDir, audio: probe.audio }) }
  } catch (error) {
    const message = `transcript failed: ${error instanceof Error ? error.message : String(error)}`
    deps.logger.warn({ reason: message }, 'no transcript')
    return { transcript: null, transcriptError: message.slice(0, 500) }
  }
}

type ProgressReporter = (value: number, stage: string, force?: boolean) => Promise<void>

/** Progress to MariaDB and the job, at most every 2 points or on a stage change. */
function throttledProgress (analysisId: string, deps: AnalysisJobDeps, control: JobControl): ProgressReporter {
  let last = { value: -Infinity, stage: '' }
  let pending: Promise<void> = Promise.resolve()
  return (value, stage, force = false) => {
    if (!force && stage === last.stage && value - last.value < 2) return pending
    last = { value, stage }
    pending = pending.then(async () => {
      await deps.analyses.updateProgress(analysisId, value, stage)
      await control.reportProgress(Math.round(value), stage)
    }).catch((error: unknown) => deps.logger.warn({ err: error, analysisId }, 'could not record progress'))
    return pending
  }
}
