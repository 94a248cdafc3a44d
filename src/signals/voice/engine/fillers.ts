/**
 * Filler words in a transcript (pure, no Node APIs). Matching is on whole words: each word is
 * lower-cased and stripped of the punctuation around it ("Um," -> "um"), and a filler matches
 * only a word that is exactly it, so "like" is not found in "likely" and the Korean "그" not in
 * "그게" (Korean fillers are standalone tokens: a particle attached makes it another word).
 * Phrases ("you know") match consecutive words; longer phrases are tried first and matches do
 * not overlap. "like" or "그" as fillers also count their ordinary uses: the lists are the
 * configuration's (FILLER_WORDS_EN / FILLER_WORDS_KO), to be kept to words that are mostly filler.
 */

export type FillerLanguage = 'en' | 'ko'

export interface TimedWord { word: string, startMs: number | null }

export interface FillerCount {
  count: number
  perMinute: number
  /** Each match, as the filler is written in the list, with its start (null when the service gave no word times). */
  items: Array<{ word: string, startMs: number | null }>
}

/** Hangul syllables and jamo. */
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/

/**
 * The filler list for the language the service detected ("english", "korean", or an ISO code,
 * depending on the server); any other language falls back on the script of the text (Hangul or
 * not), since candidates speak Korean or English.
 */
export function fillerLanguage (language: string, text: string): FillerLanguage {
  const code = language.trim().toLowerCase()
  if (['ko', 'kor', 'korean'].includes(code)) return 'ko'
  if (['en', 'eng', 'english'].includes(code)) return 'en'
  return HANGUL.test(text) ? 'ko' : 'en'
}

/** A word as compared: lower case, without the punctuation and symbols around it. */
export function normaliseWord (word: string): string {
  return word.trim().toLowerCase().replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '')
}

export function countFillers (words: TimedWord[], fillers: string[], minutes: number): FillerCount {
  const phrases = fillers
    .map((filler) => filler.split(/\s+/).map(normaliseWord).filter(Boolean))
    .filter((tokens) => tokens.length > 0)
    .sort((a, b) => b.length - a.length)
  const tokens = words.map((w) => normaliseWord(w.word))
  const items: FillerCount['items'] = []
  for (let i = 0; i < tokens.length;) {
    const phrase = phrases.find((p) => p.every((token, k) => tokens[i + k] === token))
    if (!phrase) { i++; continue }
    items.push({ word: phrase.join(' '), startMs: words[i]!.startMs })
    i += phrase.length
  }
  return { count: items.length, perMinute: minutes > 0 ? Math.round((items.length / minutes) * 10) / 10 : 0, items }
}
