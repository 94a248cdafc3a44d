/**
 * Pitch (F0) candidates of one frame by autocorrelation, after Boersma (1993), "Accurate
 * short-term analysis of the fundamental frequency and the harmonics-to-noise ratio of a sampled
 * sound" (the method of Praat's "To Pitch (ac)"): the Hann-windowed frame's autocorrelation is
 * divided by the window's own autocorrelation (which removes the taper's bias against long
 * lags), its local maxima between 1/500 s and 1/75 s are the voiced candidates, placed between
 * lags by parabolic interpolation, and an "unvoiced" candidate competes with them. The choice
 * between candidates is made over time by pitch-path.ts.
 */
import { hannWindow } from './window.js'

export interface PitchSettings {
  /** Lowest F0 looked for; also sets the window: three periods of it (40 ms at 75 Hz). */
  minHz: number
  /** Highest F0 looked for (speech is below 500 Hz, children's included). */
  maxHz: number
  /** Voiced candidates kept per frame (strongest first), besides the unvoiced one. */
  maxVoicedCandidates: number
  /** Frames whose peak is below this share of the loudest peak so far lean unvoiced (Praat 0.03, -30 dB). */
  silenceThreshold: number
  /** Normalised autocorrelation a frame needs to count as voiced (Praat's default 0.45). */
  voicingThreshold: number
  /** Bonus per octave for higher candidates, against choosing a multiple of the period (Praat 0.01). */
  octaveCost: number
}

export const PITCH_SETTINGS: PitchSettings = {
  minHz: 75,
  maxHz: 500,
  maxVoicedCandidates: 4,
  silenceThreshold: 0.03,
  voicingThreshold: 0.45,
  octaveCost: 0.01
}

/** One frame's candidates: frequency 0 is the unvoiced candidate; scores are comparable across candidates. */
export interface PitchCandidates {
  count: number
  /** The frame's highest normalised autocorrelation in the pitch range (0 = aperiodic, 1 = periodic). */
  periodicity: number
  frequencies: Float64Array
  scores: Float64Array
}

export class PitchFrameAnalyser {
  /** Window length in samples: three periods of the lowest F0. */
  readonly length: number
  private readonly window: Float64Array
  /** The window's normalised autocorrelation, by lag. */
  private readonly windowCorrelation: Float64Array
  private readonly minLag: number
  private readonly maxLag: number
  private readonly frame: Float64Array
  private readonly correlation: Float64Array
  private readonly found: PitchCandidates
  /** The largest absolute sample (after removing each frame's mean) so far: the silence reference. */
  private loudestPeak = 0

  constructor (readonly sampleRate: number, readonly settings: PitchSettings = PITCH_SETTINGS) {
    this.length = Math.round((3 * sampleRate) / settings.minHz)
    this.window = hannWindow(this.length)
    this.minLag = Math.max(2, Math.floor(sampleRate / settings.maxHz))
    this.maxLag = Math.ceil(sampleRate / settings.minHz)
    // One lag past the longest for the interpolation at the edge; well within half the window,
    // where Boersma's window correction is reliable.
    this.windowCorrelation = autocorrelation(this.window, 1, this.maxLag + 1, new Float64Array(this.maxLag + 2))
    const energy = this.windowCorrelation[0]!
    for (let lag = 0; lag < this.windowCorrelation.length; lag++) this.windowCorrelation[lag]! /= energy
    this.frame = new Float64Array(this.length)
    this.correlation = new Float64Array(this.maxLag + 2)
    const size = settings.maxVoicedCandidates + 1
    this.found = { count: 0, periodicity: 0, frequencies: new Float64Array(size), scores: new Float64Array(size) }
  }

  /**
   * Candidates for samples[start .. start + length), frames in time order (the silence reference
   * is the loudest peak so far: a stream cannot know the loudest of the whole recording). The
   * returned object is reused by the next call.
   */
  analyse (samples: Float32Array, start: number): PitchCandidates {
    const { settings, frame, window, length } = this
    let sum = 0
    for (let n = 0; n < length; n++) sum += samples[start + n]!
    const average = sum / length
    let peak = 0
    for (let n = 0; n < length; n++) {
      const x = samples[start + n]! - average
      if (Math.abs(x) > peak) peak = Math.abs(x)
      frame[n] = x * window[n]!
    }
    const found = this.found
    // Unvoiced: the voicing threshold, plus up to 2 for frames far below the loudest peak.
    this.loudestPeak = Math.max(this.loudestPeak, peak)
    const relativePeak = this.loudestPeak > 0 ? peak / this.loudestPeak : 0
    const quietness = 2 - relativePeak / (settings.silenceThreshold / (1 + settings.voicingThreshold))
    found.frequencies[0] = 0
    found.scores[0] = settings.voicingThreshold + Math.max(0, quietness)
    found.count = 1
    found.periodicity = 0
    if (peak === 0) return found

    const r = autocorrelation(frame, this.minLag - 1, this.maxLag + 1, this.correlation)
    if (!(r[0]! > 0)) return found
    for (let lag = this.minLag - 1; lag <= this.maxLag + 1; lag++) r[lag] = r[lag]! / r[0]! / this.windowCorrelation[lag]!
    r[0] = 1
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      const before = r[lag - 1]!
      const here = r[lag]!
      const after = r[lag + 1]!
      if (!(here > before && here >= after)) continue
      // Parabola through the three points: the true peak lies between lags.
      const curvature = before - 2 * here + after
      const shift = curvature < 0 ? (0.5 * (before - after)) / curvature : 0
      let strength = here - 0.25 * (before - after) * shift
      // Above 1 only through the window correction on noise: Praat's reflection makes it weak.
      if (strength > 1) strength = 1 / strength
      if (strength > found.periodicity) found.periodicity = strength
      if (strength < 0.5 * settings.voicingThreshold) continue
      const frequency = this.sampleRate / (lag + shift)
      if (frequency < settings.minHz || frequency > settings.maxHz) continue
      this.keep(frequency, strength - settings.octaveCost * Math.log2(settings.maxHz / frequency))
    }
    return found
  }

  /** Inserts a voiced candidate, keeping the strongest maxVoicedCandidates. */
  private keep (frequency: number, score: number): void {
    const found = this.found
    const capacity = this.settings.maxVoicedCandidates + 1
    let slot = found.count
    if (slot === capacity) {
      let weakest = 1
      for (let i = 2; i < capacity; i++) if (found.scores[i]! < found.scores[weakest]!) weakest = i
      if (found.scores[weakest]! >= score) return
      slot = weakest
    } else {
      found.count++
    }
    found.frequencies[slot] = frequency
    found.scores[slot] = score
  }
}

/**
 * r[lag] = sum over n of x[n] x[n + lag] into `out`, for lag 0 and minLag..maxLag (the lags in
 * between are never looked at). The direct sum is the tracker's main cost: ~30k multiplies a frame.
 */
function autocorrelation (x: Float64Array, minLag: number, maxLag: number, out: Float64Array): Float64Array {
  const n = x.length
  let energy = 0
  for (let i = 0; i < n; i++) energy += x[i]! * x[i]!
  out[0] = energy
  for (let lag = minLag; lag <= maxLag; lag++) {
    const count = n - lag
    let a = 0
    let b = 0
    let i = 0
    for (; i + 1 < count; i += 2) {
      a += x[i]! * x[i + lag]!
      b += x[i + 1]! * x[i + 1 + lag]!
    }
    if (i < count) a += x[i]! * x[i + lag]!
    out[lag] = a + b
  }
  return out
}
