/**
 * The voice: from the audio track, how much of the time the person speaks, how fast, where
 * they pause, how loud and how varied their pitch is. Runs on its own ffmpeg beside the video.
 */
import type { SignalModule } from '../contract.js'
import { analyzeVoice, type VoiceFrame } from './engine/index.js'
import { encodeVoiceFrame, decodeVoiceFrame } from './codec.js'
import { VOICE_METRICS_VERSION, type VoiceSummary } from './summary.js'
import { voiceView } from './view.js'
import { voiceFeedback } from './feedback/index.js'
import { voiceReportRows } from './report.js'
import { voiceEvents } from './events.js'
import { voiceCurves } from './curves.js'

export const voice: SignalModule<VoiceFrame, VoiceSummary> = {
  kind: 'voice',
  version: VOICE_METRICS_VERSION,
  stage: {
    type: 'audio',
    analyze: async (file, probe, tools, signal) => {
      if (!probe.audio.hasAudio) return { frames: [], metrics: { hasAudio: false, metrics: null } }
      const { hasAudio, metrics, frames } = await analyzeVoice(file, tools, signal, probe.audio)
      if (!metrics) return { frames, metrics: { hasAudio, metrics: null } }
      const { nucleiMs: _nuclei, ...stored } = metrics
      return { frames, metrics: { hasAudio, metrics: stored } }
    }
  },
  // Long pauses only: short ones and the speaking rate are in the voice frames.
  events: voiceEvents,
  curves: (frames) => voiceCurves(frames),
  categories: () => [],
  codec: { encode: encodeVoiceFrame, decode: decodeVoiceFrame },
  view: voiceView,
  feedback: voiceFeedback,
  reportRows: voiceReportRows
}
