/**
 * Syllable nuclei, after de Jong & Wempe (2009), "Praat script to detect syllable nuclei and
 * measure speech rate automatically": every syllable has one vowel, and a vowel is a peak of
 * intensity. A nucleus is a local maximum of the vowel-band intensity (contours.ts: 400-2000 Hz,
 * where vowels have their first formants and nasals and fricatives little energy, so "bin" or
 * "now" do not make a second peak on their consonants) that is
 *
 * - no more than 25 dB below the recording's loud vowel level (the 99th percentile of the band),
 * - separated from its neighbouring nucleus by a dip of at least 2 dB below the lower of the
 *   two (smaller ripples are one vowel; peaks closer than that are merged, the higher kept),
 * - periodic (the frame's autocorrelation at least 0.45, Praat's voicing threshold: judged per
 *   frame rather than on the smoothed pitch path, which drops creaky or rough vowels),
 * - inside speech (activity.ts).
 *
 * Unlike the original script, whose dip test looks only at the fall after a peak, the dip must
 * separate both peaks, so a bump on the falling edge of a vowel is not a syllable.
 * Pure function over contours, no Node APIs.
 */
import { quantile } from './stats.js'

export interface NucleusSettings {
  /** The recording's loud vowel level: this quantile of the vowel-band intensity. */
  loudQuantile: number
  /** Peaks further below that level are consonants or background (de Jong & Wempe's -25 dB). */
  belowLoudDb: number
  /** Dip that separates two syllables (de Jong & Wempe's 2 dB). */
  minDipDb: number
  /** Autocorrelation a peak frame needs to be voiced (Praat's voicing threshold). */
  minPeriodicity: number
}

export const NUCLEUS_SETTINGS: NucleusSettings = { loudQuantile: 0.99, belowLoudDb: 25, minDipDb: 2, minPeriodicity: 0.45 }

export interface NucleusContours {
  vowelDb: Float32Array
  periodicity: Float32Array
}

/** Vowel-band level (dBFS) a nucleus must reach: 25 dB below the recording's loud vowels. */
export function vowelThreshold (vowelDb: Float32Array, settings: NucleusSettings = NUCLEUS_SETTINGS): number {
  return vowelDb.length > 0 ? quantile(vowelDb, settings.loudQuantile) - settings.belowLoudDb : Number.POSITIVE_INFINITY
}

/** Frame indices of the nuclei, in time order. */
export function findNuclei (contours: NucleusContours, speech: Uint8Array, settings: NucleusSettings = NUCLEUS_SETTINGS): number[] {
  const level = contours.vowelDb
  if (level.length < 3) return []
  const threshold = vowelThreshold(level, settings)
  const peaks: number[] = []
  for (let i = 1; i < level.length - 1; i++) {
    const value = level[i]!
    if (!(value >= threshold && value > level[i - 1]! && value >= level[i + 1]!)) continue
    const previous = peaks[peaks.length - 1]
    if (previous !== undefined) {
      let dip = value
      for (let k = previous + 1; k < i; k++) if (level[k]! < dip) dip = level[k]!
      if (Math.min(level[previous]!, value) - dip < settings.minDipDb) {
        if (value > level[previous]!) peaks[peaks.length - 1] = i
        continue
      }
    }
    peaks.push(i)
  }
  return peaks.filter((i) => speech[i] === 1 && contours.periodicity[i]! >= settings.minPeriodicity)
}
