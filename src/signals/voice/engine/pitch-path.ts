/**
 * The pitch path through each frame's candidates (Boersma 1993, section 3): a Viterbi search
 * maximising the candidates' scores minus the cost of every octave jump and every voiced /
 * unvoiced switch, so one noisy frame cannot make an octave error or a stray voiced blip.
 *
 * It runs in a stream with a fixed lag: the decision for a frame is taken `lag` frames later
 * by tracing back from the best path so far (0.5 s later by default, several syllables, which
 * in practice is as good as waiting for the end), so memory does not grow with the length.
 */
import type { PitchCandidates } from './pitch.js'

export interface PathCosts {
  /** Cost per octave of F0 change between consecutive frames (Praat 0.35). */
  octaveJumpCost: number
  /** Cost of switching between voiced and unvoiced (Praat 0.14). */
  voicedUnvoicedCost: number
  /** Frames of look-ahead before a frame's F0 is decided. */
  lagFrames: number
}

/** Praat's costs for a 10 ms step (its time-step correction is 1 there). */
export const PATH_COSTS: PathCosts = { octaveJumpCost: 0.35, voicedUnvoicedCost: 0.14, lagFrames: 50 }

export class PitchPath {
  /** Ring of the last lag + 1 frames' candidate frequencies and back-pointers. */
  private readonly frequencies: Float64Array[]
  private readonly counts: Int32Array
  private readonly back: Int32Array[]
  private scores: Float64Array
  private nextScores: Float64Array
  private frames = 0
  private decided = 0

  /** `emit(index, hz)` receives every frame's F0 (0 = unvoiced) in order. */
  constructor (maxCandidates: number, private readonly emit: (index: number, hz: number) => void, private readonly costs: PathCosts = PATH_COSTS) {
    const slots = costs.lagFrames + 1
    this.frequencies = Array.from({ length: slots }, () => new Float64Array(maxCandidates))
    this.back = Array.from({ length: slots }, () => new Int32Array(maxCandidates))
    this.counts = new Int32Array(slots)
    this.scores = new Float64Array(maxCandidates)
    this.nextScores = new Float64Array(maxCandidates)
  }

  push (candidates: PitchCandidates): void {
    const slot = this.frames % this.frequencies.length
    const previousSlot = (this.frames - 1 + this.frequencies.length) % this.frequencies.length
    const frequencies = this.frequencies[slot]!
    const back = this.back[slot]!
    const previous = this.frequencies[previousSlot]!
    const previousCount = this.frames === 0 ? 0 : this.counts[previousSlot]!
    let best = Number.NEGATIVE_INFINITY
    for (let j = 0; j < candidates.count; j++) {
      const f = candidates.frequencies[j]!
      frequencies[j] = f
      let bestFrom = 0
      let bestTotal = previousCount === 0 ? 0 : Number.NEGATIVE_INFINITY
      for (let i = 0; i < previousCount; i++) {
        const total = this.scores[i]! - this.transitionCost(previous[i]!, f)
        if (total > bestTotal) { bestTotal = total; bestFrom = i }
      }
      back[j] = bestFrom
      this.nextScores[j] = bestTotal + candidates.scores[j]!
      if (this.nextScores[j]! > best) best = this.nextScores[j]!
    }
    // Scores only matter relative to each other: keep them near 0 over an hour of frames.
    for (let j = 0; j < candidates.count; j++) this.nextScores[j]! -= best
    this.counts[slot] = candidates.count
    const swap = this.scores
    this.scores = this.nextScores
    this.nextScores = swap
    this.frames++
    if (this.frames - this.decided > this.costs.lagFrames) this.decide(this.decided + 1)
  }

  /** Decides every remaining frame from the best complete path. */
  finish (): void {
    if (this.frames > this.decided) this.decide(this.frames)
  }

  private transitionCost (from: number, to: number): number {
    if (from === 0 && to === 0) return 0
    if (from === 0 || to === 0) return this.costs.voicedUnvoicedCost
    return this.costs.octaveJumpCost * Math.abs(Math.log2(from / to))
  }

  /** Traces back from the best last candidate and emits frames decided..until-1. */
  private decide (until: number): void {
    const ring = this.frequencies.length
    const last = this.frames - 1
    let candidate = 0
    const lastCount = this.counts[last % ring]!
    for (let j = 1; j < lastCount; j++) if (this.scores[j]! > this.scores[candidate]!) candidate = j
    const chosen: number[] = []
    for (let frame = last; frame >= this.decided; frame--) {
      if (frame < until) chosen.push(this.frequencies[frame % ring]![candidate]!)
      candidate = this.back[frame % ring]![candidate]!
    }
    for (let k = chosen.length - 1; k >= 0; k--) this.emit(this.decided++, chosen[k]!)
  }
}
