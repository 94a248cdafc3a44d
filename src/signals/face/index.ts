/**
 * The face: who is in view, where they look, how they blink, move their head and what their
 * expression reads as. Every analysed frame goes through the face stage.
 */
import type { SignalModule } from '../contract.js'
import { startFaceStage } from './stage.js'
import { computeFaceMetrics, METRICS_VERSION, timelineEvents, type FaceFrame, type FaceMetrics } from './metrics/index.js'
import { faceCategories } from './scores.js'
import { encodeFaceFrame, decodeFaceFrame } from './codec.js'
import { faceView } from './view.js'
import { faceFeedback } from './feedback/index.js'
import { faceReportRows } from './report.js'

export const face: SignalModule<FaceFrame, FaceMetrics> = {
  kind: 'face',
  version: METRICS_VERSION,
  stage: { type: 'video', start: startFaceStage, summarize: (frames) => computeFaceMetrics(frames) },
  events: timelineEvents,
  categories: faceCategories,
  codec: { encode: encodeFaceFrame, decode: decodeFaceFrame },
  view: faceView,
  feedback: faceFeedback,
  reportRows: faceReportRows
}
