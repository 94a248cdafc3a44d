/**
 * The rule-based writer's voice aspects and summary sentence, in English and Korean (phrase
 * tables in phrases-en.ts / phrases-ko.ts), from the voice facts alone.
 *
 * Judged only over MIN_SECONDS_FOR_VOICE_RATES of recording (a shorter one gets the numbers in
 * the summary, as a rough guide), by the reference ranges in ../thresholds.ts:
 *   pace        strength: syllables per minute over the whole recording within the language's
 *               range (and, with an English transcript, words per minute within 130-170);
 *               improvement: outside it, unless slow only because little of the recording was
 *               speech (that is the pauses aspect's point); neutral when the two measures disagree
 *   pauses      strength: no pause of 2 s or more and speaking >= 40 % of the recording;
 *               improvement: more than 1 such pause per minute, or speaking < 40 %
 *   intonation  strength: pitch variability >= 2 semitones; improvement: under 2 (monotone);
 *               not judged without a pitch measurement
 *   fillers     (only with a transcript) strength: <= 2 per minute; improvement: > 5 per minute
 */
import { clamp01, labels, longest, verdict, type Aspect, type AspectRank } from '../../../feedback/aspect.js'
import type { Language } from '../../../feedback/schema.js'
import {
  EXPRESSIVE_PITCH_SEMITONES, FILLERS_PER_MINUTE, MAX_LONG_PAUSES_PER_MINUTE, MIN_SPEAKING_PERCENT, type Range
} from '../thresholds.js'
import type { MeasuredVoice, TranscriptFacts, VoiceFacts } from './facts.js'
import { EN } from './phrases-en.js'
import { KO } from './phrases-ko.js'
import type { VoiceAspectKey, VoicePhrases, Where } from './phrases.js'

export type { VoiceAspectKey } from './phrases.js'

const PHRASES: Record<Language, VoicePhrases> = { en: EN, ko: KO }

/** Places in the lists shared by every module (feedback/contribution.ts): pace right after eye
 * contact as an improvement (too fast or too slow and the answer is lost), filler words after the
 * look-aways, pauses and intonation after the expression; as strengths, a good pace follows the
 * expression, intonation, filler words and pauses follow presence. */
export const VOICE_RANKS: Record<VoiceAspectKey, AspectRank> = {
  pace: { improvement: 30, strength: 40 },
  fillers: { improvement: 50, strength: 70 },
  pauses: { improvement: 70, strength: 80 },
  intonation: { improvement: 80, strength: 60 }
}
const VOICE_KEYS: readonly string[] = Object.keys(VOICE_RANKS)

function where (value: number, range: Range): Where {
  return value > range.max ? 'fast' : value < range.min ? 'slow' : 'within'
}

/** 1 inside the range, falling to 0 one range-width outside it. */
const rangeGoodness = (value: number, range: Range) => clamp01(1 - Math.max(range.min - value, value - range.max, 0) / (range.max - range.min))

function paceAspect (v: MeasuredVoice, t: VoicePhrases): Aspect {
  const syllables = where(v.syllablesPerMinute, v.paceRange)
  const wordsRange = v.transcript?.wordsPerMinuteRange
  const words = v.transcript && wordsRange ? where(v.transcript.wordsPerMinute, wordsRange) : null
  const judged = words ? [syllables, words] : [syllables]
  const fast = judged.includes('fast')
  const slow = judged.includes('slow')
  const direction = fast && slow ? 'mixed' : fast ? 'fast' : slow ? 'slow' : 'within'
  // Slow only because most of the recording was silence: the pauses aspect says that.
  const silence = direction === 'slow' && v.speakingPercent < MIN_SPEAKING_PERCENT
  const evidence = t.pace.evidence(v, syllables, words)
  const target = t.pace.target(v)
  return {
    key: 'pace',
    rank: VOICE_RANKS.pace,
    verdict: direction === 'mixed' || silence ? 'neutral' : verdict(direction === 'within', direction !== 'within'),
    reliable: !silence,
    goodness: Math.min(rangeGoodness(v.syllablesPerMinute, v.paceRange), v.transcript && wordsRange ? rangeGoodness(v.transcript.wordsPerMinute, wordsRange) : 1),
    strength: { title: t.pace.title.good, evidence, timestamps: [] },
    improvement: { title: t.pace.title[direction], evidence, suggestion: t.pace.suggestion[direction](target), timestamps: [] }
  }
}

function pausesAspect (v: MeasuredVoice, t: VoicePhrases): Aspect {
  const p = v.pauses
  const longProblem = p.longPerMinute > MAX_LONG_PAUSES_PER_MINUTE
  const littleSpeech = v.speakingPercent < MIN_SPEAKING_PERCENT
  const evidence = t.pauses.evidence(v)
  const shown = longest(p.long)
  return {
    key: 'pauses',
    rank: VOICE_RANKS.pauses,
    verdict: verdict(p.long.length === 0 && !littleSpeech, longProblem || littleSpeech),
    goodness: Math.min(
      clamp01(1 - p.longPerMinute / (2 * MAX_LONG_PAUSES_PER_MINUTE)),
      clamp01((v.speakingPercent - MIN_SPEAKING_PERCENT / 2) / (MIN_SPEAKING_PERCENT / 2))
    ),
    strength: { title: t.pauses.good, evidence, timestamps: [] },
    improvement: {
      // Long silences explain little speech, so they name the item when both apply.
      title: longProblem ? t.pauses.poorLong : littleSpeech ? t.pauses.poorLittle : t.pauses.poor,
      evidence,
      suggestion: longProblem ? t.pauses.suggestionLong(shown[0]?.label ?? null) : littleSpeech ? t.pauses.suggestionLittle : t.pauses.suggestion,
      timestamps: labels(shown)
    }
  }
}

function intonationAspect (v: MeasuredVoice, pitch: NonNullable<MeasuredVoice['pitch']>, t: VoicePhrases): Aspect {
  const range = EXPRESSIVE_PITCH_SEMITONES
  const value = pitch.variabilitySemitones
  const evidence = t.intonation.evidence(v, pitch, value < range.min ? 'below' : value > range.max ? 'above' : 'within')
  return {
    key: 'intonation',
    rank: VOICE_RANKS.intonation,
    verdict: verdict(value >= range.min, value < range.min),
    // 0 at half the monotone limit, 1 at the middle of the expressive range.
    goodness: clamp01((value - range.min / 2) / ((range.min + range.max) / 2 - range.min / 2)),
    strength: { title: t.intonation.good, evidence, timestamps: [] },
    improvement: { title: t.intonation.poor, evidence, suggestion: t.intonation.suggestion, timestamps: [] }
  }
}

function fillersAspect (transcript: TranscriptFacts, t: VoicePhrases): Aspect {
  const limits = FILLERS_PER_MINUTE
  const f = transcript.fillers
  const evidence = t.fillers.evidence(transcript)
  const firsts = [...new Set(f.top.map((w) => w.first).filter((s): s is string => s !== null))].sort()
  return {
    key: 'fillers',
    rank: VOICE_RANKS.fillers,
    verdict: verdict(f.perMinute <= limits.good, f.perMinute > limits.poor),
    goodness: clamp01((limits.poor - f.perMinute) / (limits.poor - limits.good)),
    strength: { title: t.fillers.good, evidence, timestamps: [] },
    improvement: { title: t.fillers.poor, evidence, suggestion: t.fillers.suggestion(f.top[0]?.word ?? null, f.top[0]?.first ?? null), timestamps: firsts }
  }
}

/** The judged voice aspects; none without measured speech or over too short a recording. */
export function voiceAspects (v: VoiceFacts, language: Language): Aspect[] {
  if (v.status !== 'measured' || !v.ratesReliable) return []
  const t = PHRASES[language]
  const list = [paceAspect(v, t), pausesAspect(v, t)]
  if (v.pitch) list.push(intonationAspect(v, v.pitch, t))
  if (v.transcript) list.push(fillersAspect(v.transcript, t))
  return list
}

/**
 * The summary's voice sentences: that the voice was not analysed and why, or its key numbers
 * and its strongest and weakest judged aspect.
 */
export function voiceSummary (v: VoiceFacts, aspects: readonly Aspect[], language: Language): string {
  const t = PHRASES[language]
  if (v.status === 'no-audio') return t.summary.noAudio
  if (v.status === 'not-analysed') return t.summary.notAnalysed
  if (v.status === 'no-speech') return t.summary.noSpeech
  const voice = aspects.filter((a): a is Aspect & { key: VoiceAspectKey } => VOICE_KEYS.includes(a.key))
  // Ties keep the aspects' order (pace, pauses, intonation, fillers): the sort is stable.
  const best = voice.filter((a) => a.verdict === 'strength').sort((a, b) => b.goodness - a.goodness)[0]
  const worst = voice.filter((a) => a.verdict === 'improvement').sort((a, b) => a.goodness - b.goodness)[0]
  const measures = t.summary.measures(v)
  if (!best && !worst) return measures
  return `${measures} ${t.summary.bestWorst(best ? t.name[best.key] : null, worst ? t.name[worst.key] : null)}`
}
