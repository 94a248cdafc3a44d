/**
 * The body: posture, movement and hands from MediaPipe's BlazePose, following the speaker the
 * face stage tracks. Runs at its own rate (POSE_FPS) after the face stage on the same frames.
 */
import type { SignalModule, SummaryContext } from '../contract.js'
import { speakingStretches, type VoiceSummary } from '../voice/summary.js'
import type { VoiceFrame } from '../voice/engine/index.js'
import { summarizePose, POSE_METRICS_VERSION, type PoseMetrics } from './metrics/index.js'
import { poseEvents } from './events.js'
import { poseCurves } from './curves.js'
import { poseCategories } from './score.js'
import { encodePoseFrame, decodePoseFrame } from './codec.js'
import { poseView } from './view.js'
import { poseFeedback } from './feedback/index.js'
import { poseReportRows } from './report.js'
import type { PoseFrame } from './types.js'

/** When the voice ran and heard audio, its speaking stretches; else null (all time counts as speaking). */
function speaking (context: SummaryContext): Array<{ startMs: number, endMs: number }> | null {
  const voice = context.metrics.get('voice') as VoiceSummary | undefined
  if (!voice?.hasAudio || !voice.metrics) return null
  return speakingStretches((context.frames.get('voice') ?? []) as VoiceFrame[])
}

export const pose: SignalModule<PoseFrame, PoseMetrics> = {
  kind: 'pose',
  version: POSE_METRICS_VERSION,
  stage: {
    type: 'video',
    start: async (setup) => (await import('./stage.js')).startPoseStage(setup),
    summarize: (frames, context) => summarizePose(frames, {
      durationS: context.durationS,
      frameAspect: context.frameSize.width / context.frameSize.height,
      speaking: speaking(context)
    })
  },
  events: poseEvents,
  curves: poseCurves,
  categories: poseCategories,
  codec: { encode: encodePoseFrame, decode: decodePoseFrame },
  view: poseView,
  feedback: poseFeedback,
  reportRows: poseReportRows
}
