/**
 * Follows the main speaker's face through a video, as MediaPipe's face landmarker does: the
 * detector finds the face, then each frame's mesh landmarks give the next frame's crop, and
 * the detector runs again only when the track is lost or on a schedule (to count other faces
 * in view and to keep following the same person).
 *
 * The main speaker is chosen when a track starts: the detection nearest to where the main face
 * was last seen (same person back in view), else the largest, most central face. While a track
 * lasts it is never switched to another face.
 */
import type { VideoFrame } from '../../media/frames.js'
import type { YuNetDetector, FaceDetection, Rect } from './yunet.js'
import type { FaceMeshModel, MeshResult } from './mesh.js'
import { roiFromDetection, roiFromLandmarks, type FaceRoi } from './roi.js'
import { StageTimer } from '../timing.js'

export interface TrackerOptions {
  /** Re-run the detector this often while tracking, to count other faces. */
  detectEveryMs: number
  /** Mesh presence below this ends the track (MediaPipe's min_tracking_confidence). */
  minPresence: number
}

export const TRACKER_DEFAULTS: TrackerOptions = { detectEveryMs: 1000, minPresence: 0.5 }

export interface TrackResult {
  /** The main speaker's mesh, or null when no face is in view. */
  main: MeshResult | null
  /** Faces other than the main speaker at the latest detection. */
  otherFaces: number
  /** Whether the detector ran on this frame. */
  detected: boolean
}

export class FaceTracker {
  private roi: FaceRoi | null = null
  private lastSeen: { cx: number, cy: number, size: number } | null = null
  private lastDetectionMs = -Infinity
  private otherFaces = 0

  constructor (
    private readonly detector: YuNetDetector,
    private readonly mesh: FaceMeshModel,
    private readonly options: TrackerOptions = TRACKER_DEFAULTS,
    private readonly timings = new StageTimer()
  ) {}

  async next (frame: VideoFrame): Promise<TrackResult> {
    let detected = false
    if (!this.roi || frame.timeMs - this.lastDetectionMs >= this.options.detectEveryMs) {
      await this.detect(frame)
      detected = true
    }
    let main = this.roi ? await this.timings.time('mesh', () => this.mesh.run(frame, this.roi!)) : null
    if (main && main.presence < this.options.minPresence) {
      // Lost: the face moved out of the crop or left. Look again in this same frame.
      this.roi = null
      main = null
      if (!detected) {
        await this.detect(frame)
        detected = true
        main = this.roi ? await this.timings.time('mesh', () => this.mesh.run(frame, this.roi!)) : null
        if (main && main.presence < this.options.minPresence) main = null
      }
    }
    if (main) {
      this.roi = roiFromLandmarks(main.landmarks)
      this.lastSeen = { cx: this.roi.cx, cy: this.roi.cy, size: this.roi.size }
    } else {
      this.roi = null
    }
    return { main, otherFaces: this.otherFaces, detected }
  }

  private async detect (frame: VideoFrame): Promise<void> {
    const detections = await this.timings.time('detect', () => this.detector.detect(frame))
    this.lastDetectionMs = frame.timeMs
    if (this.roi) {
      const roi = this.roi
      const mainIndex = detections.findIndex((d) => containsPoint(d.box, roi.cx, roi.cy))
      this.otherFaces = detections.length - (mainIndex >= 0 ? 1 : 0)
      return
    }
    const main = this.chooseMain(detections, frame.width, frame.height)
    this.otherFaces = detections.length - (main ? 1 : 0)
    if (main) this.roi = roiFromDetection(main.box, main.keypoints)
  }

  private chooseMain (detections: FaceDetection[], width: number, height: number): FaceDetection | null {
    if (detections.length === 0) return null
    const seen = this.lastSeen
    if (seen) {
      const near = detections
        .map((d) => ({ d, distance: Math.hypot(d.box.x + d.box.width / 2 - seen.cx, d.box.y + d.box.height / 2 - seen.cy) }))
        .filter(({ distance }) => distance < seen.size)
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
}

function containsPoint (box: Rect, x: number, y: number): boolean {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height
}
