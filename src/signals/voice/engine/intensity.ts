/**
 * Intensity of one analysis frame in dB relative to full scale (dBFS: a full-scale sine is
 * -3 dB). This is the recording's level, not sound pressure: it depends on the microphone and
 * its gain, so every decision built on it is relative to the recording's own levels.
 */
import { hannWindow } from './window.js'

/** Floor for digital silence: a mean square of 1e-10 (-100 dBFS). */
export const SILENCE_DB = -100

export class IntensityMeter {
  private readonly window: Float64Array
  private readonly windowSum: number

  /** `length`: window length in samples (40 ms at the analysis rate). */
  constructor (readonly length: number) {
    this.window = hannWindow(length)
    this.windowSum = this.window.reduce((a, b) => a + b, 0)
  }

  /**
   * Hann-weighted mean square of samples[start .. start + length) after removing their
   * weighted mean (DC offset and rumble slower than the window would otherwise count as sound).
   */
  measure (samples: Float32Array, start: number): number {
    const w = this.window
    let sum = 0
    let sumSquares = 0
    for (let n = 0; n < this.length; n++) {
      const x = samples[start + n]!
      sum += w[n]! * x
      sumSquares += w[n]! * x * x
    }
    const meanValue = sum / this.windowSum
    const meanSquare = sumSquares / this.windowSum - meanValue * meanValue
    return meanSquare > 1e-10 ? 10 * Math.log10(meanSquare) : SILENCE_DB
  }
}
