/** The pose's sentences in Korean (the shape is phrases.ts). */
import { labels } from '../../../feedback/aspect.js'
import { POSE_THRESHOLDS as T } from '../thresholds.js'
import type { PoseFacts } from './facts.js'
import type { PosePhrases } from './phrases.js'

const G = T.hands.gesturesPerMinute

function postureParts (f: PoseFacts): string[] {
  const p = f.posture
  const parts: string[] = []
  if (p.slouchPercent !== null) {
    parts.push(`상체 선보다 고개가 ${T.posture.slouchBendDeg}도 넘게 앞으로 숙여진 구부정한 자세가 ${p.slouchPercent}%` +
      (p.slouches.length ? `(${T.posture.minSlouchMs / 1000}초 이상 이어진 구간: ${labels(p.slouches).join(', ')})` : ''))
  }
  if (p.headForwardPercent !== null) parts.push(`고개가 앞으로 나온 시간이 ${p.headForwardPercent}%`)
  if (p.sideLeanPercent !== null) parts.push(`몸이 한쪽으로 기운 시간이 ${p.sideLeanPercent}%`)
  if (p.tiltedPercent !== null) parts.push(`어깨가 기울어진 시간이 ${p.tiltedPercent}%`)
  if (p.facingPercent !== null) parts.push(`카메라를 정면으로 향한 시간이 ${p.facingPercent}%`)
  return parts
}

export const KO: PosePhrases = {
  region: { nose: '코', mouth: '입', eye: '눈', ear: '귀' },
  // Ends in a consonant, so the particles the summary adds (이고, 입니다) fit.
  category: '자세와 몸짓',
  summary: {
    measured: (f) => `녹화 시간의 ${f.bodyVisiblePercent}% 동안 상체가 화면에 보였고, 자세와 몸짓 점수는 100점 만점에 ${f.score?.score ?? 0}점입니다` +
      `(자세 ${f.score?.posture ?? 0}, ${f.score?.gestures === null || !f.score ? '손동작은 채점하지 않음' : `손동작 ${f.score.gestures}`}, 안정감 ${f.score?.composure ?? 0}).`,
    headAndShoulders: '화면에 머리와 어깨만 보여 자세와 손동작은 측정하지 않았습니다.',
    notVisible: '화면에 몸이 보이지 않아 자세와 손동작은 측정하지 않았습니다.',
    touches: (f) => {
      const n = f.hands.faceTouches.length
      return n ? `얼굴을 만진 것은 ${n}번이었습니다.` : '얼굴을 만진 적은 없었습니다.'
    }
  },
  posture: {
    good: '곧고 안정된 자세',
    poor: {
      slouch: '허리 펴고 바르게 앉기',
      headForward: '고개를 어깨 위에 두기',
      sideLean: '몸을 가운데로 세우기',
      tilt: '어깨 수평 맞추기',
      turned: '카메라를 정면으로 보고 앉기'
    },
    evidence: (f) => `측정된 시간 중 ${postureParts(f).join(', ')}였습니다.`,
    suggestion: {
      slouch: (first) => '엉덩이를 의자 등받이에 붙여 깊숙이 앉고, 정수리를 실로 위에서 당긴다는 느낌으로 허리를 세우세요. 카메라를 눈높이까지 올리면 화면 쪽으로 몸을 숙이지 않게 됩니다.' +
        (first ? ` ${first} 구간을 다시 보며 구부정한 자세가 어떻게 보이는지 확인해 보세요.` : ''),
      headForward: () => '화면과 카메라를 팔 길이만큼 떨어뜨려 눈높이에 두고, 얼굴을 렌즈 쪽으로 내밀지 말고 귀가 어깨 위에 오도록 하세요.',
      sideLean: () => '의자 가운데에 앉아 두 발을 바닥에 붙이고, 체중을 양쪽 엉덩이에 고르게 실으세요. 한쪽 팔걸이에 기대지 않도록 하세요.',
      tilt: () => '시작하기 전에 양쪽 어깨에 힘을 빼고 내린 뒤, 두 팔을 책상 위 같은 높이에 올려 두세요.',
      turned: () => '의자와 어깨를 카메라 정면으로 돌려 앉으세요. 메모나 보조 화면을 봐야 한다면 카메라 바로 뒤에 두세요.'
    }
  },
  gestures: {
    title: { good: '자연스럽고 적극적인 손동작', few: '손동작 더 활용하기', many: '손동작 차분하게 하기', hidden: '손이 화면에 보이게 하기' },
    evidence: (f) => {
      const h = f.hands
      return `손이 보인 시간 동안 손동작은 ${h.gestures}번, 분당 ${h.gesturesPerMinute}회였습니다(적극적인 범위는 분당 ${G.min}~${G.max}회). ` +
        (h.openPercent !== null ? `그중 ${h.openPercent}%는 몸 바깥쪽으로 펼친 열린 손동작이었고, ` : '') +
        `손이 보인 시간의 ${h.gesturingPercent}% 동안 손을 움직이며 말했습니다.` +
        (h.noGesture.length ? ` ${labels(h.noGesture).join(', ')} 구간에서는 ${T.hands.noGestureSpeakingMs / 1000}초 넘게 말하는 동안 손동작이 없었습니다.` : '')
    },
    hiddenEvidence: (f) => `손이 화면에 보인 시간은 녹화 시간의 ${f.hands.visiblePercent}%뿐이었습니다.` +
      (f.hands.outOfView.length ? ` ${labels(f.hands.outOfView).join(', ')} 구간에서는 ${T.hands.outOfViewMs / 1000}초 이상 손이 보이지 않았습니다.` : ''),
    suggestion: {
      few: (first) => '손으로 말을 뒷받침해 보세요. 두 손을 허리 높이의 책상 위에 두고, 핵심을 말할 때마다 손바닥이 보이도록 몸 바깥쪽으로 펼치는 손동작을 하나씩 하세요. 요점을 손가락으로 세며 말하는 것도 좋습니다.' +
        (first ? ` 손이 멈춰 있던 ${first} 구간을 다시 보세요.` : ''),
      many: () => '손동작은 핵심을 말할 때만 쓰고, 그 사이에는 두 손을 가볍게 모아 두세요. 그래야 남은 손동작이 더 눈에 띕니다.',
      good: () => '지금처럼 손동작을 가슴 높이에서 몸 바깥쪽으로 펼쳐, 말하는 요점마다 하나씩 맞춰 쓰세요.',
      hidden: (first) => '카메라에서 조금 떨어져 앉아 가슴 높이의 손이 화면에 보이게 하고, 손은 무릎보다 책상 위에 두어 말을 뒷받침하도록 하세요.' +
        (first ? ` ${first} 구간에서는 손이 보이지 않았습니다.` : '')
    }
  },
  fidgeting: {
    good: '차분하고 편안한 손',
    poor: '손 만지작거림 줄이기',
    evidence: (f) => `손이 보인 시간의 ${f.hands.fidgetPercent}% 동안 손을 작게 반복해서 움직였습니다` +
      (f.hands.fidgets.length ? `(예: ${labels(f.hands.fidgets).slice(0, 3).join(', ')}).` : '.'),
    suggestion: (first) => '펜이나 휴대폰은 손이 닿지 않는 곳에 두고, 손동작 사이에는 두 손을 가볍게 모으거나 책상 위에 편하게 올려 두세요. 손이 움직이기 시작하면 천천히 숨을 한 번 쉬어 보세요.' +
      (first ? ` ${first} 구간을 다시 보며 확인해 보세요.` : '')
  },
  faceTouch: {
    good: '얼굴에서 떨어진 손',
    poor: '얼굴 만지지 않기',
    none: (f) => `${f.duration} 동안 얼굴을 한 번도 만지지 않았습니다.`,
    evidence: (f, shown) => `얼굴을 ${f.hands.faceTouches.length}번 만졌습니다(분당 ${f.hands.faceTouchesPerMinute}회): ` +
      `${shown.map((t) => `${t.label} ${KO.region[t.region]} ${t.seconds}초`).join(', ')}.`,
    suggestion: (first) => '얼굴을 만지는 동작은 면접관에게 긴장한 모습으로 보입니다. 손동작 사이에는 손을 책상 위나 무릎에 두고, 얼굴이 가렵더라도 말을 마칠 때까지 기다리세요.' +
      (first ? ` ${first} 구간을 다시 보며 언제 그런지 확인해 보세요.` : '')
  },
  movement: {
    good: '흔들림 없이 안정된 몸',
    poor: '몸 흔들기 줄이기',
    poorPacing: '돌아다니는 움직임 줄이기',
    evidence: (f) => `어깨가 좌우로 흔들린 정도는 상체 길이의 ${f.movement.swayTorsos}배였습니다(안정적인 기준은 ${T.movement.swayTorsos.calm}배 이하)` +
      (f.movement.pacing ? `. 또 상체 길이의 ${f.movement.rangeTorsos}배 범위를 오가며 자리를 옮겨 다녔습니다.` : '.'),
    suggestion: '두 발을 바닥에 붙이고 의자에 깊숙이 앉으세요. 회전하거나 바퀴가 달린 의자보다 고정된 의자가 몸을 안정시키는 데 도움이 됩니다.',
    suggestionPacing: '한 자리를 정해 답변하는 동안에는 그 자리에 머무르세요. 새로운 요점을 강조할 때처럼 의도가 있을 때만 한 걸음 움직이세요.'
  },
  armsCrossed: {
    good: '열린 팔 자세',
    poor: '팔짱 풀기',
    evidence: (f) => `녹화 시간의 ${f.hands.armsCrossedPercent}% 동안 팔짱을 끼고 있었습니다` +
      (f.hands.armsCrossed.length ? `(${labels(f.hands.armsCrossed).join(', ')}).` : '.'),
    suggestion: '팔짱은 닫혀 있거나 방어적인 모습으로 보입니다. 팔은 책상 위나 무릎에 편하게 두고, 말할 때는 손동작에 쓰세요.'
  }
}
