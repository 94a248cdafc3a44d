/**
 * The streaming voice analyser: consumes audio in chunks of any size and keeps only contours,
 * 100 values a second each (an hour is ~5.8 MB for the four): intensity, vowel-band intensity,
 * F0 and periodicity. Everything else (speech, syllables, pauses) is derived from them at the
 * end, relative to the recording's own levels, which are known only then.
 */
import { Decimator } from './decimate.js'
import { FilterChain, butterworth } from './filter.js'
import { IntensityMeter } from './intensity.js'
import { PitchFrameAnalyser } from './pitch.js'
import { PitchPath } from './pitch-path.js'

/** One contour value per 10 ms. */
export const FRAME_MS = 10
/** Rate of the analysis: 8 kHz keeps everything below 4 kHz, all that F0 and vowels need. */
const ANALYSIS_RATE = 8000
const HOP = (ANALYSIS_RATE * FRAME_MS) / 1000
/** Intensity windows: 40 ms, long enough to smooth over glottal pulses down to 75 Hz. */
const INTENSITY_WINDOW = (ANALYSIS_RATE * 40) / 1000
/**
 * The vowel band: 400-2000 Hz holds vowels' first formant and most second formants, while the
 * murmur of nasals (below ~400 Hz) and the noise of fricatives and bursts (mostly above 2 kHz)
 * fall outside it, so consonants make dips between vowels rather than peaks of their own.
 * Each edge is two Butterworth sections (24 dB per octave); their phase delay (about a
 * millisecond in the band) is negligible next to the 10 ms frames.
 */
const VOWEL_BAND_HZ = [400, 2000] as const

export interface VoiceContours {
  frameMs: number
  /** Length of the audio in seconds. */
  durationS: number
  /** Frame i covers [i, i + 1) x frameMs; its windows are centred on the middle of that span. */
  intensityDb: Float32Array
  /** Intensity (dBFS) of the vowel band only: where syllable nuclei are found. */
  vowelDb: Float32Array
  /** F0 in Hz along the pitch path, 0 where unvoiced. */
  pitchHz: Float32Array
  /** Highest normalised autocorrelation in the pitch range, 0..1: how periodic (voice-like) the frame is. */
  periodicity: Float32Array
}

/** A Float32Array that grows by doubling. */
class Series {
  private data = new Float32Array(4096)
  length = 0

  set (index: number, value: number): void {
    while (index >= this.data.length) {
      const bigger = new Float32Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[index] = value
    if (index >= this.length) this.length = index + 1
  }

  values (length: number): Float32Array {
    const out = new Float32Array(length)
    out.set(this.data.subarray(0, Math.min(length, this.length)))
    return out
  }
}

export class VoiceAnalyser {
  private readonly decimator: Decimator | null
  private readonly intensity = new IntensityMeter(INTENSITY_WINDOW)
  private readonly pitch = new PitchFrameAnalyser(ANALYSIS_RATE)
  private readonly path: PitchPath
  private readonly vowelFilter = new FilterChain([
    butterworth('highpass', VOWEL_BAND_HZ[0], ANALYSIS_RATE), butterworth('highpass', VOWEL_BAND_HZ[0], ANALYSIS_RATE),
    butterworth('lowpass', VOWEL_BAND_HZ[1], ANALYSIS_RATE), butterworth('lowpass', VOWEL_BAND_HZ[1], ANALYSIS_RATE)
  ])

  private readonly intensityDb = new Series()
  private readonly vowelDb = new Series()
  private readonly pitchHz = new Series()
  private readonly periodicity = new Series()
  /** Samples at the analysis rate (and their vowel band) not yet behind every window, from absolute index bufferStart. */
  private buffer: Float32Array
  private vowelBuffer: Float32Array
  private bufferStart: number
  /** The widest window reaches this far either side of a frame's centre. */
  private readonly reach: number
  private inputSamples = 0
  private frames = 0
  private finished = false

  /** `sampleRate`: 16000 (what ffmpeg is asked for; halved here) or 8000. */
  constructor (readonly sampleRate = 16_000) {
    if (sampleRate !== 16_000 && sampleRate !== ANALYSIS_RATE) throw new Error(`voice analysis takes 16 kHz or 8 kHz audio, not ${sampleRate} Hz`)
    this.decimator = sampleRate === ANALYSIS_RATE ? null : new Decimator()
    this.path = new PitchPath(this.pitch.settings.maxVoicedCandidates + 1, (index, hz) => this.pitchHz.set(index, hz))
    this.reach = Math.ceil(Math.max(INTENSITY_WINDOW, this.pitch.length) / 2)
    // Zeros before the first sample, so the first frames have whole windows.
    this.buffer = new Float32Array(this.reach)
    this.vowelBuffer = new Float32Array(this.reach)
    this.bufferStart = -this.reach
  }

  push (samples: Float32Array): void {
    if (this.finished) throw new Error('the voice analyser has already finished')
    this.inputSamples += samples.length
    this.append(this.decimator ? this.decimator.push(samples) : samples)
    this.analyseFrames(Number.POSITIVE_INFINITY)
  }

  finish (): VoiceContours {
    if (!this.finished) {
      this.finished = true
      if (this.decimator) this.append(this.decimator.flush())
      this.append(new Float32Array(2 * this.reach)) // zeros after the last sample
      this.analyseFrames(Math.ceil((this.inputSamples * 1000) / this.sampleRate / FRAME_MS))
      this.path.finish()
    }
    return {
      frameMs: FRAME_MS,
      durationS: this.inputSamples / this.sampleRate,
      intensityDb: this.intensityDb.values(this.frames),
      vowelDb: this.vowelDb.values(this.frames),
      pitchHz: this.pitchHz.values(this.frames),
      periodicity: this.periodicity.values(this.frames)
    }
  }

  private append (samples: Float32Array): void {
    if (samples.length === 0) return
    this.buffer = concat(this.buffer, samples)
    this.vowelBuffer = concat(this.vowelBuffer, this.vowelFilter.run(samples))
  }

  private analyseFrames (limit: number): void {
    const end = this.bufferStart + this.buffer.length
    while (this.frames < limit) {
      const centre = this.frames * HOP + HOP / 2
      if (centre + this.reach > end) break
      const intensityStart = centre - INTENSITY_WINDOW / 2 - this.bufferStart
      this.intensityDb.set(this.frames, this.intensity.measure(this.buffer, intensityStart))
      this.vowelDb.set(this.frames, this.intensity.measure(this.vowelBuffer, intensityStart))
      const candidates = this.pitch.analyse(this.buffer, centre - Math.floor(this.pitch.length / 2) - this.bufferStart)
      this.periodicity.set(this.frames, candidates.periodicity)
      this.path.push(candidates)
      this.frames++
    }
    // Drop samples that no later window reaches.
    const keepFrom = this.frames * HOP + HOP / 2 - this.reach - this.bufferStart
    if (keepFrom > 0) {
      this.buffer = this.buffer.slice(keepFrom)
      this.vowelBuffer = this.vowelBuffer.slice(keepFrom)
      this.bufferStart += keepFrom
    }
  }
}

function concat (a: Float32Array, b: Float32Array): Float32Array {
  const joined = new Float32Array(a.length + b.length)
  joined.set(a)
  joined.set(b, a.length)
  return joined
}
