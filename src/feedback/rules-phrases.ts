/**
 * The rule-based writer's own sentences (the overview, the best and worst area, the fillers
 * for an empty list), in English and Korean; each module's sentences are in its phrase tables.
 */
import type { Language } from './schema.js'

export interface NamedScore { name: string, score: number }

export interface WriterPhrases {
  overview: (duration: string, interview: number, categories: NamedScore[]) => string
  bestWorst: (best: NamedScore, worst: NamedScore) => string
  allEqual: (count: number, score: number) => string
  /** The strength when nothing else is one. */
  recorded: { title: string, evidence: (duration: string) => string }
  /** The improvement when nothing could be judged at all. */
  nothing: { title: string, evidence: (duration: string) => string, suggestion: string }
}

const EN_COUNT: Record<number, string> = { 3: 'three', 4: 'four', 5: 'five', 6: 'six', 7: 'seven', 8: 'eight' }
const KO_COUNT: Record<number, string> = { 2: '두', 3: '세', 4: '네', 5: '다섯', 6: '여섯', 7: '일곱', 8: '여덟' }

const EN: WriterPhrases = {
  overview: (duration, interview, categories) => `In this ${duration} recording your interview score was ${interview}/60` +
    (categories.length ? ` (${categories.map((c) => `${c.name} ${c.score}`).join(', ')}, each out of 100).` : '.'),
  bestWorst: (best, worst) => `Your strongest area was ${best.name} (${best.score}); focus first on ${worst.name} (${worst.score}).`,
  allEqual: (count, score) => count === 2 ? `Both areas scored ${score}.` : `All ${EN_COUNT[count] ?? count} areas scored ${score}.`,
  recorded: {
    title: 'Recording in place',
    evidence: (duration) => `You recorded ${duration} of video for the analysis.`
  },
  nothing: {
    title: 'Record a new take',
    evidence: (duration) => `Nothing could be measured in the ${duration} recording.`,
    suggestion: 'Check that your face is in the frame and your microphone is on, then record your answer again.'
  }
}

const KO: WriterPhrases = {
  overview: (duration, interview, categories) => `${duration} 분량의 이번 영상에서 면접 점수는 60점 만점에 ${interview}점입니다` +
    (categories.length ? `(${categories.map((c) => `${c.name} ${c.score}`).join(', ')}, 각 100점 만점).` : '.'),
  // The particles follow "점)", so they fit every name.
  bestWorst: (best, worst) => `가장 좋은 영역은 ${best.name}(${best.score}점)이고, 먼저 개선할 영역은 ${worst.name}(${worst.score}점)입니다.`,
  allEqual: (count, score) => `${KO_COUNT[count] ?? count} 영역의 점수가 모두 ${score}점으로 같습니다.`,
  recorded: {
    title: '녹화 준비 완료',
    evidence: (duration) => `${duration} 분량의 영상을 녹화했습니다.`
  },
  nothing: {
    title: '다시 녹화하기',
    evidence: (duration) => `${duration} 분량의 영상에서 측정할 수 있는 항목이 없었습니다.`,
    suggestion: '얼굴이 화면에 나오고 마이크가 켜져 있는지 확인한 뒤 답변을 다시 녹화하세요.'
  }
}

export const WRITER_PHRASES: Record<Language, WriterPhrases> = { en: EN, ko: KO }
