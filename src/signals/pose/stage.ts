/**
 * The pose stage: one worker thread running BlazePose (ONNX) on the speaker's body, on a fixed
 * time grid of its own rate.
 *
 * Options (StageOptions):
 *   poseFps    frames per second analysed, 0 turns the stage off; default POSE_STAGE_DEFAULTS.
 *   poseModel  0 = lite, 1 = full (MediaPipe's model_complexity numbering); default 0.
 *
 * Why 10 per second with lite: talking gestures (beats, pointing, hands to face) last a few
 * hundred milliseconds and repeat at 1-3 Hz, so 10 samples a second resolve each one (the
 * Nyquist rate of a 3 Hz beat is 6) and the ROI from the previous frame still holds the body,
 * which moves little in 100 ms. Measured on this 2-core machine: the landmark model alone
 * takes 9.4 ms a crop with lite and 12.1 ms with full (idle machine); inside a whole analysis,
 * sharing the cores with the face stage, about 23 ms a frame with lite (sad_to_happy: 4.6 s
 * of pose against 6.3 s of face mesh, 9.2 s wall for 19.7 s of video). At 10 a second a 66 s
 * video is 660 crops, about 6 s of one core with lite alone and 15 s inside an analysis;
 * full costs about 30 % more, which the 4x real-time target cannot spare. Full is steadier on close-ups (tracked, 0.9-1.3 % of the torso from the
 * official runtime's frame-by-frame landmarks against lite's 1.35-1.5 %, and lite's presence
 * hovers near the 0.5 cut when only the shoulders show) and better on hard COCO poses; poseModel 1 selects it when the budget
 * allows.
 *
 * Landmarks are not smoothed over time. MediaPipe's solution smooths them by default (One
 * Euro, tuned for 30 frames a second); at 10 a second that filter lags and shrinks a gesture's
 * amplitude, which is what the gesture metrics measure; parity is checked frame by frame
 * against the official PoseLandmarker (test/pose/reference.test.ts). The ROI's two points are smoothed, as MediaPipe always does.
 */
import { WorkerRpc, siblingFile } from '../../engine/workers/rpc.js'
import { drained } from '../../engine/workers/drain.js'
import type { StageTimings } from '../../engine/timing.js'
import type { VideoFrame } from '../../media/frames.js'
import type { StageOptions, StageSetup, VideoStageRunner } from '../contract.js'
import type { FaceFrame } from '../face/metrics/types.js'
import { POSE_DETECTOR_FILE } from './engine/detector.js'
import { POSE_LANDMARK_FILES, type PoseModelVariant } from './engine/landmarks.js'
import type { PoseFrame, PoseSignals } from './types.js'
import type { PoseWorkerSetup, PoseResetRequest, PoseTrackRequest } from './worker.js'

export interface PoseStageOptions {
  poseFps: number
  poseModel: 0 | 1
}

export const POSE_STAGE_DEFAULTS: PoseStageOptions = { poseFps: 10, poseModel: 0 }
const VARIANTS: Record<0 | 1, PoseModelVariant> = { 0: 'lite', 1: 'full' }

const here = import.meta.url.startsWith('file:') ? new URL(import.meta.url).pathname : import.meta.url

export function poseStageOptions (options: StageOptions): PoseStageOptions {
  const fps = options.poseFps ?? POSE_STAGE_DEFAULTS.poseFps
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps < 0 || fps > 120) {
    throw new RangeError(`pose option poseFps must be a number from 0 to 120, got ${String(fps)}`)
  }
  const model = options.poseModel ?? POSE_STAGE_DEFAULTS.poseModel
  if (model !== 0 && model !== 1) throw new RangeError(`pose option poseModel must be 0 (lite) or 1 (full), got ${String(model)}`)
  return { poseFps: fps, poseModel: model }
}

async function startWorker (setup: StageSetup): Promise<WorkerRpc> {
  const worker = new WorkerRpc(siblingFile(here, 'worker'), { modelsDir: setup.modelsDir } satisfies PoseWorkerSetup)
  try {
    await worker.call('ready', null)
    return worker
  } catch (error) {
    await worker.close()
    throw error
  }
}

export async function startPoseStage (setup: StageSetup): Promise<VideoStageRunner<PoseFrame>> {
  return new PoseStage(setup, await startWorker(setup))
}

class PoseStage implements VideoStageRunner<PoseFrame> {
  private options = POSE_STAGE_DEFAULTS
  private nextMs = 0

  constructor (private readonly setup: StageSetup, private worker: WorkerRpc) {}

  get models (): Record<string, string> {
    return { pose_detector: POSE_DETECTOR_FILE, pose_landmarks: POSE_LANDMARK_FILES[VARIANTS[this.options.poseModel]] }
  }

  async reset (options: StageOptions): Promise<void> {
    this.options = poseStageOptions(options)
    this.nextMs = 0
    await this.worker.call('reset', { model: VARIANTS[this.options.poseModel] } satisfies PoseResetRequest)
  }

  /** One frame per 1/poseFps slot of a fixed grid, so the rate does not drift with frame timing. */
  wants (timeMs: number): boolean {
    const { poseFps } = this.options
    if (poseFps <= 0 || timeMs < this.nextMs) return false
    while (this.nextMs <= timeMs) this.nextMs += 1000 / poseFps
    return true
  }

  async process (frame: VideoFrame, upstream: ReadonlyMap<string, unknown>): Promise<PoseFrame> {
    const face = (upstream.get('face') as FaceFrame | undefined)?.face?.box ?? null
    const request: PoseTrackRequest = { frame, face }
    const pose = await this.worker.call<PoseSignals | null>('track', request, [frame.data.buffer as ArrayBuffer])
    return { t: frame.timeMs, pose }
  }

  async timings (): Promise<StageTimings> {
    return await this.worker.call<StageTimings>('timings', null)
  }

  /** A thread still busy after a stopped analysis is replaced by a fresh one with the same models. */
  async recover (inFlight: Array<Promise<unknown>>): Promise<void> {
    if (await drained(inFlight)) return
    await this.close()
    this.worker = await startWorker(this.setup)
  }

  async close (): Promise<void> {
    await this.worker.close()
  }
}
