/** The voice's sentences in Korean (the shape is phrases.ts). */
import { labels, longest } from '../../../feedback/aspect.js'
import { EXPRESSIVE_PITCH_SEMITONES, FILLERS_PER_MINUTE, LONG_PAUSE_SECONDS, MIN_PAUSE_MS, MIN_SPEAKING_PERCENT, PACE_WORDS_PER_MINUTE_EN, type Range } from '../thresholds.js'
import type { VoicePhrases } from './phrases.js'

/** The shortest pause counted, in seconds. */
const P = MIN_PAUSE_MS / 1000
const spanKo = (r: Range) => `${r.min}~${r.max}`

export const KO: VoicePhrases = {
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
        ? `${P}초 이상의 멈춤은 ${v.pauses.count}번${v.pauses.long.length ? `(그중 ${LONG_PAUSE_SECONDS}초 이상 ${v.pauses.long.length}번)` : ''}이었습니다.`
        : `${P}초 이상 멈춘 적은 없었습니다.`) +
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
        ? `말하는 도중 ${P}초 이상 멈춘 것은 ${p.count}번이었습니다(평균 ${p.meanSeconds}초, 가장 긴 멈춤은 ${p.longest.label} 구간의 ${p.longest.seconds}초).`
        : `말하는 도중 ${P}초 이상 멈춘 적은 없었습니다.`) +
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
        (f.perMinute > FILLERS_PER_MINUTE.poor ? `. 듣는 사람이 알아차리기 쉬운 분당 ${FILLERS_PER_MINUTE.poor}회보다 많습니다` : '') +
        (f.top.length ? `. 가장 잦은 것은 ${f.top.map((w) => `'${w.word}' ${w.count}번${w.first ? `(처음 ${w.first})` : ''}`).join(', ')}입니다.` : '.')
    },
    suggestion: (word, first) => word
      ? `'${word}' 같은 말이 나오려 할 때 입을 닫고 조용히 잠깐 멈추세요. 짧은 침묵이 습관어보다 훨씬 자신감 있게 들립니다.` + (first ? ` ${first} 부분을 다시 들어 보세요.` : '')
      : '말이 막힐 때는 소리로 채우기보다 조용히 잠깐 멈추는 습관을 유지하세요.'
  }
}
