/**
 * The face: who is in view, where they look, how they blink, move their head and what their
 * expression reads as. Every analysed frame goes through the face stage.
 */
import type { SignalModule } from '../contract.js'
import { computeFaceMetrics, faceCurves, METRICS_VERSION, timelineEvents, type FaceFrame, type FaceMetrics } from './metrics/index.js'
import { faceCategories } from './scores.js'
import { encodeFaceFrame, decodeFaceFrame } from './codec.js'
import { faceView } from './view.js'
import { faceFeedback } from './feedback/index.js'
import { faceReportRows } from './report.js'

export const face: SignalModule<FaceFrame, FaceMetrics> = {
  kind: 'face',
  version: METRICS_VERSION,
  stage: {
    type: 'video',
    // Loaded on demand: the API process imports the registry but runs no stage (no ONNX Runtime).
    start: async (setup) => (await import('./stage.js')).startFaceStage(setup),
    summarize: (frames) => computeFaceMetrics(frames)
  },
  events: timelineEvents,
  curves: faceCurves,
  categories: faceCategories,
  codec: { encode: encodeFaceFrame, decode: decodeFaceFrame },
  view: faceView,
  feedback: faceFeedback,
  reportRows: faceReportRows
}
