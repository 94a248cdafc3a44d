/**
 * The analysis job's pictures and copies, made from the downloaded recording once the results
 * are stored: per timeline event a thumbnail at its telling moment and a copy with what was
 * measured drawn on it, one timeline overview image, and the browser-ready playback copy. All
 * of it goes to the artifacts bucket under `analyses/{id}/` (so deleting an analysis's files is
 * deleting one prefix) and is recorded in MariaDB. A picture or copy that cannot be made leaves
 * a row saying why; it never fails the analysis. Only a stopped job (time limit, shutdown)
 * stops this.
 */
import fs from 'node:fs/promises'
import sharp from 'sharp'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { ResultsRepository } from '../repositories/results.js'
import type { FrameStore, StoredFrame } from '../repositories/frame-store.js'
import type { ObjectStorage } from '../storage/object-storage.js'
import { artifactsPrefix, eventPictureKeys, overviewKey, playbackKey } from '../storage/artifact-keys.js'
import type { MediaProbe } from '../media/ffprobe.js'
import type { TimelineEvent } from '../signals/contract.js'
import type { SignalOutcome } from '../signals/outcome.js'
import { grabFrames, type GrabbedFrame, type RawImage } from '../artifacts/frame-grab.js'
import { thumbnailJpeg } from '../artifacts/thumbnail.js'
import { annotatedJpeg } from '../artifacts/annotate.js'
import { timelineOverviewJpeg } from '../artifacts/overview.js'
import { makePlaybackCopies } from '../artifacts/playback.js'
import { readCurves } from '../services/timeline-curves.js'
import { describeMoment, pickKeyFrames, MAX_KEY_FRAMES, type KeyFrame } from './key-frames.js'

export type { KeyFrame } from './key-frames.js'

export interface ArtifactDeps {
  config: Pick<Config, 's3' | 'artifacts' | 'ffmpeg'>
  storage: ObjectStorage
  results: ResultsRepository
  frames: FrameStore
  logger: Logger
}

export interface ArtifactInput {
  analysisId: string
  videoFile: string
  tempDir: string
  probe: MediaProbe
  /** Size of the frames the engine analysed: the stored boxes and landmarks are in it. */
  analysedSize: { width: number, height: number }
  /** How the engine sampled the video (its width limit; a frame rate when not every frame), so a grabbed frame is the analysed one. */
  sampling: { maxWidth: number, fps?: number }
  /** Every module's events in stored order: an event's index is its seq. */
  events: readonly TimelineEvent[]
  signals: readonly SignalOutcome[]
  signal: AbortSignal
}


/** More pictures than this per analysis would cost more than they tell; the rest say so. */
export const MAX_EVENT_PICTURES = 200
const OVERVIEW_FRAMES = 8
const JPEG = 'image/jpeg'

/**
 * Removes what an earlier attempt of the same analysis made, so a retry starts clean. S3
 * failing here fails nothing: the same keys are written again, and what is left the deletion
 * of the analysis removes with its prefix.
 */
export async function clearArtifacts (analysisId: string, deps: ArtifactDeps): Promise<void> {
  await deps.results.clearArtifacts(analysisId)
  try {
    await deps.storage.deletePrefix(deps.config.s3.artifactsBucket, artifactsPrefix(analysisId))
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not clear an earlier attempt\'s artifacts')
  }
}

/**
 * Thumbnails and annotated copies for the events that name a telling moment (keyMs); returns
 * the annotated key frames a vision model may look at.
 */
export async function makeEventPictures (input: ArtifactInput, deps: ArtifactDeps): Promise<KeyFrame[]> {
  const wanted = input.events.map((event, seq) => ({ event, seq })).filter(({ event }) => event.keyMs !== undefined)
  const made: Array<{ event: TimelineEvent, keyFrame: KeyFrame }> = []
  const pictured = wanted.slice(0, MAX_EVENT_PICTURES)
  for (const { seq } of wanted.slice(MAX_EVENT_PICTURES)) {
    await deps.results.saveEventPictures(input.analysisId, seq, { thumbnailKey: null, annotatedKey: null, error: `not made: only the first ${MAX_EVENT_PICTURES} events of an analysis get pictures` })
  }
  // A chunk at a time: each grabbed frame is held in memory until its pictures are made.
  for (let from = 0; from < pictured.length; from += GRAB_CHUNK) {
    const chunk = pictured.slice(from, from + GRAB_CHUNK)
    const grabbed = await grabAt(input, deps, chunk.map(({ event }) => event.keyMs!))
    for (const [i, { event, seq }] of chunk.entries()) {
      input.signal.throwIfAborted()
      const keyFrame = await pictureEvent(input, deps, event, seq, grabbed[i]!)
      if (keyFrame) made.push({ event, keyFrame })
    }
  }
  // One place is kept for the typical moment the overview adds.
  return pickKeyFrames(made, MAX_KEY_FRAMES - 1)
}

/** The event's thumbnail and annotated copy in S3 and their keys on its row (or why not); the annotated frame for the vision model. */
async function pictureEvent (input: ArtifactInput, deps: ArtifactDeps, event: TimelineEvent, seq: number, frame: GrabbedFrame): Promise<KeyFrame | null> {
  const atMs = event.keyMs!
  if (!frame.image) {
    await deps.results.saveEventPictures(input.analysisId, seq, { thumbnailKey: null, annotatedKey: null, error: `no frame at ${atMs} ms: ${frame.error ?? 'not decoded'}` })
    return null
  }
  try {
    const keys = eventPictureKeys(input.analysisId, seq, atMs)
    const annotated = await annotatedJpeg(frame.image, await measuredAt(input, deps, atMs), { analysedSize: input.analysedSize, eventKind: event.kind })
    await deps.storage.put(deps.config.s3.artifactsBucket, keys.thumbnail, await thumbnailJpeg(frame.image), JPEG)
    await deps.storage.put(deps.config.s3.artifactsBucket, keys.annotated, annotated, JPEG)
    await deps.results.saveEventPictures(input.analysisId, seq, { thumbnailKey: keys.thumbnail, annotatedKey: keys.annotated, error: null })
    return { jpeg: annotated, atMs, caption: describeMoment(event) }
  } catch (error) {
    if (input.signal.aborted) throw error
    deps.logger.warn({ err: error, seq, atMs }, 'event picture not made')
    await deps.results.saveEventPictures(input.analysisId, seq, { thumbnailKey: null, annotatedKey: null, error: `not made: ${messageOf(error)}` })
    return null
  }
}

/**
 * One image of the whole recording: a strip of frames over the main curves and the events.
 * Returns the strip's middle frame annotated, a typical moment for the vision model (framing,
 * lighting and appearance are worth a note even in a recording without events).
 */
export async function makeTimelineOverview (input: ArtifactInput, deps: ArtifactDeps): Promise<KeyFrame | null> {
  const durationMs = Math.round(Math.max(input.probe.durationS, 0) * 1000)
  const key = overviewKey(input.analysisId)
  try {
    const times = Array.from({ length: OVERVIEW_FRAMES }, (_, i) => Math.round(((i + 0.5) / OVERVIEW_FRAMES) * durationMs))
    const grabbed = await grabAt(input, deps, times)
    const strip = grabbed.filter((g): g is { atMs: number, image: RawImage } => g.image !== undefined).map((g) => ({ atMs: g.atMs, image: g.image }))
    const curves = await readCurves(deps.frames, input.analysisId, input.signals)
    const jpeg = await timelineOverviewJpeg({ durationMs, frames: strip, curves, events: input.events.map(({ kind, startMs, endMs }) => ({ kind, startMs, endMs })) })
    await deps.storage.put(deps.config.s3.artifactsBucket, key, jpeg, JPEG)
    const meta = await sharp(jpeg).metadata()
    await deps.results.saveArtifact(input.analysisId, { name: 'overview', s3Key: key, contentType: JPEG, bytes: jpeg.length, durationS: null, width: meta.width ?? null, height: meta.height ?? null, error: null })
    const middle = strip[Math.floor(strip.length / 2)]
    if (!middle) return null
    const annotated = await annotatedJpeg(middle.image, await measuredAt(input, deps, middle.atMs), { analysedSize: input.analysedSize })
    return { jpeg: annotated, atMs: middle.atMs, caption: 'a typical moment: the middle of the recording' }
  } catch (error) {
    if (input.signal.aborted) throw error
    deps.logger.warn({ err: error }, 'timeline overview not made')
    await deps.results.saveArtifact(input.analysisId, { name: 'overview', s3Key: null, contentType: null, bytes: null, durationS: null, width: null, height: null, error: `not made: ${messageOf(error)}` })
    return null
  }
}

/** The browser-ready copies (artifact `playback`, and `playback_<container>` for any further one). */
export async function makePlayback (input: Pick<ArtifactInput, 'analysisId' | 'videoFile' | 'tempDir' | 'probe' | 'signal'>, deps: ArtifactDeps): Promise<void> {
  try {
    // One thread: it runs beside the engine, which keeps the other core busy.
    const copies = await makePlaybackCopies(input.videoFile, input.tempDir, input.probe, {
      maxHeight: deps.config.artifacts.playbackMaxHeight, tools: deps.config.ffmpeg, signal: input.signal, threads: 1,
      formats: deps.config.artifacts.playbackMp4 ? ['webm', 'mp4'] : ['webm']
    })
    for (const [i, copy] of copies.entries()) {
      const extension = copy.file.slice(copy.file.lastIndexOf('.') + 1)
      const key = playbackKey(input.analysisId, extension)
      const handle = await fs.open(copy.file)
      try {
        await deps.storage.put(deps.config.s3.artifactsBucket, key, handle.createReadStream(), copy.contentType)
      } finally {
        await handle.close()
      }
      await deps.results.saveArtifact(input.analysisId, {
        name: i === 0 ? 'playback' : `playback_${extension}`, s3Key: key, contentType: copy.contentType, bytes: copy.bytes,
        durationS: copy.durationS, width: copy.width, height: copy.height, error: null
      })
    }
  } catch (error) {
    if (input.signal.aborted) throw error
    deps.logger.warn({ err: error }, 'playback copy not made')
    await deps.results.saveArtifact(input.analysisId, { name: 'playback', s3Key: null, contentType: null, bytes: null, durationS: null, width: null, height: null, error: `not made: ${messageOf(error)}` })
  }
}

/** What the kinds that draw on a picture (face box, gaze, head axes, skeleton) measured nearest `atMs`. */
async function measuredAt (input: ArtifactInput, deps: ArtifactDeps, atMs: number): Promise<Record<string, unknown>> {
  const measured: Record<string, unknown> = {}
  for (const s of input.signals) {
    if (s.module.stage.type !== 'video') continue
    const { frames } = await deps.frames.readFrames(input.analysisId, s.kind, { fromMs: atMs - NEAR_MS, toMs: atMs + NEAR_MS, limit: 64 })
    const nearest = frames.reduce<StoredFrame | null>((best, f) => (!best || Math.abs(f.t - atMs) < Math.abs(best.t - atMs) ? f : best), null)
    if (nearest) measured[s.kind] = s.module.codec.decode(nearest)
  }
  return measured
}

/** The analysed frames at these moments (one ffmpeg pass). */
async function grabAt (input: ArtifactInput, deps: ArtifactDeps, times: number[]): Promise<GrabbedFrame[]> {
  return grabFrames(input.videoFile, times, {
    tools: deps.config.ffmpeg, probe: input.probe, signal: input.signal, width: input.sampling.maxWidth,
    ...(input.sampling.fps !== undefined ? { fps: input.sampling.fps } : {})
  })
}

/** Frames grabbed at once: each is held in memory until its pictures are made (0.7 MB at 640x360). */
const GRAB_CHUNK = 50

/** A measurement this far from the picture's moment is still the same pose (pose runs at 10/s). */
const NEAR_MS = 150

function messageOf (error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 400)
}
