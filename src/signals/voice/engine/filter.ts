/**
 * Second-order IIR sections (RBJ "Audio EQ Cookbook" biquads), run in a stream: the band
 * filter that isolates vowel energy for the syllable-nucleus intensity.
 */

export interface Biquad { b0: number, b1: number, b2: number, a1: number, a2: number }

/** Butterworth-like (Q = 1/sqrt 2) high-pass or low-pass at `hz` for `sampleRate`. */
export function butterworth (kind: 'highpass' | 'lowpass', hz: number, sampleRate: number, q = Math.SQRT1_2): Biquad {
  const w = (2 * Math.PI * hz) / sampleRate
  const alpha = Math.sin(w) / (2 * q)
  const cos = Math.cos(w)
  const a0 = 1 + alpha
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos)
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 }
}

/** A cascade of biquads with state carried between calls. */
export class FilterChain {
  private readonly state: Float64Array

  constructor (private readonly sections: Biquad[]) {
    this.state = new Float64Array(sections.length * 2)
  }

  /** Filters `input` into a new array (transposed direct form II). */
  run (input: Float32Array): Float32Array {
    const out = Float32Array.from(input)
    this.sections.forEach((s, k) => {
      let z1 = this.state[2 * k]!
      let z2 = this.state[2 * k + 1]!
      for (let n = 0; n < out.length; n++) {
        const x = out[n]!
        const y = s.b0 * x + z1
        z1 = s.b1 * x - s.a1 * y + z2
        z2 = s.b2 * x - s.a2 * y
        out[n] = y
      }
      this.state[2 * k] = z1
      this.state[2 * k + 1] = z2
    })
    return out
  }
}
