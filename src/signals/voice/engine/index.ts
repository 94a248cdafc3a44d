/**
 * The voice stage: the audio track through ffmpeg into the streaming analyser, then the
 * metrics. This module and transcript.ts are the Node side; the DSP modules beside them are
 * pure functions over samples and contours that a browser could run as they are.
 */
import { probeAudio, streamAudio, AUDIO_SAMPLE_RATE } from '../../../media/audio.js'
import type { AudioInfo, ToolPaths } from '../../../media/ffprobe.js'
import { VoiceAnalyser } from './contours.js'
import { summariseVoice, type VoiceFrame, type VoiceMetrics } from './summary.js'

export type { VoiceFrame, VoiceMetrics } from './summary.js'

export interface VoiceAnalysis {
  /** False for a file without an audio stream: metrics null, no frames. */
  hasAudio: boolean
  metrics: VoiceMetrics | null
  /** One per second of audio. */
  frames: VoiceFrame[]
}

/**
 * An aborted `signal` stops ffmpeg and rejects with the signal's reason. `known`: whether the
 * file has audio, as the job's probe said (a MediaProbe or its `audio`); without it the file
 * is probed here.
 */
export async function analyzeVoice (file: string, tools: ToolPaths, signal?: AbortSignal, known?: Pick<AudioInfo, 'hasAudio'>): Promise<VoiceAnalysis> {
  const audio = known ?? await probeAudio(file, tools, undefined, signal)
  if (!audio.hasAudio) return { hasAudio: false, metrics: null, frames: [] }
  const analyser = new VoiceAnalyser(AUDIO_SAMPLE_RATE)
  for await (const chunk of streamAudio(file, tools, signal)) analyser.push(chunk)
  const { metrics, frames } = summariseVoice(analyser.finish())
  return { hasAudio: true, metrics, frames }
}
