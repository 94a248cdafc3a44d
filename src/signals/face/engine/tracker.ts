/**
 * Follows the main speaker's face through a video, as MediaPipe's face landmarker does: the
 * detector finds the face, then each frame's mesh landmarks give the next frame's crop, and
 * the detector runs again only when the track is lost. (Counting other faces in view on a
 * schedule is separate: countOtherFaces, run by the engine off the tracking path.)
 *
 * The main speaker is chosen when a track starts: the detection nearest to where the main face
 * was last seen (same person back in view), else the largest, most central face. While a track
 * lasts it is never switched to another face.
 */
import type { VideoFrame } from '../../../media/frames.js'
import type { YuNetDetector, FaceDetection, Rect } from './yunet.js'
import type { FaceMeshModel, MeshResult } from './mesh.js'
import { roiFromDetection, roiFromLandmarks, type FaceRoi } from './roi.js'
import { StageTimer } from '../../../engine/timing.js'

export interface TrackerOptions {
  /** While no face is in view, look for one at most this often (the detector is the costly part). */
  searchEveryMs: number
  /** Mesh presence below this ends the track (MediaPipe's min_tracking_confidence). */
  minPresence: number
}

export const TRACKER_DEFAULTS: TrackerOptions = { searchEveryMs: 100, minPresence: 0.5 }

export interface TrackResult {
  /** The main speaker's mesh, or null when no face is in view. */
  main: MeshResult | null
  /** When the detector ran on this frame: the faces it found besides the main speaker. */
  otherFaces: number | null
}

export class FaceTracker {
  private roi: FaceRoi | null = null
  private lastSeen: { cx: number, cy: number, size: number } | null = null
  private lastSearchMs = -Infinity

  constructor (
    private readonly detector: YuNetDetector,
    private readonly mesh: FaceMeshModel,
    private readonly options: TrackerOptions = TRACKER_DEFAULTS,
    private readonly timings = new StageTimer()
  ) {}

  async next (frame: VideoFrame): Promise<TrackResult> {
    let otherFaces: number | null = null
    if (!this.roi && frame.timeMs - this.lastSearchMs >= this.options.searchEveryMs) otherFaces = await this.acquire(frame)
    let main = await this.runMesh(frame)
    if (!main && this.roi === null && otherFaces === null && this.lastSeen !== null) {
      // Just lost (the face moved out of the crop or left): look again in this same frame.
      otherFaces = await this.acquire(frame)
      main = await this.runMesh(frame)
    }
    return { main, otherFaces }
  }

  /** Mesh on the current ROI; keeps the track (next ROI from the landmarks) or drops it. */
  private async runMesh (frame: VideoFrame): Promise<MeshResult | null> {
    const roi = this.roi
    if (!roi) return null
    const result = await this.timings.time('mesh', () => this.mesh.run(frame, roi))
    if (result.presence < this.options.minPresence) {
      this.roi = null
      return null
    }
    this.roi = roiFromLandmarks(result.landmarks)
    this.lastSeen = { cx: this.roi.cx, cy: this.roi.cy, size: this.roi.size }
    return result
  }

  /** Runs the detector and starts a track on the main speaker; returns the other faces' count. */
  private async acquire (frame: VideoFrame): Promise<number> {
    this.lastSearchMs = frame.timeMs
    const detections = await this.timings.time('detect', () => this.detector.detect(frame))
    const main = chooseMain(detections, frame.width, frame.height, this.lastSeen)
    if (main) this.roi = roiFromDetection(main.box, main.keypoints)
    return detections.length - (main ? 1 : 0)
  }
}

/**
 * The detection nearest to where the main face was last seen (the same person back in view),
 * else the largest, most central face.
 */
export function chooseMain (detections: FaceDetection[], width: number, height: number, lastSeen: { cx: number, cy: number, size: number } | null): FaceDetection | null {
  if (detections.length === 0) return null
  if (lastSeen) {
    const near = detections
      .map((d) => ({ d, distance: Math.hypot(d.box.x + d.box.width / 2 - lastSeen.cx, d.box.y + d.box.height / 2 - lastSeen.cy) }))
      .filter(({ distance }) => distance < lastSeen.size)
      .sort((a, b) => a.distance - b.distance)
    if (near.length > 0) return near[0]!.d
  }
  // Size matters most; centrality breaks ties between similar faces.
  const score = (d: FaceDetection) => {
    const dx = (d.box.x + d.box.width / 2) / width - 0.5
    const dy = (d.box.y + d.box.height / 2) / height - 0.5
    return d.box.width * d.box.height * (1 - Math.hypot(dx, dy))
  }
  return detections.reduce((best, d) => (score(d) > score(best) ? d : best))
}

/** Faces found by the detector other than the one at the main speaker's ROI centre. */
export function countOtherFaces (detections: FaceDetection[], main: FaceRoi | null): number {
  if (!main) return detections.length
  const isMain = (box: Rect) => main.cx >= box.x && main.cx <= box.x + box.width && main.cy >= box.y && main.cy <= box.y + box.height
  return detections.length - (detections.some((d) => isMain(d.box)) ? 1 : 0)
}
