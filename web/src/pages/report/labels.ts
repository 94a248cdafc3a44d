/**
 * Names the report shows for what the server sends as codes: event kinds, curves and their
 * units, analysis stages; and times as m:ss. English and Korean, with the server's own label as
 * the fallback for a kind or curve added later.
 */
import { eventColor } from '../../../../src/artifacts/palette.js'
import type { Language } from '../../i18n.js'

type Named = Record<Language, string>

export const EVENT_KINDS: Record<string, Named> = {
  blink: { en: 'Blink', ko: '눈 깜빡임' },
  blink_burst: { en: 'Rapid blinking', ko: '잦은 눈 깜빡임' },
  look_away: { en: 'Looked away', ko: '시선 회피' },
  face_missing: { en: 'Face out of view', ko: '얼굴 벗어남' },
  multiple_faces: { en: 'Another face', ko: '다른 얼굴' },
  emotion_shift: { en: 'Expression change', ko: '표정 변화' },
  long_pause: { en: 'Long pause', ko: '긴 침묵' },
  face_touch: { en: 'Hand on face', ko: '얼굴 만짐' },
  slouch: { en: 'Slouching', ko: '구부정한 자세' },
  hands_out_of_view: { en: 'Hands out of view', ko: '손이 안 보임' },
  no_gesture: { en: 'No gestures', ko: '제스처 없음' }
}

export function eventName (kind: string, language: Language): string {
  return EVENT_KINDS[kind]?.[language] ?? kind.replace(/_/g, ' ')
}

/** The overview picture's and annotated frames' colour for the kind, so they read the same. */
export { eventColor }

export interface CurveText { name: string, unit: string, about: string }

/** Per curve: its name, its unit as shown, and one line on how to read it. */
export const CURVES: Record<string, Record<Language, CurveText>> = {
  eye_contact: {
    en: { name: 'Eye contact', unit: '%', about: 'Share of each second spent looking at the camera.' },
    ko: { name: '시선 맞춤', unit: '%', about: '매 초 카메라를 바라본 비율입니다.' }
  },
  emotion: {
    en: { name: 'Expression', unit: '', about: 'Above 0 positive (happy), below 0 negative (sad, angry, afraid); 0 is calm.' },
    ko: { name: '표정', unit: '', about: '0보다 높으면 긍정적(웃음), 낮으면 부정적(슬픔, 화남, 두려움), 0은 차분한 표정입니다.' }
  },
  head_movement: {
    en: { name: 'Head movement', unit: '°/s', about: 'How far the head turned each second; 20 and above is a large movement.' },
    ko: { name: '머리 움직임', unit: '°/초', about: '매 초 머리를 돌린 정도입니다. 20 이상이면 큰 움직임입니다.' }
  },
  speaking_rate: {
    en: { name: 'Speaking rate', unit: 'syllables/s', about: 'Syllables per second while speaking; conversation is about 3–6.' },
    ko: { name: '말 속도', unit: '음절/초', about: '말하는 동안 초당 음절 수입니다. 대화는 보통 3~6입니다.' }
  },
  loudness: {
    en: { name: 'Loudness', unit: 'dBFS', about: 'Level of the voice in the recording (0 is the loudest a file holds).' },
    ko: { name: '목소리 크기', unit: 'dBFS', about: '녹음된 목소리의 크기입니다(0이 파일이 담을 수 있는 최대).' }
  },
  movement: {
    en: { name: 'Body movement', unit: 'torsos/s', about: 'How far the shoulders moved each second, in torso lengths.' },
    ko: { name: '몸 움직임', unit: '상체/초', about: '매 초 어깨가 움직인 거리(상체 길이 단위)입니다.' }
  },
  posture: {
    en: { name: 'Posture', unit: '/100', about: '100 upright and facing the camera; slouching, leaning or turning away lower it.' },
    ko: { name: '자세', unit: '/100', about: '100은 바르게 앉아 카메라를 향한 자세입니다. 구부정하거나 기울거나 돌아앉으면 낮아집니다.' }
  }
}

export function curveText (curve: { name: string, label: string, unit: string }, language: Language): CurveText {
  return CURVES[curve.name]?.[language] ?? { name: curve.label, unit: curve.unit, about: '' }
}

/** Line colours on the report's white paper (darker than the overview picture's, which is dark). */
export const CURVE_COLORS: Record<string, string> = {
  eye_contact: '#0b84a5',
  emotion: '#d17a00',
  head_movement: '#6a4c93',
  speaking_rate: '#2f5bd3',
  loudness: '#1f8a4c',
  movement: '#8c564b',
  posture: '#c0392b'
}

export const STAGES: Record<string, Named> = {
  downloading: { en: 'Fetching the recording', ko: '녹화 파일을 가져오는 중' },
  probing: { en: 'Reading the video', ko: '영상 정보를 읽는 중' },
  analysing: { en: 'Analysing face, voice and posture', ko: '표정, 목소리, 자세를 분석하는 중' },
  transcribing: { en: 'Transcribing speech', ko: '음성을 글로 옮기는 중' },
  storing: { en: 'Saving results', ko: '결과를 저장하는 중' },
  pictures: { en: 'Making timeline pictures', ko: '타임라인 이미지를 만드는 중' },
  feedback: { en: 'Writing feedback', ko: '피드백을 작성하는 중' },
  playback: { en: 'Preparing playback', ko: '재생용 영상을 준비하는 중' },
  done: { en: 'Finishing', ko: '마무리하는 중' }
}

/** 75.4 -> "1:15"; with tenths "1:15.4". */
export function clock (seconds: number, tenths = false): string {
  const steps = tenths ? 10 : 1
  const total = tenths ? Math.round(Math.max(0, seconds) * steps) : Math.floor(Math.max(0, seconds))
  const minutes = Math.floor(total / (60 * steps))
  const rest = (total - minutes * 60 * steps) / steps
  return `${minutes}:${tenths ? rest.toFixed(1).padStart(4, '0') : String(rest).padStart(2, '0')}`
}
