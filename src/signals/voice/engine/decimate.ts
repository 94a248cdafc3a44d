/**
 * Halves the sample rate (16 kHz -> 8 kHz) in a stream: a linear-phase low-pass FIR, then every
 * other sample. Voice analysis needs nothing above 4 kHz (F0 is at most 500 Hz, and vowels, which
 * carry the syllable peaks, have their energy below 4 kHz), and at half the rate the pitch
 * tracker's autocorrelation costs a quarter as much.
 */

/** Filter length: 63 taps, 31 input samples (~2 ms) either side of the centre. */
const TAPS = 63
/**
 * Cut-off 3.4 kHz at 16 kHz; the Blackman-windowed sinc's transition band (~1.4 kHz wide at 63
 * taps) reaches the stop band by ~4.1 kHz, so little folds back below 4 kHz.
 */
const CUTOFF = 3400 / 16_000

function lowPassTaps (): Float64Array {
  const taps = new Float64Array(TAPS)
  const middle = (TAPS - 1) / 2
  let sum = 0
  for (let n = 0; n < TAPS; n++) {
    const m = n - middle
    const sinc = m === 0 ? 2 * CUTOFF : Math.sin(2 * Math.PI * CUTOFF * m) / (Math.PI * m)
    const blackman = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (TAPS - 1))
    taps[n] = sinc * blackman
    sum += taps[n]!
  }
  for (let n = 0; n < TAPS; n++) taps[n]! /= sum // unity gain at 0 Hz
  return taps
}

/**
 * Output sample m is centred on input sample 2m (no delay: the filter is applied symmetrically,
 * with zeros before the first and after the last input), so times are the same at both rates.
 */
export class Decimator {
  private readonly taps = lowPassTaps()
  private readonly half = (TAPS - 1) / 2
  /** Inputs not yet fully used, starting at absolute input index `pendingStart`. */
  private pending: Float32Array
  private pendingStart: number
  private inputs = 0
  private outputs = 0

  constructor () {
    this.pending = new Float32Array(this.half) // the zeros before the first sample
    this.pendingStart = -this.half
  }

  push (input: Float32Array): Float32Array {
    this.inputs += input.length
    const joined = new Float32Array(this.pending.length + input.length)
    joined.set(this.pending)
    joined.set(input, this.pending.length)
    this.pending = joined
    return this.drain(Number.POSITIVE_INFINITY)
  }

  /** The last outputs, with zeros after the end of the input. */
  flush (): Float32Array {
    const joined = new Float32Array(this.pending.length + this.half + 1)
    joined.set(this.pending)
    this.pending = joined
    return this.drain(Math.ceil(this.inputs / 2))
  }

  private drain (limit: number): Float32Array {
    const end = this.pendingStart + this.pending.length // absolute index after the last input held
    let count = 0
    while (this.outputs + count < limit && 2 * (this.outputs + count) + this.half < end) count++
    const out = new Float32Array(count)
    const taps = this.taps
    const pending = this.pending
    // The taps are symmetric: pair the samples either side of the centre (half the multiplies).
    for (let i = 0; i < count; i++) {
      const first = 2 * (this.outputs + i) - this.half - this.pendingStart
      const last = first + TAPS - 1
      let sum = taps[this.half]! * pending[first + this.half]!
      for (let k = 0; k < this.half; k++) sum += taps[k]! * (pending[first + k]! + pending[last - k]!)
      out[i] = sum
    }
    this.outputs += count
    const keepFrom = 2 * this.outputs - this.half - this.pendingStart
    this.pending = this.pending.slice(keepFrom)
    this.pendingStart += keepFrom
    return out
  }
}
