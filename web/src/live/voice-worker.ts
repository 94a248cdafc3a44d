/**
 * A worker beside the page: keeps the last WINDOW_MS of microphone audio at 16 kHz and, once a
 * second, runs the server's own voice analysis over it (VoiceAnalyser + summariseVoice from
 * src/signals/voice/engine, pure code), so the page's frame loop never waits for it.
 *
 * In:  { type: 'config', sampleRate } then { type: 'pcm', samples: Float32Array } (any rate;
 *      resampled to 16 kHz here when the context could not run at 16 kHz).
 * Out: { type: 'voice', window: VoiceWindow } with the analysed samples (for tests to recompute).
 */
import { VoiceAnalyser } from '../../../src/signals/voice/engine/contours.js'
import { summariseVoice } from '../../../src/signals/voice/engine/summary.js'
import type { VoiceWindow } from './voice.js'

const RATE = 16_000
const WINDOW_MS = 10_000
const EVERY_MS = 1000

let inputRate = RATE
let ring = new Float32Array(RATE * WINDOW_MS / 1000)
let total = 0 // samples at 16 kHz received so far
let lastAnalysedAt = 0
let resampleAt = 0 // position in the input stream for the next output sample (fractional)
let previous = 0

function append (samples: Float32Array): void {
  for (const sample of samples) {
    ring[total % ring.length] = sample
    total++
  }
}

/** Linear resampling with a box pre-filter: only used when the context runs at another rate. */
function resample (input: Float32Array): Float32Array {
  const step = inputRate / RATE
  const out: number[] = []
  while (resampleAt < input.length - 1) {
    const from = Math.max(0, Math.floor(resampleAt - step / 2))
    const to = Math.min(input.length, Math.ceil(resampleAt + step / 2))
    let sum = 0
    for (let i = from; i < to; i++) sum += input[i]!
    out.push(to > from ? sum / (to - from) : previous)
    resampleAt += step
  }
  resampleAt -= input.length
  previous = input[input.length - 1] ?? previous
  return Float32Array.from(out)
}

function analyse (): void {
  const length = Math.min(total, ring.length)
  const samples = new Float32Array(length)
  for (let i = 0; i < length; i++) samples[i] = ring[(total - length + i) % ring.length]!
  const started = performance.now()
  const analyser = new VoiceAnalyser(RATE)
  analyser.push(samples)
  const { metrics, frames } = summariseVoice(analyser.finish())
  const window: VoiceWindow = {
    endMs: (total / RATE) * 1000,
    durationMs: (length / RATE) * 1000,
    metrics,
    frames,
    analysisMs: performance.now() - started,
    samples
  }
  postMessage({ type: 'voice', window }, { transfer: [samples.buffer] })
}

addEventListener('message', (event: MessageEvent<{ type: 'config', sampleRate: number } | { type: 'pcm', samples: Float32Array }>) => {
  const message = event.data
  if (message.type === 'config') {
    inputRate = message.sampleRate
    ring = new Float32Array(RATE * WINDOW_MS / 1000)
    total = 0
    lastAnalysedAt = 0
    return
  }
  append(inputRate === RATE ? message.samples : resample(message.samples))
  const nowMs = (total / RATE) * 1000
  if (nowMs - lastAnalysedAt >= EVERY_MS) {
    lastAnalysedAt = nowMs
    analyse()
  }
})
