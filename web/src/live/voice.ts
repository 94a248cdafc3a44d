/**
 * The microphone to speaking pace and pauses, live: an AudioWorklet taps the microphone (at
 * 16 kHz when the browser can run the audio context at that rate, else at its own rate and
 * resampled in the worker), and a worker runs the server's voice analysis (src/signals/voice/
 * engine: VoiceAnalyser, summariseVoice) over the last 10 s once a second. Nothing here
 * measures anything itself.
 */
import type { VoiceFrame, VoiceMetrics } from '../../../src/signals/voice/engine/summary.js'
import workletUrl from './voice-worklet.ts?worker&url'

/** One analysis of the last seconds of audio. */
export interface VoiceWindow {
  /** Where the window ends, ms of audio since the microphone started. */
  endMs: number
  durationMs: number
  metrics: VoiceMetrics
  frames: VoiceFrame[]
  /** CPU time of the analysis in the worker. */
  analysisMs: number
  /** The 16 kHz mono samples analysed (kept so a test can recompute the metrics). */
  samples: Float32Array
}

export interface LiveVoice {
  /** The context's sample rate (16000 when the browser resamples for us). */
  readonly sampleRate: number
  onWindow (listener: (window: VoiceWindow) => void): () => void
  latest (): VoiceWindow | null
  /** Why the analysis stopped, if it did (the cues then show no pace). */
  error (): string | null
  stop (): Promise<void>
}

export async function startVoice (stream: MediaStream): Promise<LiveVoice> {
  const track = stream.getAudioTracks()[0]
  if (!track) throw new Error('the stream has no microphone track')
  const source = new MediaStream([track])
  let context = new AudioContext({ sampleRate: 16_000 })
  let input: MediaStreamAudioSourceNode
  try {
    input = context.createMediaStreamSource(source)
  } catch {
    // Some browsers cannot connect a microphone to a context at another rate: use its own.
    await context.close()
    context = new AudioContext()
    input = context.createMediaStreamSource(source)
  }
  await context.audioWorklet.addModule(workletUrl)
  const tap = new AudioWorkletNode(context, 'candor-pcm-tap', { numberOfInputs: 1, numberOfOutputs: 0 })
  const worker = new Worker(new URL('./voice-worker.ts', import.meta.url), { type: 'module', name: 'candor-voice' })
  worker.postMessage({ type: 'config', sampleRate: context.sampleRate })
  tap.port.onmessage = (event: MessageEvent<Float32Array>) => {
    worker.postMessage({ type: 'pcm', samples: event.data }, [event.data.buffer])
  }
  input.connect(tap)
  if (context.state === 'suspended') await context.resume()

  const listeners = new Set<(window: VoiceWindow) => void>()
  let latest: VoiceWindow | null = null
  worker.onmessage = (event: MessageEvent<{ type: 'voice', window: VoiceWindow }>) => {
    latest = event.data.window
    for (const listener of [...listeners]) listener(latest)
  }
  let failure: string | null = null
  worker.onerror = (event) => {
    failure = event.message || 'the voice analysis stopped'
    latest = null
  }

  return {
    sampleRate: context.sampleRate,
    onWindow (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    latest: () => latest,
    error: () => failure,
    async stop () {
      tap.port.onmessage = null
      input.disconnect()
      worker.terminate()
      listeners.clear()
      await context.close().catch(() => {})
    }
  }
}
