/**
 * The report's scores: each 0-100 category of `category_scores` as a ring coloured by its band,
 * what the number means in one line, what the category measures, and the measured numbers
 * behind it with their units and typical ranges; then the measures without a score of their
 * own (the voice). Driven by the data: a category or section the server adds later shows with
 * its name and its numbers instead of breaking the page. Typical ranges are read from the
 * server's own threshold files (pure constants), so the page and the scoring cannot drift apart.
 */
import type { Analysis } from '../../api/types.js'
import { format, useLanguage, useStrings, type Language, type Strings } from '../../i18n.js'
import { CALM_HEAD_DEG_PER_SECOND, JUDGING, NORMAL_BLINK_RATE } from '../../../../src/signals/face/thresholds.js'
import {
  EXPRESSIVE_PITCH_SEMITONES, FILLERS_PER_MINUTE, LONG_PAUSE_SECONDS, MIN_SPEAKING_PERCENT, PACE_SYLLABLES_PER_MINUTE, PACE_WORDS_PER_MINUTE_EN
} from '../../../../src/signals/voice/thresholds.js'
import { POSE_THRESHOLDS } from '../../../../src/signals/pose/thresholds.js'
import { useAutoPrint } from './print.js'
import './text.css'

export type Band = 'good' | 'fair' | 'low'

/** Bands of a 0-100 score: 75 and up good, 50-74 fair, below 50 low. */
export const BAND_LIMITS = { good: 75, fair: 50 } as const

export function bandOf (score: number): Band {
  return score >= BAND_LIMITS.good ? 'good' : score >= BAND_LIMITS.fair ? 'fair' : 'low'
}

const STRINGS: Strings<'title' | 'overall' | 'overallMeaning' | 'outOf' | 'good' | 'fair' | 'low' | 'measures' | 'typical' | 'otherMeasures' |
'voice' | 'voiceWhat' | 'noScores' | 'notMeasured' | 'bandLegend' | 'unknownMeaning' | 'unknownWhat' | 'sectionWhat'> = {
  en: {
    title: 'Scores',
    overall: 'Interview score',
    overallMeaning: 'The weighted mean of the categories below, on a 0-60 scale: eye contact counts most, then expression, composure and presence (and body language when your body was in view).',
    outOf: 'out of {max}',
    good: 'Strong',
    fair: 'Fair',
    low: 'Needs work',
    measures: 'What was measured',
    typical: 'typical {range}',
    otherMeasures: 'Other measures',
    voice: 'Voice',
    voiceWhat: 'How you spoke: pace, pauses, loudness and intonation. It has no score of its own; the feedback judges it.',
    noScores: 'No scores: nothing could be measured in this recording.',
    notMeasured: 'not measured',
    bandLegend: 'Each score is 0-100: 75 and up is strong, 50-74 fair, under 50 needs work.',
    unknownMeaning: '{band} for this category',
    unknownWhat: 'A category Candor scores 0-100.',
    sectionWhat: 'Measured values as the analysis reports them.'
  },
  ko: {
    title: '점수',
    overall: '면접 점수',
    overallMeaning: '아래 항목 점수의 가중 평균을 60점 만점으로 환산한 값입니다. 시선 처리의 비중이 가장 크고, 표정·침착함·화면 존재감(몸이 보였다면 몸짓도) 순입니다.',
    outOf: '{max}점 만점',
    good: '좋음',
    fair: '보통',
    low: '개선 필요',
    measures: '측정값',
    typical: '권장 {range}',
    otherMeasures: '기타 측정',
    voice: '목소리',
    voiceWhat: '말하는 속도, 멈춤, 음량, 억양입니다. 별도 점수는 없고 피드백에서 평가합니다.',
    noScores: '이 녹화에서는 측정할 수 있는 것이 없어 점수가 없습니다.',
    notMeasured: '측정 안 됨',
    bandLegend: '각 점수는 0-100점입니다. 75점 이상은 좋음, 50-74점은 보통, 50점 미만은 개선이 필요합니다.',
    unknownMeaning: '이 항목은 {band}',
    unknownWhat: 'Candor가 0-100점으로 평가하는 항목입니다.',
    sectionWhat: '분석 결과에 담긴 측정값입니다.'
  }
}

interface CategoryText { name: string, what: string, good: string, fair: string, low: string }

/** What each known category measures and what its band means, in plain words. */
const CATEGORIES: Record<Language, Record<string, CategoryText>> = {
  en: {
    eye_contact: {
      name: 'Eye contact',
      what: 'Time spent looking at the camera while your face is in view, less look-aways of a second or more.',
      good: 'steady eye contact: you looked at the camera for most of the answer',
      fair: 'eye contact comes and goes: you looked away from the camera part of the time',
      low: 'little eye contact: you looked away from the camera for much of the answer'
    },
    expression: {
      name: 'Expression',
      what: 'How much of the time your face looked happy, calm or interested, against tense or negative expressions.',
      good: 'a warm, open expression: mostly positive or calm',
      fair: 'a mixed expression: calm overall, with some tense or flat stretches',
      low: 'a tense or negative expression for much of the answer'
    },
    composure: {
      name: 'Composure',
      what: 'How steady your gaze was, how calmly your head moved, and whether you blinked at a natural rate.',
      good: 'composed: a steady gaze, a calm head and natural blinking',
      fair: 'mostly composed, with a wandering gaze, restless head or unusual blinking at times',
      low: 'restless: the gaze wandered, the head moved a lot or the blinking was unusual'
    },
    presence: {
      name: 'Presence',
      what: 'Time with your face in the frame, less time with other faces in it.',
      good: 'you stayed in the frame, on your own, the whole time',
      fair: 'you left the frame at times, or someone else appeared',
      low: 'often out of the frame, or not alone in it'
    },
    body_language: {
      name: 'Body language',
      what: 'Posture, gestures and restless habits (face touching, fidgeting, crossed arms, swaying), when your body is in view.',
      good: 'upright, open body language with natural gestures',
      fair: 'body language mostly fine, with a habit or two to watch',
      low: 'posture, gestures or restless habits draw attention from what you say'
    }
  },
  ko: {
    eye_contact: {
      name: '시선 처리',
      what: '얼굴이 화면에 보이는 동안 카메라를 바라본 시간에서, 1초 이상 시선을 돌린 횟수만큼 뺀 점수입니다.',
      good: '시선이 안정적입니다. 답변 대부분 카메라를 바라보았습니다',
      fair: '시선이 왔다 갔다 합니다. 카메라에서 눈을 돌린 시간이 꽤 있었습니다',
      low: '카메라를 바라본 시간이 적습니다. 답변의 상당 부분에서 시선을 돌렸습니다'
    },
    expression: {
      name: '표정',
      what: '밝거나 차분하거나 흥미를 보이는 표정이 긴장되거나 부정적인 표정보다 얼마나 많았는지를 봅니다.',
      good: '표정이 밝고 편안합니다. 대부분 긍정적이거나 차분했습니다',
      fair: '표정이 섞여 있습니다. 대체로 차분하지만 굳거나 무표정한 구간이 있었습니다',
      low: '답변의 상당 부분에서 표정이 긴장되어 있거나 부정적으로 보였습니다'
    },
    composure: {
      name: '침착함',
      what: '시선이 얼마나 안정적인지, 고개를 얼마나 차분하게 움직였는지, 눈 깜빡임이 자연스러운지를 봅니다.',
      good: '침착합니다. 시선이 안정적이고 고개 움직임과 눈 깜빡임이 자연스럽습니다',
      fair: '대체로 침착하지만 가끔 시선이 흔들리거나 고개를 많이 움직이거나 눈을 자주 깜빡였습니다',
      low: '산만해 보입니다. 시선이 흔들리고 고개를 많이 움직이거나 눈 깜빡임이 잦았습니다'
    },
    presence: {
      name: '화면 존재감',
      what: '얼굴이 화면 안에 있었던 시간에서 다른 사람이 함께 보인 시간만큼 뺀 점수입니다.',
      good: '처음부터 끝까지 혼자 화면 안에 잘 있었습니다',
      fair: '가끔 화면을 벗어나거나 다른 사람이 보였습니다',
      low: '화면을 자주 벗어나거나 다른 사람이 함께 보였습니다'
    },
    body_language: {
      name: '몸짓',
      what: '몸이 화면에 보일 때의 자세, 손동작, 산만한 습관(얼굴 만지기, 손장난, 팔짱, 몸 흔들기)을 봅니다.',
      good: '자세가 바르고 열린 몸짓에 손동작도 자연스럽습니다',
      fair: '몸짓은 대체로 괜찮지만 신경 쓸 습관이 한두 가지 있습니다',
      low: '자세나 손동작, 산만한 습관이 말하는 내용보다 더 눈에 띕니다'
    }
  }
}

/** Names of sections and fields the page has no words for: snake_case made readable. */
export function humanize (key: string): string {
  const words = key.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

type Json = Record<string, unknown>
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
/** A number at a dotted path of a section, or null. */
function num (section: unknown, path: string): number | null {
  let node: unknown = section
  for (const part of path.split('.')) node = isRecord(node) ? node[part] : undefined
  return typeof node === 'number' && Number.isFinite(node) ? node : null
}
function str (section: unknown, path: string): string | null {
  let node: unknown = section
  for (const part of path.split('.')) node = isRecord(node) ? node[part] : undefined
  return typeof node === 'string' ? node : null
}

/** One measured number: its label, value with unit, the typical range, and whether it is in it. */
export interface Measure { key: string, label: string, value: string, typical?: string, ok?: boolean }

const UNITS: Record<Language, Record<string, string>> = {
  en: { perMin: '/min', percent: '%', degPerS: '°/s', s: 's', dB: 'dB', st: 'semitones', syl: 'syllables/min', words: 'words/min', hz: 'Hz' },
  ko: { perMin: '회/분', percent: '%', degPerS: '°/초', s: '초', dB: 'dB', st: '반음', syl: '음절/분', words: '단어/분', hz: 'Hz' }
}

const LABELS: Strings<'eyeContact' | 'lookAways' | 'gazeStability' | 'blinks' | 'headSpeed' | 'largeMoves' | 'positive' | 'dominant' |
'faceInView' | 'otherFaces' | 'framing' | 'bodyVisible' | 'slouch' | 'gestures' | 'openGestures' | 'faceTouches' | 'fidget' | 'armsCrossed' | 'sway' |
'pace' | 'articulation' | 'speaking' | 'pauses' | 'longestPause' | 'loudness' | 'pitchVar' | 'wordsPerMin' | 'fillers' | 'noAudio' | 'atLeast' | 'atMost' | 'between' |
'englishRange' | 'noSpeech' | 'pausesValue' | 'lookAwaysValue' | 'touchesValue' | 'paceTypical' | 'none' | 'pitch'> = {
  en: {
    eyeContact: 'Eye contact',
    lookAways: 'Look-aways (1 s or more)',
    gazeStability: 'Gaze stability (0-1)',
    blinks: 'Blinks',
    headSpeed: 'Head movement',
    largeMoves: 'Large head turns',
    positive: 'Positive or calm expression',
    dominant: 'Most frequent expression',
    faceInView: 'Face in view',
    otherFaces: 'Other faces in view',
    framing: 'Framing',
    bodyVisible: 'Body in view',
    slouch: 'Slouching',
    gestures: 'Gestures',
    openGestures: 'Open gestures',
    faceTouches: 'Face touches',
    fidget: 'Fidgeting',
    armsCrossed: 'Arms crossed',
    sway: 'Side-to-side sway',
    pace: 'Speaking rate',
    articulation: 'While speaking',
    speaking: 'Time speaking',
    pauses: 'Pauses (0.3 s or more)',
    longestPause: 'Longest pause',
    loudness: 'Loudness',
    pitchVar: 'Intonation (pitch variation)',
    pitch: 'Voice pitch (median)',
    wordsPerMin: 'Words per minute',
    fillers: 'Filler words',
    noAudio: 'No sound in the recording: the voice was not analysed.',
    atLeast: '{v} or more',
    atMost: '{v} or less',
    between: '{a}-{b}',
    englishRange: '{v} (English)',
    noSpeech: 'No speech was found in the sound track, so pace, pauses and intonation were not measured. Check that the microphone picks up your voice.',
    pausesValue: '{n}',
    lookAwaysValue: '{n} ({rate}/min)',
    touchesValue: '{n}',
    paceTypical: '{en} in English, {ko} in Korean',
    none: 'none'
  },
  ko: {
    eyeContact: '카메라 응시',
    lookAways: '시선 돌림(1초 이상)',
    gazeStability: '시선 안정도(0-1)',
    blinks: '눈 깜빡임',
    headSpeed: '고개 움직임',
    largeMoves: '큰 고개 돌림',
    positive: '긍정적이거나 차분한 표정',
    dominant: '가장 많이 보인 표정',
    faceInView: '얼굴이 보인 시간',
    otherFaces: '다른 얼굴이 보인 시간',
    framing: '화면 구도',
    bodyVisible: '몸이 보인 시간',
    slouch: '구부정한 자세',
    gestures: '손동작',
    openGestures: '열린 손동작',
    faceTouches: '얼굴 만지기',
    fidget: '손장난',
    armsCrossed: '팔짱',
    sway: '좌우 흔들림',
    pace: '말하기 속도',
    articulation: '말하는 동안',
    speaking: '말한 시간',
    pauses: '멈춤(0.3초 이상)',
    longestPause: '가장 긴 멈춤',
    loudness: '음량',
    pitchVar: '억양(음높이 변화)',
    pitch: '목소리 높이(중앙값)',
    wordsPerMin: '분당 단어 수',
    fillers: '군말(음, 어 등)',
    noAudio: '녹화에 소리가 없어 목소리는 분석하지 않았습니다.',
    atLeast: '{v} 이상',
    atMost: '{v} 이하',
    between: '{a}-{b}',
    englishRange: '영어 {v}',
    noSpeech: '녹음된 소리에서 말소리를 찾지 못해 속도, 멈춤, 억양을 측정하지 않았습니다. 마이크가 목소리를 잘 잡는지 확인해 주세요.',
    pausesValue: '{n}회',
    lookAwaysValue: '{n}회 (분당 {rate}회)',
    touchesValue: '{n}회',
    paceTypical: '영어 {en}, 한국어 {ko}',
    none: '없음'
  }
}

const EMOTION_NAMES: Record<Language, Record<string, string>> = {
  en: { anger: 'anger', contempt: 'contempt', disgust: 'disgust', fear: 'fear', happiness: 'happiness', neutral: 'neutral', sadness: 'sadness', surprise: 'surprise' },
  ko: { anger: '분노', contempt: '경멸', disgust: '혐오', fear: '두려움', happiness: '기쁨', neutral: '무표정', sadness: '슬픔', surprise: '놀람' }
}
const FRAMING_NAMES: Record<Language, Record<string, string>> = {
  en: { full: 'whole body', upper_body: 'upper body', head_and_shoulders: 'head and shoulders', not_visible: 'body not visible' },
  ko: { full: '전신', upper_body: '상반신', head_and_shoulders: '머리와 어깨', not_visible: '몸이 보이지 않음' }
}
const BODY_NOTE: Record<Language, string> = {
  en: 'Only your head and shoulders were in view, so posture, gestures and habits below the shoulders were not measured.',
  ko: '머리와 어깨만 보여서 어깨 아래 자세, 손동작, 습관은 측정하지 않았습니다.'
}

/** The sections the page knows (each module's fields of GET /analysis/:id). */
const KNOWN_SECTIONS = new Set(['emotion_analysis', 'eye_tracking', 'head_movement', 'presence', 'voice_analysis', 'body_language'])
/** Fields of the response that are not measurements. */
const NOT_SECTIONS = new Set(['analysis_id', 'user_id', 'session_id', 'status', 'progress', 'stage', 'error', 'source', 'video', 'attempts', 'created_at',
  'updated_at', 'started_at', 'completed_at', 'analysed_frames', 'model_versions', 'scores_version', 'category_scores', 'events', 'playback', 'timeline', 'upload'])

interface Fmt { n: (value: number, digits?: number) => string, pct: (value: number) => string, unit: Record<string, string> }

function formatter (language: Language): Fmt {
  const cache = new Map<number, Intl.NumberFormat>()
  const n = (value: number, digits = 0) => {
    if (!cache.has(digits)) cache.set(digits, new Intl.NumberFormat(language, { maximumFractionDigits: digits, minimumFractionDigits: 0 }))
    return cache.get(digits)!.format(value)
  }
  return { n, pct: (value: number) => `${n(value, value < 10 && value % 1 !== 0 ? 1 : 0)} %`, unit: UNITS[language] }
}

/** The measured numbers behind one category, from the sections of the analysis. */
function categoryMeasures (key: string, a: Json, l: Record<string, string>, f: Fmt, language: Language): Measure[] {
  const eye = a.eye_tracking
  const head = a.head_movement
  const presence = a.presence
  const emotion = a.emotion_analysis
  const body = a.body_language
  const minutes = Math.max((num(a.video, 'duration_s') ?? 60) / 60, 1 / 60)
  const u = f.unit
  const list: Array<Measure | null> = []
  const range = (min: number, max: number, unit: string) => `${format(l.between!, { a: f.n(min), b: f.n(max) })} ${unit}`
  switch (key) {
    case 'eye_contact': {
      const ratio = num(eye, 'eye_contact_ratio')
      const lookAways = num(eye, 'look_aways')
      list.push(ratio === null ? null : { key: 'eye_contact_ratio', label: l.eyeContact!, value: f.pct(ratio * 100), typical: format(l.atLeast!, { v: `${JUDGING.eyeContactPercent.good} %` }), ok: ratio * 100 >= JUDGING.eyeContactPercent.good })
      list.push(lookAways === null ? null : {
        key: 'look_aways',
        label: l.lookAways!,
        value: format(l.lookAwaysValue!, { n: f.n(lookAways), rate: f.n(lookAways / minutes, 1) }),
        typical: format(l.atMost!, { v: `${JUDGING.lookAways.maxPerMinute}${u.perMin}` }),
        ok: lookAways / minutes <= JUDGING.lookAways.maxPerMinute
      })
      break
    }
    case 'composure': {
      const stability = num(eye, 'gaze_stability')
      const blinks = num(eye, 'blink_frequency')
      const speed = num(head, 'mean_speed_deg_per_s')
      list.push(stability === null ? null : { key: 'gaze_stability', label: l.gazeStability!, value: f.n(stability, 2), typical: format(l.atLeast!, { v: f.n(JUDGING.gazeStability.good, 1) }), ok: stability >= JUDGING.gazeStability.good })
      list.push(blinks === null ? null : { key: 'blink_frequency', label: l.blinks!, value: `${f.n(blinks, 1)} ${u.perMin}`, typical: range(NORMAL_BLINK_RATE.min, NORMAL_BLINK_RATE.max, u.perMin), ok: blinks >= NORMAL_BLINK_RATE.min && blinks <= NORMAL_BLINK_RATE.max })
      list.push(speed === null ? null : { key: 'mean_speed_deg_per_s', label: l.headSpeed!, value: `${f.n(speed, 1)} ${u.degPerS}`, typical: format(l.atMost!, { v: `${CALM_HEAD_DEG_PER_SECOND} ${u.degPerS}` }), ok: speed <= CALM_HEAD_DEG_PER_SECOND })
      break
    }
    case 'expression': {
      const emotions = isRecord(emotion) && isRecord(emotion.emotions) ? emotion.emotions : null
      const dominant = str(emotion, 'dominant_emotion')
      if (emotions) {
        const share = ['happiness', 'neutral', 'surprise'].reduce((sum, e) => sum + (num(emotions, e) ?? 0), 0)
        list.push({ key: 'positive_share', label: l.positive!, value: f.pct(share * 100), typical: format(l.atLeast!, { v: `${JUDGING.expression.positiveShare * 100} %` }), ok: share >= JUDGING.expression.positiveShare })
      }
      if (dominant) list.push({ key: 'dominant_emotion', label: l.dominant!, value: EMOTION_NAMES[language][dominant] ?? dominant })
      break
    }
    case 'presence': {
      const missing = num(presence, 'face_missing_percent')
      const others = num(presence, 'other_faces_percent')
      list.push(missing === null ? null : { key: 'face_in_view', label: l.faceInView!, value: f.pct(100 - missing), typical: format(l.atLeast!, { v: `${JUDGING.faceVisiblePercent.good} %` }), ok: 100 - missing >= JUDGING.faceVisiblePercent.good })
      list.push(others === null ? null : { key: 'other_faces_percent', label: l.otherFaces!, value: f.pct(others), typical: '0 %', ok: others === 0 })
      break
    }
    case 'body_language': {
      const p = POSE_THRESHOLDS
      const visibility = str(body, 'visibility')
      if (visibility) list.push({ key: 'visibility', label: l.framing!, value: FRAMING_NAMES[language][visibility] ?? humanize(visibility) })
      const slouch = num(body, 'posture.slouch_percent')
      const gestures = num(body, 'hands.gestures_per_min')
      const fidget = num(body, 'hands.fidget_percent')
      const crossed = num(body, 'hands.arms_crossed_percent')
      const touches = isRecord(body) && isRecord(body.hands) && Array.isArray(body.hands.face_touches) ? body.hands.face_touches.length : null
      list.push(slouch === null ? null : { key: 'slouch_percent', label: l.slouch!, value: f.pct(slouch), typical: format(l.atMost!, { v: `${p.posture.goodShare * 100} %` }), ok: slouch <= p.posture.goodShare * 100 })
      list.push(gestures === null ? null : { key: 'gestures_per_min', label: l.gestures!, value: `${f.n(gestures, 1)} ${u.perMin}`, typical: range(p.hands.gesturesPerMinute.min, p.hands.gesturesPerMinute.max, u.perMin), ok: gestures >= p.hands.gesturesPerMinute.min && gestures <= p.hands.gesturesPerMinute.max })
      list.push(touches === null ? null : { key: 'face_touches', label: l.faceTouches!, value: touches === 0 ? l.none! : format(l.touchesValue!, { n: f.n(touches) }), typical: format(l.atMost!, { v: `${p.hands.maxFaceTouchesPerMinute}${u.perMin}` }), ok: touches / minutes <= p.hands.maxFaceTouchesPerMinute })
      list.push(fidget === null ? null : { key: 'fidget_percent', label: l.fidget!, value: f.pct(fidget), typical: format(l.atMost!, { v: `${p.hands.fidgetShare.good * 100} %` }), ok: fidget <= p.hands.fidgetShare.good * 100 })
      list.push(crossed === null ? null : { key: 'arms_crossed_percent', label: l.armsCrossed!, value: f.pct(crossed), typical: format(l.atMost!, { v: `${p.hands.armsCrossedShare.poor * 100} %` }), ok: crossed < p.hands.armsCrossedShare.poor * 100 })
      break
    }
  }
  return list.filter((m): m is Measure => m !== null)
}

/** The voice's numbers (a section with no category of its own). */
function voiceMeasures (voice: unknown, l: Record<string, string>, f: Fmt): Measure[] {
  const u = f.unit
  const list: Array<Measure | null> = []
  const pace = num(voice, 'syllables_per_minute_total')
  const articulation = num(voice, 'syllables_per_minute')
  const speaking = num(voice, 'speaking_ratio')
  const pauses = num(voice, 'pauses.count')
  const longest = num(voice, 'pauses.longest_s')
  const loudness = num(voice, 'loudness.mean_db')
  const pitchVar = num(voice, 'pitch.variability_semitones')
  const pitch = num(voice, 'pitch.median_hz')
  const wpm = num(voice, 'transcript.words_per_minute')
  const fillers = num(voice, 'transcript.fillers_per_minute')
  const r = (range: { min: number, max: number }) => `${f.n(range.min)}-${f.n(range.max)}`
  list.push(pace === null ? null : {
    key: 'syllables_per_minute_total',
    label: l.pace!,
    value: `${f.n(pace)} ${u.syl}`,
    typical: format(l.paceTypical!, { en: r(PACE_SYLLABLES_PER_MINUTE.en), ko: r(PACE_SYLLABLES_PER_MINUTE.ko) }),
    ok: (pace >= PACE_SYLLABLES_PER_MINUTE.en.min && pace <= PACE_SYLLABLES_PER_MINUTE.en.max) || (pace >= PACE_SYLLABLES_PER_MINUTE.ko.min && pace <= PACE_SYLLABLES_PER_MINUTE.ko.max)
  })
  list.push(articulation === null ? null : { key: 'syllables_per_minute', label: l.articulation!, value: `${f.n(articulation)} ${u.syl}` })
  list.push(speaking === null ? null : { key: 'speaking_ratio', label: l.speaking!, value: f.pct(speaking * 100), typical: format(l.atLeast!, { v: `${MIN_SPEAKING_PERCENT} %` }), ok: speaking * 100 >= MIN_SPEAKING_PERCENT })
  list.push(pauses === null ? null : { key: 'pauses', label: l.pauses!, value: format(l.pausesValue!, { n: f.n(pauses) }) })
  list.push(longest === null || pauses === 0 ? null : { key: 'longest_pause', label: l.longestPause!, value: `${f.n(longest, 1)} ${u.s}`, typical: format(l.atMost!, { v: `${LONG_PAUSE_SECONDS} ${u.s}` }), ok: longest <= LONG_PAUSE_SECONDS })
  list.push(loudness === null ? null : { key: 'loudness', label: l.loudness!, value: `${f.n(loudness, 1)} ${u.dB}` })
  list.push(pitchVar === null ? null : { key: 'pitch_variability', label: l.pitchVar!, value: `${f.n(pitchVar, 1)} ${u.st}`, typical: `${r(EXPRESSIVE_PITCH_SEMITONES)} ${u.st}`, ok: pitchVar >= EXPRESSIVE_PITCH_SEMITONES.min })
  list.push(pitch === null ? null : { key: 'pitch', label: l.pitch!, value: `${f.n(pitch)} ${u.hz}` })
  list.push(wpm === null ? null : { key: 'words_per_minute', label: l.wordsPerMin!, value: `${f.n(wpm)} ${u.words}`, typical: format(l.englishRange!, { v: r(PACE_WORDS_PER_MINUTE_EN) }), ok: wpm >= PACE_WORDS_PER_MINUTE_EN.min && wpm <= PACE_WORDS_PER_MINUTE_EN.max })
  list.push(fillers === null ? null : { key: 'fillers', label: l.fillers!, value: `${f.n(fillers, 1)} ${u.perMin}`, typical: format(l.atMost!, { v: `${FILLERS_PER_MINUTE.good}${u.perMin}` }), ok: fillers <= FILLERS_PER_MINUTE.good })
  return list.filter((m): m is Measure => m !== null)
}

/** A section the page has no words for: its numbers (one level of nesting), named by their keys. */
function genericMeasures (section: Json, f: Fmt): Measure[] {
  const out: Measure[] = []
  const visit = (node: Json, prefix: string, depth: number) => {
    for (const [key, value] of Object.entries(node)) {
      const name = prefix ? `${prefix} ${key}` : key
      if (typeof value === 'number' && Number.isFinite(value)) out.push({ key: name, label: humanize(name), value: f.n(value, 2) })
      else if (typeof value === 'string' && value.length <= 60) out.push({ key: name, label: humanize(name), value: value.replace(/_/g, ' ') })
      else if (typeof value === 'boolean') out.push({ key: name, label: humanize(name), value: value ? '✓' : '✗' })
      else if (isRecord(value) && depth < 1) visit(value, name, depth + 1)
    }
  }
  visit(section, '', 0)
  return out.slice(0, 12)
}

export function ScoreRing ({ score, max = 100, band, size = 64 }: { score: number, max?: number, band: Band, size?: number }) {
  const radius = 26
  const circumference = 2 * Math.PI * radius
  const share = Math.max(0, Math.min(1, score / max))
  return (
    <svg class={`rt-ring rt-band-${band}`} viewBox="0 0 64 64" width={size} height={size} role="img" aria-label={`${Math.round(score)} / ${max}`}>
      <circle class="rt-ring-track" cx="32" cy="32" r={radius} />
      <circle class="rt-ring-value" cx="32" cy="32" r={radius} stroke-dasharray={`${share * circumference} ${circumference}`} transform="rotate(-90 32 32)" />
      <text x="32" y="32" dominant-baseline="central" text-anchor="middle">{Math.round(score)}</text>
    </svg>
  )
}

function Measures ({ list, s }: { list: Measure[], s: Record<string, string> }) {
  if (list.length === 0) return null
  return (
    <dl class="rt-measures">
      {list.map((m) => (
        <div class="rt-measure" key={m.key} data-measure={m.key}>
          <dt>{m.label}</dt>
          <dd>
            <span class={`rt-value${m.ok === undefined ? '' : m.ok ? ' rt-in-range' : ' rt-out-of-range'}`}>{m.value}</span>
            {m.typical && <span class="rt-typical">{format(s.typical!, { range: m.typical })}</span>}
          </dd>
        </div>
      ))}
    </dl>
  )
}

export function ScoresSection ({ analysis }: { analysis: Analysis }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  useAutoPrint(analysis.analysis_id)
  const l = LABELS[language]
  const f = formatter(language)
  const a = analysis as unknown as Json
  const categories = Object.entries(analysis.category_scores ?? {})
  const interview = num(a.emotion_analysis, 'interview_score')
  const texts = CATEGORIES[language]
  const bodyNote = isRecord(a.body_language) && a.body_language.body_visible === false && a.body_language.visibility !== 'not_visible'
  const voice = a.voice_analysis
  const unknownSections = Object.entries(a).filter(([key, value]) => !KNOWN_SECTIONS.has(key) && !NOT_SECTIONS.has(key) && isRecord(value)) as Array<[string, Json]>

  return (
    <section class="rt-scores" data-testid="scores" aria-labelledby="rt-scores-title">
      <div class="rt-scores-head">
        <h2 id="rt-scores-title">{s.title}</h2>
        <p class="rt-legend">{s.bandLegend}</p>
      </div>
      {interview !== null && categories.length > 0 && (
        <div class={`rt-overall card rt-band-${bandOf((interview / 60) * 100)}`} data-testid="interview-score">
          <ScoreRing score={interview} max={60} band={bandOf((interview / 60) * 100)} size={88} />
          <div>
            <h3>{s.overall} <span class="rt-out-of">{format(s.outOf, { max: 60 })}</span></h3>
            <p class="rt-meaning">{s.overallMeaning}</p>
          </div>
        </div>
      )}
      {categories.length === 0 && <p class="notice">{s.noScores}</p>}
      <div class="rt-score-grid">
        {categories.map(([key, score]) => {
          const band = bandOf(score)
          const text = texts[key]
          const bandName = s[band]
          const meaning = text ? text[band] : format(s.unknownMeaning, { band: bandName.toLowerCase() })
          return (
            <article class={`rt-score card rt-band-${band}`} key={key} data-category={key} data-band={band}>
              <div class="rt-score-head">
                <ScoreRing score={score} band={band} />
                <div>
                  <h3>{text?.name ?? humanize(key)}</h3>
                  <span class="rt-band-label">{bandName}</span>
                </div>
              </div>
              <div class="rt-bar" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(100, score))}%` }} /></div>
              <p class="rt-meaning" data-testid="score-meaning"><strong>{Math.round(score)}</strong> — {meaning}</p>
              <p class="rt-what">{text?.what ?? s.unknownWhat}</p>
              {key === 'body_language' && bodyNote && <p class="rt-what">{BODY_NOTE[language]}</p>}
              <Measures list={categoryMeasures(key, a, l, f, language)} s={s} />
            </article>
          )
        })}
      </div>
      {(isRecord(voice) || unknownSections.length > 0 || (bodyNote && !categories.some(([k]) => k === 'body_language'))) && (
        <>
          <h3 class="rt-subtitle">{s.otherMeasures}</h3>
          <div class="rt-score-grid">
            {isRecord(voice) && (
              <article class="rt-score card rt-plain" data-section="voice_analysis">
                <h3>{s.voice}</h3>
                <p class="rt-what">{s.voiceWhat}</p>
                {voice.has_audio === false
                  ? <p class="notice">{l.noAudio}</p>
                  : num(voice, 'speaking_ratio') === 0 ? <p class="notice" data-testid="no-speech">{l.noSpeech}</p> : <Measures list={voiceMeasures(voice, l, f)} s={s} />}
              </article>
            )}
            {bodyNote && !categories.some(([k]) => k === 'body_language') && (
              <article class="rt-score card rt-plain" data-section="body_language">
                <h3>{texts.body_language!.name}</h3>
                <p class="rt-what">{BODY_NOTE[language]}</p>
                <Measures list={categoryMeasures('body_language', a, l, f, language)} s={s} />
              </article>
            )}
            {unknownSections.map(([key, section]) => (
              <article class="rt-score card rt-plain" key={key} data-section={key}>
                <h3>{humanize(key)}</h3>
                <p class="rt-what">{s.sectionWhat}</p>
                <Measures list={genericMeasures(section, f)} s={s} />
              </article>
            ))}
          </div>
        </>
      )}
    </section>
  )
}
