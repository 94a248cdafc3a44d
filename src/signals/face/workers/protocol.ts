/** Messages between the engine and its two worker threads. */
import type { FaceSignals } from '../metrics/index.js'
import type { VideoFrame } from '../../../media/frames.js'
import type { FaceRoi } from '../engine/roi.js'

export interface WorkerSetup { modelsDir: string, emotionModel: string }

/** Face worker: the tracking chain (detector when needed, then mesh). */
export interface TrackRequest { frame: VideoFrame }
export interface TrackReply {
  main: { landmarks: Float32Array, presence: number, roi: FaceRoi } | null
  /** Set when the detector ran: faces besides the main speaker. */
  otherFaces: number | null
}

/** Aux worker: everything else about a frame, off the tracking path. */
export interface DescribeRequest {
  width: number
  height: number
  landmarks: Float32Array | null
  roi: FaceRoi | null
  /** Pixels, sent only when emotion or a face count is due on this frame. */
  frame: VideoFrame | null
  emotion: boolean
  countFaces: boolean
  /** Keep the models' raw outputs in the reply (FaceSignals.raw): the stage's `landmarks` option. */
  raw?: { presence: number }
}
export interface DescribeReply {
  face: FaceSignals | null
  emotion?: number[]
  otherFaces?: number
}
