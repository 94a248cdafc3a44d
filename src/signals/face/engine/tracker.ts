/**
 * Follows the main speaker's face through a video, as MediaPipe's face landmarker does: the
 * detector finds the face, then each frame's mesh landmarks give the next frame's crop, and
 * the detector runs again only when the track is lost. (Counting other faces in view on a
 * schedule is separate: countOtherFaces, run by the engine off the tracking path.)
 *
 * YuNet misses faces that fill the frame (a phone held close) or run off its edge; when it finds
 * no face that large, MediaPipe's own close-up detector (BlazeFace short range, on the whole
 * frame letterboxed) is tried too, and its faces that YuNet did not find join the candidates.
 * Both run only while there is no track.
 *
 * The main speaker is chosen when a track starts: the detection nearest to where the main face
 * was last seen (same person back in view), else the largest, most central face. While a track
 * lasts it is never switched to another face.
 */
import type { VideoFrame } from '../../../media/frames.js'
import type { YuNetDetector, FaceDetection, Rect } from './yunet.js'
import type { BlazeFaceDetector } from './blazeface.js'
import type { FaceMeshModel, MeshResult } from './mesh.js'
import { roiFromDetection, roiFromLandmarks, type FaceRoi } from './roi.js'
import { StageTimer } from '../../../engine/timing.js'

export interface TrackerOptions {
  /** While no face is in view, look for one at most this often (the detector is the costly part). */
  searchEveryMs: number
  /** Mesh presence below this ends the track (MediaPipe's min_tracking_confidence). */
  minPresence: number
  /**
   * The close-up detector runs unless YuNet found a face at least this large (long side over the
   * frame's short side): YuNet finds faces up to about that size, BlazeFace short range those
   * above it.
   */
  closeupBelow: number
  /**
   * A close-up face YuNet did not find counts (as the main speaker or another face) from this
   * score; below it, down to BlazeFace's 0.5, only its best face when YuNet found none, so a
   * false face is left to the mesh's presence check rather than counted.
   */
  closeupExtraScore: number
}

export const TRACKER_DEFAULTS: TrackerOptions = { searchEveryMs: 100, minPresence: 0.5, closeupBelow: 0.4, closeupExtraScore: 0.75 }

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
    private readonly timings = new StageTimer(),
    private readonly closeup: BlazeFaceDetector | null = null
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
    const found = await this.timings.time('detect', () => this.detector.detect(frame))
    const detections = this.closeup ? await this.withCloseup(frame, found) : found
    const main = chooseMain(detections, frame.width, frame.height, this.lastSeen)
    if (main) this.roi = roiFromDetection(main.box, main.keypoints)
    return detections.length - (main ? 1 : 0)
  }

  /** YuNet's faces plus the close-up detector's that YuNet did not find (see TrackerOptions). */
  private async withCloseup (frame: VideoFrame, found: FaceDetection[]): Promise<FaceDetection[]> {
    const short = Math.min(frame.width, frame.height)
    if (found.some((d) => Math.max(d.box.width, d.box.height) >= this.options.closeupBelow * short)) return found
    const close = await this.timings.time('detect_closeup', () => this.closeup!.detect(frame))
    const faces = [...found]
    for (const [rank, d] of close.entries()) {
      if (faces.some((other) => sameFace(d.box, other.box))) continue
      if (d.score >= this.options.closeupExtraScore || (rank === 0 && found.length === 0)) faces.push(d)
    }
    return faces
  }
}

/** Two detectors' boxes of one face: either box's centre lies inside the other. */
export function sameFace (a: Rect, b: Rect): boolean {
  const inside = (box: Rect, x: number, y: number) => x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height
  return inside(a, b.x + b.width / 2, b.y + b.height / 2) || inside(b, a.x + a.width / 2, a.y + a.height / 2)
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
