/**
 * The rule-based writer's voice aspects and summary sentence, in English and Korean, from the
 * voice facts alone (rules.ts ranks them with the face aspects).
 *
 * Judged only over MIN_SECONDS_FOR_VOICE_RATES of recording (a shorter one gets the numbers in
 * the summary, as a rough guide), by the reference ranges in voice-facts.ts:
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
import { clamp01, labels, longest, verdict, type Aspect, type VoiceAspectKey } from './aspect.js'
import type { Language } from './schema.js'
import {
  EXPRESSIVE_PITCH_SEMITONES, LONG_PAUSE_SECONDS, MAX_FILLERS_PER_MINUTE, MIN_SECONDS_FOR_VOICE_RATES, MIN_SPEAKING_PERCENT,
  PACE_WORDS_PER_MINUTE_EN, type MeasuredVoice, type Range, type TranscriptFacts, type VoiceFacts
} from './voice-facts.js'

export const VOICE_THRESHOLDS = {
  minSecondsForRates: MIN_SECONDS_FOR_VOICE_RATES,
  /** The pace range depends on the language: voice-facts.ts PACE_SYLLABLES_PER_MINUTE. */
  wordsPerMinuteEn: PACE_WORDS_PER_MINUTE_EN,
  longPause: { seconds: LONG_PAUSE_SECONDS, maxPerMinute: 1 },
  minSpeakingPercent: MIN_SPEAKING_PERCENT,
  pitchVariabilitySemitones: EXPRESSIVE_PITCH_SEMITONES,
  fillersPerMinute: { good: 2, poor: MAX_FILLERS_PER_MINUTE }
}

/** Where a rate falls against its range. */
type Where = 'within' | 'fast' | 'slow'
type PitchWhere = 'below' | 'within' | 'above'

interface VoicePhrases {
  languageName: Record<Language, string>
  /** The aspects as the summary names them. */
  name: Record<VoiceAspectKey, string>
  summary: {
    noAudio: string
    notAnalysed: string
    noSpeech: string
    measures: (v: MeasuredVoice) => string
    bestWorst: (best: string | null, worst: string | null) => string
  }
  pace: {
    title: Record<Where | 'mixed' | 'good', string>
    evidence: (v: MeasuredVoice, where: Where, wordsWhere: Where | null) => string
    /** What to aim for, in the units a speaker can check. */
    target: (v: MeasuredVoice) => string
    suggestion: Record<Where | 'mixed', (target: string) => string>
  }
  pauses: {
    good: string
    poorLong: string
    poorLittle: string
    poor: string
    evidence: (v: MeasuredVoice) => string
    suggestionLong: (first: string | null) => string
    suggestionLittle: string
    suggestion: string
  }
  intonation: { good: string, poor: string, evidence: (v: MeasuredVoice, pitch: NonNullable<MeasuredVoice['pitch']>, where: PitchWhere) => string, suggestion: string }
  fillers: { good: string, poor: string, evidence: (t: TranscriptFacts) => string, suggestion: (word: string | null, first: string | null) => string }
}

const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`
const span = (r: Range) => `${r.min}-${r.max}`
const spanKo = (r: Range) => `${r.min}~${r.max}`

const EN: VoicePhrases = {
  languageName: { en: 'English', ko: 'Korean' },
  name: { pace: 'your pace', pauses: 'your pauses', intonation: 'your intonation', fillers: 'your filler words' },
  summary: {
    noAudio: 'The video has no audio track, so your voice was not analysed.',
    notAnalysed: 'Your voice was not analysed for this recording.',
    noSpeech: 'No speech was detected in the audio track, so your voice was not analysed; check that your microphone is on and picks up your voice.',
    measures: (v) => `You were speaking ${v.speakingPercent}% of the recording, at ${v.syllablesPerMinute} syllables per minute overall` +
      (v.transcript ? ` (${v.transcript.wordsPerMinute} words per minute)` : '') +
      (v.pauses.count ? `, with ${v.pauses.count} pause${v.pauses.count === 1 ? '' : 's'} of 0.3 s or more` : ', with no pause of 0.3 s or more') +
      (v.pauses.long.length ? ` (${v.pauses.long.length} of ${LONG_PAUSE_SECONDS} s or more)` : '') +
      (v.ratesReliable ? '.' : '; over a recording this short these are only rough figures.'),
    bestWorst: (best, worst) => best && worst
      ? `For your voice, the strongest point was ${best} and the weakest ${worst}.`
      : best ? `For your voice, the strongest point was ${best}.` : `For your voice, the weakest point was ${worst}.`
  },
  pace: {
    title: { good: 'Comfortable speaking pace', fast: 'Slow down a little', slow: 'Pick up the pace', mixed: 'Check your speaking pace', within: 'Keep a steady pace' },
    evidence: (v, where, wordsWhere) => {
      const relation = { within: 'within', fast: 'faster than', slow: 'slower than' }
      const t = v.transcript
      return `You spoke at ${v.syllablesPerMinute} syllables per minute over the whole recording, pauses included, ${relation[where]} the ${span(v.paceRange)} range for ${EN.languageName[v.language]}` +
        ` (${v.syllablesPerMinuteSpeaking} per minute while speaking)` +
        (t ? `; the transcript counts ${t.wordsPerMinute} words per minute` + (wordsWhere && t.wordsPerMinuteRange ? `, ${relation[wordsWhere]} the ${span(t.wordsPerMinuteRange)} range` : '') : '') + '.'
    },
    target: (v) => v.language === 'en'
      ? `about ${span(PACE_WORDS_PER_MINUTE_EN)} words (${span(v.paceRange)} syllables) per minute`
      : `${span(v.paceRange)} syllables per minute`,
    suggestion: {
      fast: (target) => `Take a breath at the end of each sentence and pause for a beat after your main point; rehearse one answer aloud with a timer, aiming for ${target}.`,
      slow: (target) => `Prepare the opening sentence of each answer so you start without hesitating, and keep your sentences short; rehearse one answer aloud with a timer, aiming for ${target}.`,
      mixed: (target) => `Rehearse one answer aloud with a timer, aiming for ${target}.`,
      within: (target) => `Nerves tend to speed you up in the interview itself: take a breath before each answer to stay at ${target}.`
    }
  },
  pauses: {
    good: 'No long silences',
    poorLong: 'Shorter silences',
    poorLittle: 'Fill your answers',
    poor: 'Keep silences short',
    evidence: (v) => {
      const p = v.pauses
      const shown = longest(p.long)
      return (p.longest
        ? `You paused ${times(p.count)} for 0.3 s or more while speaking (${p.meanSeconds} s on average, the longest ${p.longest.seconds} s at ${p.longest.label})`
        : 'You made no pause of 0.3 s or more while speaking') +
        (p.long.length
          ? `; ${p.long.length} of them lasted ${LONG_PAUSE_SECONDS} s or more (${labels(shown).join(', ')}${shown.length < p.long.length ? `, the longest ${shown.length}` : ''})`
          : p.count ? `, none of them ${LONG_PAUSE_SECONDS} s or more` : '') +
        `; you were speaking ${v.speakingPercent}% of the recording` +
        (v.speakingPercent < MIN_SPEAKING_PERCENT ? `, under the ${MIN_SPEAKING_PERCENT}% of a well-filled answer.` : '.')
    },
    suggestionLong: (first) => "When you need time to think, say so in a few words ('Let me think about that for a moment') or restate the question, then carry on" +
      (first ? `; replay ${first} to see where you lost the thread.` : '.'),
    suggestionLittle: 'Give each answer a full shape: your point, one concrete example and what it shows, so you speak for most of your time; if you spoke more than this, check that the microphone picks up your voice.',
    suggestion: 'Keep pauses to a breath between sentences, and when you need longer to think, say so in a few words before you go on.'
  },
  intonation: {
    good: 'Lively intonation',
    poor: 'Vary your intonation',
    evidence: (v, pitch, where) => `Your pitch varied by ${pitch.variabilitySemitones} semitones (standard deviation; the middle 80% of it spanned ${pitch.rangeSemitones} semitones), ` + {
      below: `under the ${EXPRESSIVE_PITCH_SEMITONES.min} semitones below which speech sounds monotone`,
      within: `within the ${span(EXPRESSIVE_PITCH_SEMITONES)} semitones typical of expressive speech`,
      above: `livelier than the ${span(EXPRESSIVE_PITCH_SEMITONES)} semitones typical of expressive speech`
    }[where] + `; your loudness varied by ${v.loudnessVariationDb} dB between syllables.`,
    suggestion: "Mark the one or two words that carry each answer's point and let your voice rise on them; record yourself telling a friend a short story and play it back to hear the difference."
  },
  fillers: {
    good: 'Few filler words',
    poor: 'Fewer filler words',
    evidence: (t) => {
      const f = t.fillers
      if (f.count === 0) return 'The transcript has no filler words (0 per minute).'
      return `The transcript has ${f.count} filler word${f.count === 1 ? '' : 's'}, ${f.perMinute} per minute` +
        (f.perMinute > MAX_FILLERS_PER_MINUTE ? `, more than the ${MAX_FILLERS_PER_MINUTE} per minute at which listeners notice them` : '') +
        (f.top.length ? `; most often ${f.top.map((w) => `'${w.word}' (${times(w.count)}${w.first ? `, first at ${w.first}` : ''})`).join(', ')}.` : '.')
    },
    suggestion: (word, first) => word
      ? `When you feel '${word}' coming, close your mouth and pause silently instead: a short silence sounds more confident than a filler` + (first ? `; replay ${first} to hear it.` : '.')
      : 'Keep pausing silently instead of filling gaps with sounds: a short silence sounds more confident than a filler.'
  }
}

const KO: VoicePhrases = {
  languageName: { en: '영어', ko: '한국어' },
  // Used before 입니다 and after 은, which fit every ending.
  name: { pace: '말하기 속도', pauses: '말 사이의 멈춤', intonation: '억양', fillers: '습관어 사용' },
  summary: {
    noAudio: '영상에 오디오 트랙이 없어 목소리는 분석하지 않았습니다.',
    notAnalysed: '이번 영상에서는 목소리를 분석하지 못했습니다.',
    noSpeech: '오디오에서 말소리가 감지되지 않아 목소리는 분석하지 않았습니다. 마이크가 켜져 있고 목소리가 잘 녹음되는지 확인하세요.',
    measures: (v) => `녹화 시간의 ${v.speakingPercent}% 동안 말했고, 전체 말하기 속도는 분당 ${v.syllablesPerMinute}음절` +
      (v.transcript ? `(분당 ${v.transcript.wordsPerMinute}단어)` : '') + '이었으며, ' +
      (v.pauses.count
        ? `0.3초 이상의 멈춤은 ${v.pauses.count}번${v.pauses.long.length ? `(그중 ${LONG_PAUSE_SECONDS}초 이상 ${v.pauses.long.length}번)` : ''}이었습니다.`
        : '0.3초 이상 멈춘 적은 없었습니다.') +
      (v.ratesReliable ? '' : ' 영상이 짧아 이 수치들은 대략적인 값입니다.'),
    bestWorst: (best, worst) => best && worst
      ? `목소리에서 가장 좋았던 점은 ${best}, 가장 아쉬운 점은 ${worst}입니다.`
      : best ? `목소리에서 가장 좋았던 점은 ${best}입니다.` : `목소리에서 가장 아쉬운 점은 ${worst}입니다.`
  },
  pace: {
    title: { good: '적절한 말하기 속도', fast: '말하기 속도 늦추기', slow: '말하기 속도 높이기', mixed: '말하기 속도 점검하기', within: '지금의 말하기 속도 유지하기' },
    evidence: (v, where, wordsWhere) => {
      const relation = { within: '에 들었습니다', fast: '보다 빨랐습니다', slow: '보다 느렸습니다' }
      const t = v.transcript
      return `멈춤을 포함한 전체 녹화 기준으로 분당 ${v.syllablesPerMinute}음절로 말해 ${KO.languageName[v.language]} 기준 적정 범위(분당 ${spanKo(v.paceRange)}음절)${relation[where]}. ` +
        `말하는 동안만 보면 분당 ${v.syllablesPerMinuteSpeaking}음절입니다.` +
        (t ? ` 전사문 기준으로는 분당 ${t.wordsPerMinute}단어` + (wordsWhere && t.wordsPerMinuteRange ? `로, 적정 범위(분당 ${spanKo(t.wordsPerMinuteRange)}단어)${relation[wordsWhere]}.` : '였습니다.') : '')
    },
    target: (v) => v.language === 'en'
      ? `분당 약 ${spanKo(PACE_WORDS_PER_MINUTE_EN)}단어(${spanKo(v.paceRange)}음절)`
      : `분당 ${spanKo(v.paceRange)}음절`,
    suggestion: {
      fast: (target) => `문장이 끝날 때마다 숨을 한 번 고르고, 핵심을 말한 뒤에는 잠깐 멈추세요. 답변 하나를 타이머를 켜고 소리 내어 연습하며 ${target} 정도를 목표로 하세요.`,
      slow: (target) => `답변의 첫 문장을 미리 준비해 망설임 없이 시작하고, 문장을 짧게 끊어 말하세요. 답변 하나를 타이머를 켜고 소리 내어 연습하며 ${target} 정도를 목표로 하세요.`,
      mixed: (target) => `답변 하나를 타이머를 켜고 소리 내어 연습하며 ${target} 정도를 목표로 하세요.`,
      within: (target) => `실제 면접에서는 긴장해서 말이 빨라지기 쉬우니, 답변 전에 숨을 한 번 고르며 ${target} 정도를 유지하세요.`
    }
  },
  pauses: {
    good: '긴 침묵 없는 흐름',
    poorLong: '긴 침묵 줄이기',
    poorLittle: '답변을 충분히 채우기',
    poor: '침묵 짧게 유지하기',
    evidence: (v) => {
      const p = v.pauses
      const shown = longest(p.long)
      return (p.longest
        ? `말하는 도중 0.3초 이상 멈춘 것은 ${p.count}번이었습니다(평균 ${p.meanSeconds}초, 가장 긴 멈춤은 ${p.longest.label} 구간의 ${p.longest.seconds}초).`
        : '말하는 도중 0.3초 이상 멈춘 적은 없었습니다.') +
        (p.long.length
          ? ` 그중 ${LONG_PAUSE_SECONDS}초 이상인 것은 ${p.long.length}번입니다(${labels(shown).join(', ')}${shown.length < p.long.length ? ` 등 가장 긴 ${shown.length}번` : ''}).`
          : p.count ? ` ${LONG_PAUSE_SECONDS}초 이상 멈춘 적은 없었습니다.` : '') +
        ` 녹화 시간 중 말한 시간은 ${v.speakingPercent}%` +
        (v.speakingPercent < MIN_SPEAKING_PERCENT ? `로, 충실한 답변의 기준인 ${MIN_SPEAKING_PERCENT}%보다 적었습니다.` : '였습니다.')
    },
    suggestionLong: (first) => "생각할 시간이 필요하면 '잠시 생각해 보겠습니다'처럼 짧게 말하거나 질문을 다시 정리한 뒤 이어 가세요." +
      (first ? ` ${first} 구간을 다시 보며 어디서 흐름이 끊겼는지 확인해 보세요.` : ''),
    suggestionLittle: '답변을 핵심, 구체적인 예, 그 예가 보여 주는 점의 순서로 구성해 주어진 시간의 대부분을 말로 채우세요. 실제로 더 많이 말했다면 마이크가 목소리를 잘 잡는지 확인하세요.',
    suggestion: '문장 사이의 멈춤은 숨 한 번 정도로 짧게 하고, 더 오래 생각해야 할 때는 그렇다고 짧게 말한 뒤 이어 가세요.'
  },
  intonation: {
    good: '생동감 있는 억양',
    poor: '억양에 변화 주기',
    evidence: (v, pitch, where) => `음높이 변화는 ${pitch.variabilitySemitones}반음(표준편차), 중간 80% 음역의 폭은 ${pitch.rangeSemitones}반음으로, ` + {
      below: `단조롭게 들리는 기준인 ${EXPRESSIVE_PITCH_SEMITONES.min}반음보다 작았습니다`,
      within: `표현력 있는 말하기의 일반적인 범위(${spanKo(EXPRESSIVE_PITCH_SEMITONES)}반음)에 들었습니다`,
      above: `표현력 있는 말하기의 일반적인 범위(${spanKo(EXPRESSIVE_PITCH_SEMITONES)}반음)보다 컸습니다`
    }[where] + `. 음절 사이 소리 크기의 변화 폭은 ${v.loudnessVariationDb}dB 정도였습니다.`,
    suggestion: '답변마다 핵심이 되는 한두 단어를 정해 그 단어에서 목소리를 살짝 높여 보세요. 친구에게 짧은 이야기를 들려주듯 말하는 모습을 녹음해 다시 들어 보면 차이를 느낄 수 있습니다.'
  },
  fillers: {
    good: '적은 습관어',
    poor: '습관어 줄이기',
    evidence: (t) => {
      const f = t.fillers
      if (f.count === 0) return '전사문에 습관어가 한 번도 나오지 않았습니다(분당 0회).'
      return `전사문에서 습관어가 ${f.count}번(분당 ${f.perMinute}회) 나왔습니다` +
        (f.perMinute > MAX_FILLERS_PER_MINUTE ? `. 듣는 사람이 알아차리기 쉬운 분당 ${MAX_FILLERS_PER_MINUTE}회보다 많습니다` : '') +
        (f.top.length ? `. 가장 잦은 것은 ${f.top.map((w) => `'${w.word}' ${w.count}번${w.first ? `(처음 ${w.first})` : ''}`).join(', ')}입니다.` : '.')
    },
    suggestion: (word, first) => word
      ? `'${word}' 같은 말이 나오려 할 때 입을 닫고 조용히 잠깐 멈추세요. 짧은 침묵이 습관어보다 훨씬 자신감 있게 들립니다.` + (first ? ` ${first} 부분을 다시 들어 보세요.` : '')
      : '말이 막힐 때는 소리로 채우기보다 조용히 잠깐 멈추는 습관을 유지하세요.'
  }
}

const PHRASES: Record<Language, VoicePhrases> = { en: EN, ko: KO }
const VOICE_KEYS: readonly string[] = ['pace', 'pauses', 'intonation', 'fillers'] satisfies VoiceAspectKey[]

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
    verdict: direction === 'mixed' || silence ? 'neutral' : verdict(direction === 'within', direction !== 'within'),
    reliable: !silence,
    goodness: Math.min(rangeGoodness(v.syllablesPerMinute, v.paceRange), v.transcript && wordsRange ? rangeGoodness(v.transcript.wordsPerMinute, wordsRange) : 1),
    strength: { title: t.pace.title.good, evidence, timestamps: [] },
    improvement: { title: t.pace.title[direction], evidence, suggestion: t.pace.suggestion[direction](target), timestamps: [] }
  }
}

function pausesAspect (v: MeasuredVoice, t: VoicePhrases): Aspect {
  const T = VOICE_THRESHOLDS
  const p = v.pauses
  const longProblem = p.longPerMinute > T.longPause.maxPerMinute
  const littleSpeech = v.speakingPercent < T.minSpeakingPercent
  const evidence = t.pauses.evidence(v)
  const shown = longest(p.long)
  return {
    key: 'pauses',
    verdict: verdict(p.long.length === 0 && !littleSpeech, longProblem || littleSpeech),
    goodness: Math.min(
      clamp01(1 - p.longPerMinute / (2 * T.longPause.maxPerMinute)),
      clamp01((v.speakingPercent - T.minSpeakingPercent / 2) / (T.minSpeakingPercent / 2))
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
  const range = VOICE_THRESHOLDS.pitchVariabilitySemitones
  const value = pitch.variabilitySemitones
  const evidence = t.intonation.evidence(v, pitch, value < range.min ? 'below' : value > range.max ? 'above' : 'within')
  return {
    key: 'intonation',
    verdict: verdict(value >= range.min, value < range.min),
    // 0 at half the monotone limit, 1 at the middle of the expressive range.
    goodness: clamp01((value - range.min / 2) / ((range.min + range.max) / 2 - range.min / 2)),
    strength: { title: t.intonation.good, evidence, timestamps: [] },
    improvement: { title: t.intonation.poor, evidence, suggestion: t.intonation.suggestion, timestamps: [] }
  }
}

function fillersAspect (transcript: TranscriptFacts, t: VoicePhrases): Aspect {
  const limits = VOICE_THRESHOLDS.fillersPerMinute
  const f = transcript.fillers
  const evidence = t.fillers.evidence(transcript)
  const firsts = [...new Set(f.top.map((w) => w.first).filter((s): s is string => s !== null))].sort()
  return {
    key: 'fillers',
    verdict: verdict(f.perMinute <= limits.good, f.perMinute > limits.poor),
    goodness: clamp01((limits.poor - f.perMinute) / (limits.poor - limits.good)),
    strength: { title: t.fillers.good, evidence, timestamps: [] },
    improvement: { title: t.fillers.poor, evidence, suggestion: t.fillers.suggestion(f.top[0]?.word ?? null, f.top[0]?.first ?? null), timestamps: firsts }
  }
}

/** The judged voice aspects; none without measured speech or over too short a recording. */
export function voiceAspects (v: VoiceFacts | null, language: Language): Aspect[] {
  if (v?.status !== 'measured' || !v.ratesReliable) return []
  const t = PHRASES[language]
  const list = [paceAspect(v, t), pausesAspect(v, t)]
  if (v.pitch) list.push(intonationAspect(v, v.pitch, t))
  if (v.transcript) list.push(fillersAspect(v.transcript, t))
  return list
}

/**
 * The summary's voice sentences: that the voice was not analysed and why, or its key numbers
 * and its strongest and weakest judged aspect. Null when no voice analysis was given.
 */
export function voiceSummary (v: VoiceFacts | null, aspects: Aspect[], language: Language): string | null {
  const t = PHRASES[language]
  if (v === null) return null
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
