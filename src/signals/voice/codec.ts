/**
 * VoiceFrame (one per second of audio) <-> the compact document stored in MongoDB beside the
 * face frames:  t  start of the second (ms)   s  speech share   l  loudness (dB)
 *               p  median pitch (Hz)           y  syllables in the second
 */
import { round } from '../../numbers.js'
import type { VoiceFrame } from './engine/index.js'
import type { StoredFrame } from '../../repositories/frame-store.js'

export const VOICE_KIND = 'voice'

export interface StoredVoiceFrame extends StoredFrame { s: number, l: number | null, p: number | null, y: number }

const roundOrNull = (value: number | null, digits: number) => (value === null ? null : round(value, digits))

export function encodeVoiceFrame (frame: VoiceFrame): StoredVoiceFrame {
  return { t: frame.t, s: round(frame.speech, 3), l: roundOrNull(frame.loudnessDb, 1), p: roundOrNull(frame.pitchHz, 1), y: frame.syllables }
}

export function decodeVoiceFrame (stored: StoredVoiceFrame): VoiceFrame {
  return { t: stored.t, speech: stored.s, loudnessDb: stored.l, pitchHz: stored.p, syllables: stored.y }
}
