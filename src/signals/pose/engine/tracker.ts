/**
 * Follows the speaker's body through a video as MediaPipe's pose landmarker does on video: the
 * detector finds a body, then each frame's auxiliary landmarks (smoothed) give the next frame's
 * ROI, and the detector runs again only once the landmark model's presence drops below 0.5
 * (on the next frame, as MediaPipe). Added for a speaker among other people: the body chosen
 * is the one at the speaker's face (speaker.ts), and a tracked body whose head leaves the
 * speaker's face is dropped and the speaker's body looked for again in the same frame.
 */
import type { RgbImage } from '../../../engine/image.js'
import { StageTimer } from '../../../engine/timing.js'
import type { PoseDetector } from './detector.js'
import type { PoseLandmarkModel, PoseLandmarkResult } from './landmarks.js'
import { roiFromAlignment, type PoseRoi } from './roi.js'
import { PointsSmoother, AUX_SMOOTHING } from './filter.js'
import { chooseSpeaker, bodyMatchesFace, type Box } from './speaker.js'

export interface PoseTrackerOptions {
  /** Landmark-model presence below this ends the track (MediaPipe's min_tracking_confidence). */
  minPresence: number
  /** Detector score threshold (MediaPipe's min_detection_confidence). */
  minDetectionScore: number
  /**
   * A body that is not the speaker's is searched past at most this often: the detector costs
   * about as much as the landmarks, and when the face stage and the body disagree for long
   * (a face detected on a poster) it must not run on every frame.
   */
  recheckEveryMs: number
}

export const POSE_TRACKER_DEFAULTS: PoseTrackerOptions = { minPresence: 0.5, minDetectionScore: 0.5, recheckEveryMs: 1000 }

export class PoseTracker {
  private roi: PoseRoi | null = null
  private readonly aux = new PointsSmoother(AUX_SMOOTHING)
  private lastRecheckMs = -Infinity

  constructor (
    private readonly detector: PoseDetector,
    private readonly landmarks: PoseLandmarkModel,
    private readonly options: PoseTrackerOptions = POSE_TRACKER_DEFAULTS,
    private readonly timings = new StageTimer()
  ) {}

  /** The speaker's body in this frame, or null. `face` is the speaker's face box in pixels, when known. */
  async next (frame: RgbImage, timeMs: number, face: Box | null): Promise<PoseLandmarkResult | null> {
    let detected = false
    if (!this.roi) {
      detected = true
      if (!await this.acquire(frame, face)) return null
    }
    let result = await this.track(frame, timeMs)
    if (result && face && !detected && !bodyMatchesFace(result.body, face) && timeMs - this.lastRecheckMs >= this.options.recheckEveryMs) {
      this.lastRecheckMs = timeMs
      this.drop()
      result = await this.acquire(frame, face) ? await this.track(frame, timeMs) : null
    }
    return result
  }

  private drop (): void {
    this.roi = null
    this.aux.reset()
  }

  private async acquire (frame: RgbImage, face: Box | null): Promise<boolean> {
    const detections = await this.timings.time('pose_detect', () => this.detector.detect(frame, this.options.minDetectionScore))
    const chosen = chooseSpeaker(detections, face)
    if (!chosen) return false
    const [[cx, cy], [sx, sy]] = chosen.keypoints as [[number, number], [number, number]]
    this.roi = roiFromAlignment(cx, cy, sx, sy)
    return true
  }

  /** Landmarks in the current ROI; the next ROI from the smoothed auxiliary points, or the track ends. */
  private async track (frame: RgbImage, timeMs: number): Promise<PoseLandmarkResult | null> {
    const roi = this.roi!
    const result = await this.timings.time('pose_landmarks', () => this.landmarks.run(frame, roi))
    if (result.presence < this.options.minPresence) {
      this.drop()
      return null
    }
    const [cx, cy, sx, sy] = this.aux.apply(timeMs, result.aux) as unknown as [number, number, number, number]
    this.roi = roiFromAlignment(cx, cy, sx, sy)
    return result
  }
}
