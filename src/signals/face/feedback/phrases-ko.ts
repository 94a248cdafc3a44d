/** The face's sentences in Korean (the shape is phrases.ts). */
import { labels } from '../../../feedback/aspect.js'
import { GAZE_CONE, JUDGING as J, LARGE_HEAD_MOVEMENT_DEG, NORMAL_BLINK_RATE } from '../thresholds.js'
import { percent as pct } from './facts.js'
import type { FacePhrases } from './phrases.js'

const LOOK_AWAY_S = GAZE_CONE.minLookAwayMs / 1000

export const KO: FacePhrases = {
  emotion: { anger: '분노', contempt: '경멸', disgust: '혐오', fear: '두려움', happiness: '기쁨', neutral: '무표정', sadness: '슬픔', surprise: '놀람' },
  direction: { left: '본인 기준 왼쪽', right: '본인 기준 오른쪽', up: '위쪽', down: '아래쪽' },
  category: { eye_contact: '시선 접촉', expression: '표정', composure: '침착함', presence: '화면 존재감' },
  summary: {
    measures: (f) => `카메라와의 시선 접촉 비율은 ${f.eyeContact.percent}%였고, ` +
      (f.lookAways.count ? `${LOOK_AWAY_S}초 이상 시선을 돌린 것은 ${f.lookAways.count}번, ` : `${LOOK_AWAY_S}초 이상 시선을 돌린 적은 없었으며, `) +
      `눈 깜빡임은 ${f.blinks.count}번(분당 ${f.blinks.ratePerMinute}회)이었습니다.`,
    noFace: '영상에서 얼굴을 찾지 못해 카메라 항목 중에서는 화면 존재감만 측정할 수 있었습니다.',
    notAnalysed: '이번 영상에서는 얼굴을 분석하지 않았습니다.',
  },
  eyeContact: {
    good: '안정적인 시선 접촉',
    poor: '카메라 응시 시간 늘리기',
    evidence: (f) => `얼굴이 보이고 눈을 뜨고 있던 시간 중 ${f.eyeContact.percent}% 동안 카메라를 바라보았습니다.`,
    suggestion: `카메라를 눈높이에 맞추고 렌즈 옆에 작은 스티커를 붙여 두세요. 답변을 시작할 때와 핵심을 말할 때 렌즈를 바라보며 ${J.eyeContactPercent.good}% 이상을 목표로 하세요.`
  },
  lookAways: {
    good: '카메라에 집중된 시선',
    poor: '시선 이탈 줄이기',
    none: (f) => `${f.duration} 동안 ${LOOK_AWAY_S}초 이상 카메라에서 시선을 돌린 적이 한 번도 없었습니다.`,
    evidence: (f, shown, direction) => `카메라에서 ${LOOK_AWAY_S}초 이상 시선을 돌린 적이 ${f.lookAways.count}번 있었습니다(${shown.map((r) => r.label).join(', ')}` +
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
    evidence: (f) => `머리는 평균 초당 ${f.head.meanSpeedDegPerSecond}도 움직였고, 1초 안에 ${LARGE_HEAD_MOVEMENT_DEG}도 넘게 움직인 큰 움직임은 분당 ${f.head.largeMovementsPerMinute}회였습니다.`,
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
  }
}
