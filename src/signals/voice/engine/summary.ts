/**
 * Voice metrics and per-second frames from the contours: speech time, syllable rate, pauses,
 * loudness and pitch. Pure function, no Node APIs.
 *
 * Definitions:
 * - speechS: time inside speech segments (activity.ts), pauses of under 300 ms included.
 * - syllablesPerMinuteSpeaking: nuclei per minute of speech time (articulation rate; ~200-300
 *   in fluent English); syllablesPerMinuteTotal: per minute of the whole recording.
 * - loudness.meanDb: mean intensity of the speech frames in dBFS (a recording level, not sound
 *   pressure); with no speech at all, the mean of every frame (the background). variationDb:
 *   standard deviation of the intensity at the syllable nuclei, i.e. how much the loudness of
 *   vowels changes (emphasis); 0 with fewer than two nuclei.
 * - pitch: over voiced speech frames (the pitch path) whose vowel band is as loud as a nucleus
 *   must be (weak voicing is where trackers err and where background hum lives), at least
 *   0.2 s of them, else null.
 *   rangeSemitones: 10th to 90th percentile of F0; variabilitySemitones: standard deviation of
 *   F0 in semitones around the median (low = monotone; lively speech is typically 2-4).
 */
import { round } from '../../../numbers.js'
import { detectSpeech, recordingLevels, segmentsWithNuclei, speechMask } from './activity.js'
import type { VoiceContours } from './contours.js'
import { findNuclei, vowelThreshold } from './nuclei.js'
import { findPauses } from './pauses.js'
import { mean, quantileSorted, standardDeviation } from './stats.js'

/** Voiced speech needed before pitch statistics mean anything. */
const MIN_PITCH_MS = 200

export interface VoiceFrame {
  /** ms, start of this second */
  t: number
  /** share of the second with speech, 0..1 */
  speech: number
  /** mean intensity of the second's speech frames (dBFS); null without speech */
  loudnessDb: number | null
  /** median voiced F0 of the second's speech frames; null without any */
  pitchHz: number | null
  /** syllable nuclei in this second */
  syllables: number
}

export interface VoiceMetrics {
  durationS: number
  speechS: number
  speakingRatio: number
  syllables: number
  syllablesPerMinuteSpeaking: number
  syllablesPerMinuteTotal: number
  pauses: { count: number, meanS: number, longestS: number, items: Array<{ startMs: number, endMs: number }> }
  loudness: { meanDb: number, variationDb: number }
  pitch: { medianHz: number | null, rangeSemitones: number | null, variabilitySemitones: number | null }
  nucleiMs: number[]
}

export interface VoiceSummary { metrics: VoiceMetrics, frames: VoiceFrame[] }

export function summariseVoice (contours: VoiceContours): VoiceSummary {
  const { intensityDb, pitchHz, frameMs } = contours
  const count = intensityDb.length
  const candidates = detectSpeech(intensityDb, pitchHz, frameMs, recordingLevels(intensityDb))
  const nuclei = findNuclei(contours, speechMask(candidates, count))
  const segments = segmentsWithNuclei(candidates, nuclei)
  const speech = speechMask(segments, count)
  const pauses = findPauses(segments, frameMs)

  const speechFrames = speech.reduce((sum, s) => sum + s, 0)
  const speechS = (speechFrames * frameMs) / 1000
  const durationS = contours.durationS
  const pauseSeconds = pauses.map((p) => (p.endMs - p.startMs) / 1000)
  const speechLevels = intensityDb.filter((_, i) => speech[i] === 1)
  const nucleusLevels = nuclei.map((i) => intensityDb[i]!)
  const strongVowel = vowelThreshold(contours.vowelDb)
  const voiced = Float64Array.from(pitchHz.filter((hz, i) => hz > 0 && speech[i] === 1 && contours.vowelDb[i]! >= strongVowel)).sort()

  const metrics: VoiceMetrics = {
    durationS: round(durationS, 3),
    speechS: round(speechS, 3),
    speakingRatio: durationS > 0 ? round(speechS / durationS, 3) : 0,
    syllables: nuclei.length,
    syllablesPerMinuteSpeaking: speechS > 0 ? round((nuclei.length * 60) / speechS, 1) : 0,
    syllablesPerMinuteTotal: durationS > 0 ? round((nuclei.length * 60) / durationS, 1) : 0,
    pauses: {
      count: pauses.length,
      meanS: pauses.length > 0 ? round(mean(pauseSeconds), 3) : 0,
      longestS: round(pauseSeconds.reduce((a, b) => Math.max(a, b), 0), 3),
      items: pauses
    },
    loudness: {
      meanDb: count === 0 ? 0 : round(mean(speechLevels.length > 0 ? speechLevels : intensityDb), 1),
      variationDb: round(standardDeviation(nucleusLevels), 1)
    },
    pitch: pitchStatistics(voiced, frameMs),
    nucleiMs: nuclei.map((i) => i * frameMs + frameMs / 2)
  }
  return { metrics, frames: perSecond(contours, speech, nuclei) }
}

function pitchStatistics (sortedHz: Float64Array, frameMs: number): VoiceMetrics['pitch'] {
  if (sortedHz.length * frameMs < MIN_PITCH_MS) return { medianHz: null, rangeSemitones: null, variabilitySemitones: null }
  const median = quantileSorted(sortedHz, 0.5)
  const semitones = Array.from(sortedHz, (hz) => 12 * Math.log2(hz / median))
  return {
    medianHz: round(median, 1),
    rangeSemitones: round(12 * Math.log2(quantileSorted(sortedHz, 0.9) / quantileSorted(sortedHz, 0.1)), 2),
    variabilitySemitones: round(standardDeviation(semitones), 2)
  }
}

function perSecond (contours: VoiceContours, speech: Uint8Array, nuclei: number[]): VoiceFrame[] {
  const { intensityDb, pitchHz, frameMs } = contours
  const perSecondFrames = Math.round(1000 / frameMs)
  const seconds = Math.ceil(intensityDb.length / perSecondFrames)
  const syllables = new Uint32Array(seconds)
  for (const i of nuclei) syllables[Math.floor(i / perSecondFrames)]!++
  const frames: VoiceFrame[] = []
  for (let s = 0; s < seconds; s++) {
    const from = s * perSecondFrames
    const to = Math.min(intensityDb.length, from + perSecondFrames)
    const levels: number[] = []
    const voiced: number[] = []
    for (let i = from; i < to; i++) {
      if (speech[i] !== 1) continue
      levels.push(intensityDb[i]!)
      if (pitchHz[i]! > 0) voiced.push(pitchHz[i]!)
    }
    voiced.sort((a, b) => a - b)
    frames.push({
      t: s * 1000,
      speech: round(levels.length / (to - from), 3),
      loudnessDb: levels.length > 0 ? round(mean(levels), 1) : null,
      pitchHz: voiced.length > 0 ? round(quantileSorted(voiced, 0.5), 1) : null,
      syllables: syllables[s]!
    })
  }
  return frames
}
