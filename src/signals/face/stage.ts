/**
 * The face stage: two worker threads, because onnxruntime-node runs inference on the calling
 * thread. The face worker runs the tracking chain (each frame's crop comes from the previous
 * frame's landmarks, so it is sequential); the aux worker turns each tracked frame into signals
 * (blendshapes, head pose, gaze), estimates emotion and counts other faces when due, off the
 * tracking path. Every decoded frame is analysed.
 */
import { WorkerRpc, siblingFile } from '../../engine/workers/rpc.js'
import { drained } from '../../engine/workers/drain.js'
import type { StageTimings } from '../../engine/timing.js'
import type { VideoFrame } from '../../media/frames.js'
import type { StageOptions, StageSetup, VideoStageRunner } from '../contract.js'
import type { FaceFrame } from './metrics/types.js'
import { MESH_FILE } from './engine/mesh.js'
import { BLENDSHAPES_FILE } from './engine/blendshapes.js'
import { DETECTOR_FILE } from './engine/yunet.js'
import { BLAZEFACE_FILE } from './engine/blazeface.js'
import type { WorkerSetup, TrackReply, DescribeRequest, DescribeReply } from './workers/protocol.js'

/** Face options an analysis may set (StageOptions under the `face` kind). */
export interface FaceStageOptions {
  /** How often emotion is estimated (per second of video); 0 turns it off. Default 5. */
  emotionFps: number
  /** How often other faces in view are counted while the main face is tracked. Default 1000. */
  countFacesEveryMs: number
  /**
   * 1 keeps the models' raw outputs on each face (FaceSignals.raw: the 478 landmarks normalised
   * as tasks-vision does, all 52 blendshapes, the presence score), for datasets; default 0.
   * Never stored: the codec ignores them.
   */
  landmarks: 0 | 1
}

export const FACE_STAGE_DEFAULTS: FaceStageOptions = { emotionFps: 5, countFacesEveryMs: 1000, landmarks: 0 }

const here = import.meta.url.startsWith('file:') ? new URL(import.meta.url).pathname : import.meta.url

export function faceStageOptions (options: StageOptions): FaceStageOptions {
  const number = (key: keyof FaceStageOptions, min: number, max: number): number => {
    const value = options[key] ?? FACE_STAGE_DEFAULTS[key]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(`face option ${key} must be a number from ${min} to ${max}, got ${String(value)}`)
    }
    return value
  }
  const landmarks = options.landmarks ?? FACE_STAGE_DEFAULTS.landmarks
  if (landmarks !== 0 && landmarks !== 1) throw new RangeError(`face option landmarks must be 0 or 1, got ${String(landmarks)}`)
  return { emotionFps: number('emotionFps', 0, 60), countFacesEveryMs: number('countFacesEveryMs', 1, 3_600_000), landmarks }
}

interface Workers { face: WorkerRpc, aux: WorkerRpc, emotionModelFile: string }

/** Starts both worker threads and waits until each has loaded its models. */
async function startWorkers (setup: StageSetup): Promise<Workers> {
  const data: WorkerSetup = { modelsDir: setup.modelsDir, emotionModel: setup.emotionModel }
  const face = new WorkerRpc(siblingFile(here, 'workers/face-worker'), data)
  const aux = new WorkerRpc(siblingFile(here, 'workers/aux-worker'), data)
  try {
    const [, ready] = await Promise.all([face.call('ready', null), aux.call<{ emotionModelFile: string }>('ready', null)])
    return { face, aux, emotionModelFile: ready.emotionModelFile }
  } catch (error) {
    await Promise.all([face.close(), aux.close()])
    throw error
  }
}

export async function startFaceStage (setup: StageSetup): Promise<VideoStageRunner<FaceFrame>> {
  return new FaceStage(setup, await startWorkers(setup))
}

class FaceStage implements VideoStageRunner<FaceFrame> {
  readonly models: Record<string, string>
  private options = FACE_STAGE_DEFAULTS
  private nextEmotionMs = 0
  private nextCountMs = 0
  private otherFaces = 0
  /** Frames finish in the order they were given, so "other faces" carries over in time order. */
  private previous: Promise<unknown> = Promise.resolve()
  private due = { emotion: false, count: false }

  constructor (private readonly setup: StageSetup, private workers: Workers) {
    this.models = { detector: DETECTOR_FILE, closeup_detector: BLAZEFACE_FILE, mesh: MESH_FILE, blendshapes: BLENDSHAPES_FILE, emotion: workers.emotionModelFile }
  }

  async reset (options: StageOptions): Promise<void> {
    this.options = faceStageOptions(options)
    this.nextEmotionMs = 0
    this.nextCountMs = 0
    this.otherFaces = 0
    this.previous = Promise.resolve()
    await Promise.all([this.workers.face.call('reset', null), this.workers.aux.call('reset', null)])
  }

  /**
   * Every frame. Emotion runs on a fixed time grid (one estimate per 1/emotionFps slot), so the
   * rate does not drift with frame timing; slots without a face are skipped, not made up later.
   */
  wants (timeMs: number): boolean {
    const { emotionFps, countFacesEveryMs } = this.options
    this.due.emotion = emotionFps > 0 && timeMs >= this.nextEmotionMs
    while (emotionFps > 0 && this.nextEmotionMs <= timeMs) this.nextEmotionMs += 1000 / emotionFps
    this.due.count = timeMs >= this.nextCountMs
    if (this.due.count) this.nextCountMs = timeMs + countFacesEveryMs
    return true
  }

  process (frame: VideoFrame): Promise<FaceFrame> {
    const analysed = this.analyse(frame, this.due.emotion, this.due.count)
    const ordered = this.previous.then(() => analysed).then(({ described, tracked }) => {
      // Counts arrive in frame order; each holds until the next one.
      if (tracked.otherFaces !== null) this.otherFaces = tracked.otherFaces
      if (described.otherFaces !== undefined) this.otherFaces = described.otherFaces
      return { t: frame.timeMs, face: described.face, otherFaces: this.otherFaces, ...(described.emotion ? { emotion: described.emotion } : {}) }
    })
    this.previous = ordered.catch(() => {})
    return ordered
  }

  /** One frame through both workers; pixels are copied only when the aux worker needs them. */
  private async analyse (frame: VideoFrame, wantEmotion: boolean, wantCount: boolean): Promise<{ described: DescribeReply, tracked: TrackReply }> {
    const pixels = wantEmotion || wantCount ? { ...frame, data: frame.data.slice() } : null
    const tracked = await this.workers.face.call<TrackReply>('track', { frame }, [frame.data.buffer as ArrayBuffer])
    const request: DescribeRequest = {
      width: frame.width,
      height: frame.height,
      landmarks: tracked.main?.landmarks ?? null,
      roi: tracked.main?.roi ?? null,
      frame: pixels,
      emotion: wantEmotion,
      countFaces: wantCount && tracked.main !== null,
      ...(this.options.landmarks === 1 && tracked.main ? { raw: { presence: tracked.main.presence } } : {})
    }
    const transfer = [request.landmarks?.buffer, pixels?.data.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer)
    const described = await this.workers.aux.call<DescribeReply>('describe', request, transfer)
    return { described, tracked }
  }

  async timings (): Promise<StageTimings> {
    const [face, aux] = await Promise.all([this.workers.face.call<StageTimings>('timings', null), this.workers.aux.call<StageTimings>('timings', null)])
    return { ...face, ...aux }
  }

  /** Threads still busy after a stopped analysis are replaced by fresh ones with the same models. */
  async recover (inFlight: Array<Promise<unknown>>): Promise<void> {
    if (await drained(inFlight)) return
    await this.close()
    this.workers = await startWorkers(this.setup)
  }

  async close (): Promise<void> {
    await Promise.all([this.workers.face.close(), this.workers.aux.close()])
  }
}
