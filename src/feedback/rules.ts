/**
 * The rule-based feedback writer: the same structure the LLM writes, from the facts alone, in
 * English or Korean. Used without an API key and whenever the LLM fails.
 *
 * Each aspect of the recording is judged a strength, an improvement or neither by the
 * thresholds in THRESHOLDS (the same reference ranges the prompt gives the LLM):
 *   eye contact       strength >= 70 %, improvement < 50 %
 *   look-aways        strength: none; improvement: more than 2 per minute or 10 % of face time
 *   gaze stability    strength >= 0.8, improvement < 0.5
 *   blinks            strength: 8-30 per minute; improvement outside; not judged under 15 s of face time
 *   head movement     strength: <= 15 deg/s and <= 6 large movements/min; improvement: > 25 deg/s or > 12/min
 *   expression        strength: happiness + neutral >= 60 % and no part dominated by a negative
 *                     expression; improvement: negative >= 35 % or such a part (dominant share >= 50 %)
 *   presence          strength: face in view >= 95 % and others in view < 5 %; improvement: < 85 % or >= 10 %
 * With a voice analysis, voice-rules.ts adds pace, pauses, intonation and (with a transcript)
 * filler words, judged by the reference ranges in voice-facts.ts (see voice-rules.ts).
 * Lists keep the order of IMPROVEMENT_ORDER / STRENGTH_ORDER, at most four items. A list left
 * empty gets the nearest candidate (the best or worst of the aspects judged neither), so there
 * is always at least one strength and one improvement.
 *
 * The voice aspects rank among the face ones by how soon an interviewer notices them: pace right
 * after eye contact (too fast or too slow and the answer is lost), filler words after the
 * look-aways, pauses and intonation after the expression, all before the composure details
 * (head, gaze, blinks). As strengths, a good pace follows the expression; intonation, filler
 * words and pauses follow presence.
 */
import type { Emotion } from '../signals/face/metrics/index.js'
import { clamp01, labels, longest, verdict, type Aspect, type AspectKey } from './aspect.js'
import { NEGATIVE_EMOTIONS, NORMAL_BLINK_RATE, POSITIVE_EMOTIONS, type Direction, type EmotionPart, type FeedbackFacts, type TimeRange } from './facts.js'
import { MAX_ITEMS, feedbackScores, type Feedback, type Language } from './schema.js'
import { voiceAspects, voiceSummary } from './voice-rules.js'

/** Stored as the prompt version of rule-based feedback: it tells which rules wrote it. */
export const RULES_VERSION = 'rules-1.1'

export const THRESHOLDS = {
  eyeContactPercent: { good: 70, poor: 50 },
  lookAways: { maxPerMinute: 2, maxShareOfFaceTime: 0.1 },
  gazeStability: { good: 0.8, poor: 0.5 },
  blinksPerMinute: NORMAL_BLINK_RATE,
  headDegPerSecond: { calm: 15, restless: 25 },
  largeMovementsPerMinute: { calm: 6, restless: 12 },
  expression: { positiveShare: 0.6, negativeShare: 0.35, negativePartShare: 0.5 },
  faceVisiblePercent: { good: 95, poor: 85 },
  otherFacesPercent: { good: 5, poor: 10 }
}

const IMPROVEMENT_ORDER: AspectKey[] = ['presence', 'eyeContact', 'pace', 'lookAways', 'fillers', 'expression', 'pauses', 'intonation', 'head', 'gaze', 'blinks']
const STRENGTH_ORDER: AspectKey[] = ['eyeContact', 'lookAways', 'expression', 'pace', 'presence', 'intonation', 'fillers', 'pauses', 'head', 'gaze', 'blinks']

const pct = (share: number) => Math.round(share * 100)

/** The direction most look-aways took, when at least two thirds took it. */
function mainDirection (directions: Direction[]): Direction | null {
  for (const d of new Set(directions)) if (directions.filter((x) => x === d).length >= (2 / 3) * directions.length) return d
  return null
}

interface CategoryName { key: 'eyeContact' | 'expression' | 'composure' | 'presence', name: string, score: number }

/** Every sentence the writer uses, per language; numbers and timestamps come from the facts. */
interface Phrases {
  emotion: Record<Emotion, string>
  direction: Record<Direction, string>
  category: Record<CategoryName['key'], string>
  summary: {
    overview: (f: FeedbackFacts) => string
    measures: (f: FeedbackFacts) => string
    noFace: string
    bestWorst: (best: CategoryName, worst: CategoryName) => string
    allEqual: (score: number) => string
  }
  eyeContact: { good: string, poor: string, evidence: (f: FeedbackFacts) => string, suggestion: string }
  lookAways: {
    good: string
    poor: string
    none: (f: FeedbackFacts) => string
    evidence: (f: FeedbackFacts, shown: TimeRange[], direction: Direction | null) => string
    suggestion: (first: string | null) => string
  }
  gaze: { good: string, poor: string, evidence: (f: FeedbackFacts) => string, suggestion: string }
  blinks: {
    good: string
    poorHigh: string
    poorLow: string
    poor: string
    evidence: (f: FeedbackFacts, where: 'within' | 'above' | 'below' | 'rough') => string
    suggestionHigh: string
    suggestionLow: string
    suggestion: string
  }
  head: { good: string, poor: string, evidence: (f: FeedbackFacts) => string, suggestion: string }
  expression: {
    good: string
    poor: string
    positive: (f: FeedbackFacts, mix: string) => string
    negative: (f: FeedbackFacts, mix: string, negativeParts: string, positiveParts: string) => string
    part: (p: EmotionPart) => string
    suggestion: (warmest: string | null) => string
  }
  presence: {
    good: string
    poorMissing: string
    poorOthers: string
    evidence: (f: FeedbackFacts) => string
    noFace: string
    suggestionMissing: string
    suggestionOthers: string
  }
  recorded: { title: string, evidence: (f: FeedbackFacts) => string }
}

const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`

const EN: Phrases = {
  emotion: { anger: 'anger', contempt: 'contempt', disgust: 'disgust', fear: 'fear', happiness: 'happiness', neutral: 'neutral', sadness: 'sadness', surprise: 'surprise' },
  direction: { left: 'to your left', right: 'to your right', up: 'upwards', down: 'downwards' },
  category: { eyeContact: 'eye contact', expression: 'expression', composure: 'composure', presence: 'presence' },
  summary: {
    overview: (f) => `In this ${f.duration} recording your interview score was ${f.scores.interview}/60 (eye contact ${f.scores.eyeContact}, expression ${f.scores.expression}, composure ${f.scores.composure}, presence ${f.scores.presence}, each out of 100).`,
    measures: (f) => `You kept eye contact ${f.eyeContact.percent}% of the time, ` +
      (f.lookAways.count ? `looked away ${times(f.lookAways.count)} for 1 second or more` : 'never looked away for 1 second or more') +
      ` and blinked ${times(f.blinks.count)} (${f.blinks.ratePerMinute} per minute).`,
    noFace: 'Your face was not found in the video, so of the camera measurements only presence could be taken.',
    bestWorst: (best, worst) => `Your strongest area was ${best.name} (${best.score}); focus first on ${worst.name} (${worst.score}).`,
    allEqual: (score) => `All four areas scored ${score}.`
  },
  eyeContact: {
    good: 'Steady eye contact',
    poor: 'Look at the camera more',
    evidence: (f) => `You looked into the camera ${f.eyeContact.percent}% of the time your face was in view with your eyes open.`,
    suggestion: 'Put the camera at eye level with a small sticker next to the lens, and look at it whenever you start an answer and when you make your main point; aim for 70% or more.'
  },
  lookAways: {
    good: 'Attention stays on the camera',
    poor: 'Fewer glances away',
    none: (f) => `You never looked away from the camera for 1 second or more during the ${f.duration} recording.`,
    evidence: (f, shown, direction) => `You looked away from the camera ${times(f.lookAways.count)} for 1 second or more (${shown.map((r) => r.label).join(', ')}` +
      `${shown.length < f.lookAways.count ? `, the longest ${shown.length}` : ''}), ${f.lookAways.totalSeconds} s in total${direction ? `, mostly ${EN.direction[direction]}` : ''}.`,
    suggestion: (first) => 'When you need a moment to think, pause with your eyes on the lens, or glance down briefly and come straight back' +
      (first ? `; replay ${first} to see what drew your eyes away.` : '.')
  },
  gaze: {
    good: 'Calm, focused gaze',
    poor: 'Keep your gaze steady',
    evidence: (f) => `Your gaze stability was ${f.eyeContact.gazeStability} on a scale where 1 is perfectly steady (your gaze moved over about ${f.eyeContact.gazeSpreadDeg} degrees).`,
    suggestion: 'Keep notes out of view and sit square to the camera, so your eyes have one place to come back to between thoughts.'
  },
  blinks: {
    good: 'Natural blinking',
    poorHigh: 'Calmer blinking',
    poorLow: 'Blink naturally',
    poor: 'Relaxed blinking',
    evidence: (f, where) => `You blinked ${times(f.blinks.count)}, ${f.blinks.ratePerMinute} per minute` + {
      within: `, within the usual range of ${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max} per minute.`,
      above: `, above the usual range of ${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max} per minute.`,
      below: `, below the usual range of ${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max} per minute.`,
      rough: ' (over a recording this short the rate is only a rough guide).'
    }[where],
    suggestionHigh: 'Frequent blinking often comes with nerves or dry eyes: take a slow breath before you answer, and avoid a fan or glaring light aimed at your face.',
    suggestionLow: 'Very little blinking can look like staring: relax your face and let yourself blink, especially while you listen to a question.',
    suggestion: 'Keep your face relaxed and take a breath before each answer, so your blinking stays natural.'
  },
  head: {
    good: 'Composed posture',
    poor: 'Keep your head steadier',
    evidence: (f) => `Your head moved ${f.head.meanSpeedDegPerSecond} degrees per second on average, with ${f.head.largeMovementsPerMinute} large movements (over 20 degrees within a second) per minute.`,
    suggestion: 'Sit back against the chair with both feet on the floor, and save nods for the points you want to stress instead of moving while you talk.'
  },
  expression: {
    good: 'Warm, positive expression',
    poor: 'Warmer expression',
    positive: (f, mix) => `Your expression read as happiness or neutral ${pct(f.emotion.positiveShare)}% of the time${mix ? ` (${mix})` : ''}.`,
    negative: (f, mix, negativeParts, positiveParts) => `Negative expressions made up ${pct(f.emotion.negativeShare)}% of the video${mix ? ` (${mix})` : ''}` +
      (negativeParts ? `, dominating ${negativeParts}` : '') + (positiveParts ? `; ${positiveParts} looked brighter` : '') + '.',
    part: (p) => `${p.label} (${EN.emotion[p.emotion]} ${pct(p.share)}%)`,
    suggestion: (warmest) => 'Start each answer with a slight smile and relaxed brows, and rehearse your opening sentences on video until your face looks as warm as ' +
      (warmest ? `it did at ${warmest}.` : 'you mean it to.')
  },
  presence: {
    good: 'Fully in frame',
    poorMissing: 'Stay in the frame',
    poorOthers: 'Record alone',
    evidence: (f) => `Your face was in view ${f.presence.faceVisiblePercent}% of the time` +
      (f.presence.missing.length ? `, and out of frame at ${labels(f.presence.missing).join(', ')}` : '') +
      (f.presence.otherFacesPercent > 0 ? `; other people were in view ${f.presence.otherFacesPercent}% of the time.` : ', with no one else in view.'),
    noFace: 'Your face was in view 0% of the time: the analysis could not find you in the video.',
    suggestionMissing: 'Before you start, check that your head and shoulders are centred with a little space above your head, and stay within that frame when you lean or gesture.',
    suggestionOthers: 'Record in a quiet room where no one else can appear on camera.'
  },
  recorded: {
    title: 'Recording in place',
    evidence: (f) => `You recorded ${f.duration} of video, enough to analyse fully once your face is in the frame.`
  }
}

const KO: Phrases = {
  emotion: { anger: '분노', contempt: '경멸', disgust: '혐오', fear: '두려움', happiness: '기쁨', neutral: '무표정', sadness: '슬픔', surprise: '놀람' },
  direction: { left: '본인 기준 왼쪽', right: '본인 기준 오른쪽', up: '위쪽', down: '아래쪽' },
  // Every name ends in a consonant, so the particles below (이고, 입니다) always fit.
  category: { eyeContact: '시선 접촉', expression: '표정', composure: '침착함', presence: '화면 존재감' },
  summary: {
    overview: (f) => `${f.duration} 분량의 이번 영상에서 면접 점수는 60점 만점에 ${f.scores.interview}점입니다(시선 접촉 ${f.scores.eyeContact}, 표정 ${f.scores.expression}, 침착함 ${f.scores.composure}, 화면 존재감 ${f.scores.presence}, 각 100점 만점).`,
    measures: (f) => `카메라와의 시선 접촉 비율은 ${f.eyeContact.percent}%였고, ` +
      (f.lookAways.count ? `1초 이상 시선을 돌린 것은 ${f.lookAways.count}번, ` : '1초 이상 시선을 돌린 적은 없었으며, ') +
      `눈 깜빡임은 ${f.blinks.count}번(분당 ${f.blinks.ratePerMinute}회)이었습니다.`,
    noFace: '영상에서 얼굴을 찾지 못해 카메라 항목 중에서는 화면 존재감만 측정할 수 있었습니다.',
    bestWorst: (best, worst) => `가장 좋은 영역은 ${best.name}(${best.score}점)이고, 먼저 개선할 영역은 ${worst.name}(${worst.score}점)입니다.`,
    allEqual: (score) => `네 영역의 점수가 모두 ${score}점으로 같습니다.`
  },
  eyeContact: {
    good: '안정적인 시선 접촉',
    poor: '카메라 응시 시간 늘리기',
    evidence: (f) => `얼굴이 보이고 눈을 뜨고 있던 시간 중 ${f.eyeContact.percent}% 동안 카메라를 바라보았습니다.`,
    suggestion: '카메라를 눈높이에 맞추고 렌즈 옆에 작은 스티커를 붙여 두세요. 답변을 시작할 때와 핵심을 말할 때 렌즈를 바라보며 70% 이상을 목표로 하세요.'
  },
  lookAways: {
    good: '카메라에 집중된 시선',
    poor: '시선 이탈 줄이기',
    none: (f) => `${f.duration} 동안 1초 이상 카메라에서 시선을 돌린 적이 한 번도 없었습니다.`,
    evidence: (f, shown, direction) => `카메라에서 1초 이상 시선을 돌린 적이 ${f.lookAways.count}번 있었습니다(${shown.map((r) => r.label).join(', ')}` +
      `${shown.length < f.lookAways.count ? ` 등 가장 긴 ${shown.length}번` : ''}, 총 ${f.lookAways.totalSeconds}초${direction ? `, 주로 ${KO.direction[direction]}` : ''}).`,
    suggestion: (first) => '생각할 시간이 필요하면 렌즈를 바라본 채 잠시 멈추거나, 짧게 아래를 본 뒤 바로 돌아오세요.' +
      (first ? ` ${first} 구간을 다시 보며 무엇 때문에 시선이 흔들렸는지 확인해 보세요.` : '')
  },
  gaze: {
    good: '흔들림 없는 시선',
    poor: '시선 흔들림 줄이기',
    evidence: (f) => `시선 안정성 지수는 ${f.eyeContact.gazeStability}(1에 가까울수록 안정적)이며, 시선이 움직인 범위는 약 ${f.eyeContact.gazeSpreadDeg}도였습니다.`,
    suggestion: '메모는 화면 밖에 두고 카메라를 정면으로 향해 앉아, 생각하는 사이에도 시선이 돌아올 한 곳을 정해 두세요.'
  },
  blinks: {
    good: '자연스러운 눈 깜빡임',
    poorHigh: '눈 깜빡임 줄이기',
    poorLow: '자연스럽게 눈 깜빡이기',
    poor: '편안한 눈 깜빡임',
    evidence: (f, where) => `눈을 ${f.blinks.count}번 깜빡였습니다(분당 ${f.blinks.ratePerMinute}회` + {
      within: `, 일반적인 범위인 분당 ${NORMAL_BLINK_RATE.min}~${NORMAL_BLINK_RATE.max}회 이내).`,
      above: `, 일반적인 범위인 분당 ${NORMAL_BLINK_RATE.min}~${NORMAL_BLINK_RATE.max}회보다 많음).`,
      below: `, 일반적인 범위인 분당 ${NORMAL_BLINK_RATE.min}~${NORMAL_BLINK_RATE.max}회보다 적음).`,
      rough: ', 영상이 짧아 대략적인 값).'
    }[where],
    suggestionHigh: '잦은 깜빡임은 긴장이나 눈의 건조함과 관련된 경우가 많습니다. 답변 전에 천천히 숨을 고르고, 얼굴을 향한 바람이나 눈부신 조명을 피하세요.',
    suggestionLow: '깜빡임이 너무 적으면 노려보는 듯 보일 수 있습니다. 얼굴의 긴장을 풀고, 특히 질문을 들을 때는 편하게 눈을 깜빡이세요.',
    suggestion: '답변 전에 숨을 한 번 고르고 얼굴의 긴장을 풀어, 지금처럼 자연스럽게 깜빡이도록 하세요.'
  },
  head: {
    good: '안정된 자세',
    poor: '머리 움직임 줄이기',
    evidence: (f) => `머리는 평균 초당 ${f.head.meanSpeedDegPerSecond}도 움직였고, 1초 안에 20도 넘게 움직인 큰 움직임은 분당 ${f.head.largeMovementsPerMinute}회였습니다.`,
    suggestion: '의자에 등을 붙이고 두 발을 바닥에 둔 채 앉으세요. 말하는 내내 움직이기보다 강조하고 싶은 부분에서만 고개를 끄덕이세요.'
  },
  expression: {
    good: '밝고 긍정적인 표정',
    poor: '더 밝은 표정 짓기',
    positive: (f, mix) => `영상 전체에서 기쁨 또는 무표정으로 읽힌 표정이 ${pct(f.emotion.positiveShare)}%${mix ? `(${mix})` : ''}를 차지했습니다.`,
    negative: (f, mix, negativeParts, positiveParts) => `부정적인 표정이 영상의 ${pct(f.emotion.negativeShare)}%${mix ? `(${mix})` : ''}를 차지했고` +
      (negativeParts ? `, 특히 ${negativeParts} 구간에서 두드러졌습니다.` : '.') + (positiveParts ? ` 반면 ${positiveParts} 구간에서는 표정이 밝았습니다.` : ''),
    part: (p) => `${p.label}(${KO.emotion[p.emotion]} ${pct(p.share)}%)`,
    suggestion: (warmest) => '답변을 시작할 때 살짝 미소 짓고 미간의 힘을 빼세요. ' +
      (warmest ? `${warmest} 구간처럼 편안한 표정이 나올 때까지 첫 문장을 영상으로 연습해 보세요.` : '편안한 표정이 나올 때까지 첫 문장을 영상으로 연습해 보세요.')
  },
  presence: {
    good: '화면 안에 안정적으로 위치',
    poorMissing: '화면 안에 머무르기',
    poorOthers: '혼자 있는 공간에서 녹화하기',
    evidence: (f) => `얼굴이 화면에 보인 시간은 ${f.presence.faceVisiblePercent}%였습니다` +
      (f.presence.missing.length ? `. ${labels(f.presence.missing).join(', ')} 구간에서는 얼굴이 화면을 벗어났습니다` : '') +
      (f.presence.otherFacesPercent > 0 ? `. 다른 사람이 화면에 보인 시간은 ${f.presence.otherFacesPercent}%였습니다.` : '. 다른 사람은 화면에 나오지 않았습니다.'),
    noFace: '얼굴이 화면에 보인 시간은 0%였습니다. 분석에서 영상 속 얼굴을 찾지 못했습니다.',
    suggestionMissing: '시작 전에 머리와 어깨가 화면 가운데에 오고 머리 위에 약간의 여백이 있는지 확인하고, 몸을 기울이거나 손짓할 때도 그 범위를 벗어나지 마세요.',
    suggestionOthers: '다른 사람이 화면에 나오지 않는 조용한 공간에서 녹화하세요.'
  },
  recorded: {
    title: '녹화 준비 완료',
    evidence: (f) => `${f.duration} 분량의 영상을 녹화했습니다. 얼굴이 화면에 나오면 모든 항목을 분석할 수 있습니다.`
  }
}

const PHRASES: Record<Language, Phrases> = { en: EN, ko: KO }

/** An aspect judged by one number, higher being better, against a good and a poor threshold. */
function thresholdAspect (key: Aspect['key'], value: number, limits: { good: number, poor: number },
  phrases: { good: string, poor: string, suggestion: string }, evidence: string): Aspect {
  return {
    key,
    verdict: verdict(value >= limits.good, value < limits.poor),
    goodness: clamp01((value - limits.poor) / (limits.good - limits.poor)),
    strength: { title: phrases.good, evidence, timestamps: [] },
    improvement: { title: phrases.poor, evidence, suggestion: phrases.suggestion, timestamps: [] }
  }
}

function aspects (f: FeedbackFacts, t: Phrases, language: Language): Aspect[] {
  // The voice is judged with or without a face in view.
  return [...faceAspects(f, t), ...voiceAspects(f.voice, language)]
}

function faceAspects (f: FeedbackFacts, t: Phrases): Aspect[] {
  const T = THRESHOLDS
  const presence = presenceAspect(f, t)
  if (f.faceSeconds === 0) return [presence]
  const list: Aspect[] = [presence]

  list.push(thresholdAspect('eyeContact', f.eyeContact.percent, T.eyeContactPercent, t.eyeContact, t.eyeContact.evidence(f)))

  const la = f.lookAways
  const shown = longest(la.items)
  const laEvidence = la.count ? t.lookAways.evidence(f, shown, mainDirection(la.items.map((l) => l.direction))) : t.lookAways.none(f)
  list.push({
    key: 'lookAways',
    verdict: verdict(la.count === 0, la.perMinute > T.lookAways.maxPerMinute || la.totalSeconds >= T.lookAways.maxShareOfFaceTime * f.faceSeconds),
    goodness: clamp01(1 - la.perMinute / (2 * T.lookAways.maxPerMinute)),
    strength: { title: t.lookAways.good, evidence: laEvidence, timestamps: [] },
    improvement: { title: t.lookAways.poor, evidence: laEvidence, suggestion: t.lookAways.suggestion(shown[0]?.label ?? null), timestamps: labels(shown) }
  })

  list.push(thresholdAspect('gaze', f.eyeContact.gazeStability, T.gazeStability, t.gaze, t.gaze.evidence(f)))

  list.push(blinksAspect(f, t))

  const speed = f.head.meanSpeedDegPerSecond
  const large = f.head.largeMovementsPerMinute
  const headEvidence = t.head.evidence(f)
  list.push({
    key: 'head',
    verdict: verdict(speed <= T.headDegPerSecond.calm && large <= T.largeMovementsPerMinute.calm, speed > T.headDegPerSecond.restless || large > T.largeMovementsPerMinute.restless),
    goodness: Math.min(
      clamp01((T.headDegPerSecond.restless - speed) / (T.headDegPerSecond.restless - T.headDegPerSecond.calm)),
      clamp01((T.largeMovementsPerMinute.restless - large) / (T.largeMovementsPerMinute.restless - T.largeMovementsPerMinute.calm))
    ),
    strength: { title: t.head.good, evidence: headEvidence, timestamps: [] },
    improvement: { title: t.head.poor, evidence: headEvidence, suggestion: t.head.suggestion, timestamps: [] }
  })

  if (f.emotion.samples > 0) list.push(expressionAspect(f, t))
  return list
}

function blinksAspect (f: FeedbackFacts, t: Phrases): Aspect {
  const rate = f.blinks.ratePerMinute
  const { min, max } = THRESHOLDS.blinksPerMinute
  const where = !f.blinks.rateReliable ? 'rough' : rate > max ? 'above' : rate < min ? 'below' : 'within'
  const evidence = t.blinks.evidence(f, where)
  return {
    key: 'blinks',
    verdict: where === 'rough' ? 'neutral' : verdict(where === 'within', where !== 'within'),
    reliable: where !== 'rough',
    goodness: where === 'rough' ? 0.5 : clamp01(1 - Math.max(min - rate, rate - max, 0) / 10),
    strength: { title: t.blinks.good, evidence, timestamps: [] },
    improvement: {
      title: where === 'above' ? t.blinks.poorHigh : where === 'below' ? t.blinks.poorLow : t.blinks.poor,
      evidence,
      suggestion: where === 'above' ? t.blinks.suggestionHigh : where === 'below' ? t.blinks.suggestionLow : t.blinks.suggestion,
      timestamps: []
    }
  }
}

function expressionAspect (f: FeedbackFacts, t: Phrases): Aspect {
  const T = THRESHOLDS.expression
  const e = f.emotion
  const negativeParts = e.parts.filter((p) => NEGATIVE_EMOTIONS.includes(p.emotion) && p.share >= T.negativePartShare)
  const positiveParts = e.parts.filter((p) => POSITIVE_EMOTIONS.includes(p.emotion))
  const mixOf = (emotions: readonly Emotion[]) => e.mix.filter((m) => emotions.includes(m.emotion)).map((m) => `${t.emotion[m.emotion]} ${pct(m.share)}%`).join(', ')
  const improvement = e.negativeShare >= T.negativeShare || negativeParts.length > 0
  const strongest = [...positiveParts].sort((a, b) => b.share - a.share)[0]
  const positiveEvidence = t.expression.positive(f, mixOf(POSITIVE_EMOTIONS))
  const negativeEvidence = t.expression.negative(f, mixOf(NEGATIVE_EMOTIONS), longest(negativeParts).map(t.expression.part).join(', '), longest(positiveParts).map(t.expression.part).join(', '))
  return {
    key: 'expression',
    verdict: verdict(e.positiveShare >= T.positiveShare && negativeParts.length === 0, improvement),
    goodness: clamp01((e.positiveShare - e.negativeShare + 1) / 2),
    strength: { title: t.expression.good, evidence: positiveEvidence, timestamps: labels(longest(positiveParts)) },
    improvement: {
      title: t.expression.poor,
      evidence: improvement ? negativeEvidence : positiveEvidence,
      suggestion: t.expression.suggestion(strongest?.label ?? null),
      timestamps: labels(longest(negativeParts))
    }
  }
}

function presenceAspect (f: FeedbackFacts, t: Phrases): Aspect {
  const T = THRESHOLDS
  const p = f.presence
  const othersProblem = p.otherFacesPercent >= T.otherFacesPercent.poor
  const missingProblem = p.faceVisiblePercent < T.faceVisiblePercent.poor
  const evidence = f.faceSeconds === 0 ? t.presence.noFace : t.presence.evidence(f)
  // The bigger of the two problems names the item.
  const aboutOthers = othersProblem && (!missingProblem || p.otherFacesPercent > 100 - p.faceVisiblePercent)
  return {
    key: 'presence',
    verdict: verdict(p.faceVisiblePercent >= T.faceVisiblePercent.good && p.otherFacesPercent < T.otherFacesPercent.good, missingProblem || othersProblem),
    goodness: Math.min(
      clamp01((p.faceVisiblePercent - T.faceVisiblePercent.poor) / (T.faceVisiblePercent.good - T.faceVisiblePercent.poor)),
      clamp01((T.otherFacesPercent.poor - p.otherFacesPercent) / (T.otherFacesPercent.poor - T.otherFacesPercent.good))
    ),
    strength: { title: t.presence.good, evidence, timestamps: [] },
    improvement: {
      title: aboutOthers ? t.presence.poorOthers : t.presence.poorMissing,
      evidence,
      suggestion: aboutOthers ? t.presence.suggestionOthers : t.presence.suggestionMissing,
      timestamps: labels(longest(p.missing))
    }
  }
}

function summary (f: FeedbackFacts, t: Phrases, judged: Aspect[], language: Language): string {
  const voice = voiceSummary(f.voice, judged, language)
  return [faceSummary(f, t), ...(voice ? [voice] : [])].join(' ')
}

function faceSummary (f: FeedbackFacts, t: Phrases): string {
  const categories: CategoryName[] = (['eyeContact', 'expression', 'composure', 'presence'] as const)
    .map((key) => ({ key, name: t.category[key], score: f.scores[key] }))
    .sort((a, b) => b.score - a.score)
  const best = categories[0]!
  const worst = categories[categories.length - 1]!
  // Without a face the other categories hold placeholder values, so no best or worst area.
  if (f.faceSeconds === 0) return [t.summary.overview(f), t.summary.noFace].join(' ')
  return [
    t.summary.overview(f),
    t.summary.measures(f),
    best.score === worst.score ? t.summary.allEqual(best.score) : t.summary.bestWorst(best, worst)
  ].join(' ')
}

const byOrder = (order: AspectKey[]) => (a: Aspect, b: Aspect) => order.indexOf(a.key) - order.indexOf(b.key)

/** The score category of each face aspect; the voice has no score. */
const CATEGORY_OF: Partial<Record<AspectKey, CategoryName['key']>> = {
  eyeContact: 'eyeContact', lookAways: 'eyeContact', expression: 'expression', gaze: 'composure', head: 'composure', blinks: 'composure', presence: 'presence'
}

export function writeRulesFeedback (facts: FeedbackFacts, language: Language): Feedback {
  const t = PHRASES[language]
  const all = aspects(facts, t, language)
  const strengths = all.filter((a) => a.verdict === 'strength').sort(byOrder(STRENGTH_ORDER))
  const improvements = all.filter((a) => a.verdict === 'improvement').sort(byOrder(IMPROVEMENT_ORDER))
  const neutral = all.filter((a) => a.verdict === 'neutral' && a.reliable !== false)
  // Weakest first: lower goodness, then the lower category score (a voice aspect, without
  // one, counts as its own goodness on the same 0-100 scale).
  const scoreOf = (a: Aspect) => {
    const category = CATEGORY_OF[a.key]
    return category ? facts.scores[category] : a.goodness * 100
  }
  const weakestFirst = (a: Aspect, b: Aspect) => a.goodness - b.goodness || scoreOf(a) - scoreOf(b)
  if (improvements.length === 0) {
    // Nothing fell below a threshold: the weakest aspect is still the next thing to work on.
    const pool = neutral.length ? neutral : strengths.length > 1 ? strengths : all
    const weakest = [...pool].sort(weakestFirst)[0]!
    improvements.push(weakest)
    const index = strengths.indexOf(weakest)
    if (index >= 0) strengths.splice(index, 1)
  }
  const strengthItems = strengths.slice(0, MAX_ITEMS).map((a) => a.strength)
  if (strengthItems.length === 0) {
    const best = neutral.filter((a) => !improvements.includes(a)).sort(weakestFirst).at(-1)
    strengthItems.push(best ? best.strength : { title: t.recorded.title, evidence: t.recorded.evidence(facts), timestamps: [] })
  }
  return {
    language,
    summary: summary(facts, t, all, language),
    strengths: strengthItems,
    improvements: improvements.slice(0, MAX_ITEMS).map((a) => a.improvement),
    scores: feedbackScores(facts.scores)
  }
}
