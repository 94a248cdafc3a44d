/**
 * The report's coaching feedback in the interface language: the summary, strengths and points
 * to improve (their mm:ss timestamps seek the report's video), the vision model's notes when
 * there are any, and who wrote it. An analysis has feedback in the language asked when it was
 * made; in another, the section shows that one and offers to write it in this language
 * (POST /analysis/:id/feedback, which needs the scope analyses:write).
 *
 * Seeking: a timestamp dispatches `candor:seek` on window with `{ detail: { seconds } }`; the
 * report's player listens for it.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, request } from '../../api/client.js'
import type { Analysis, Feedback as FeedbackResponse } from '../../api/types.js'
import { format, useLanguage, useStrings, type Language, type Strings } from '../../i18n.js'
import type { Feedback as WrittenFeedback, Improvement, Strength } from '../../../../src/feedback/schema.js'
import './text.css'

/** The event the report's player listens for. */
export const SEEK_EVENT = 'candor:seek'
export interface SeekDetail { seconds: number }

/** "01:05" -> 65, "01:05-01:12" -> 65 (the start); null when it is neither. */
export function timestampSeconds (stamp: string): number | null {
  const match = /^(\d{1,}):([0-5]\d)(?:-\d{1,}:[0-5]\d)?$/.exec(stamp.trim())
  return match ? Number(match[1]) * 60 + Number(match[2]) : null
}

export function seek (seconds: number): void {
  window.dispatchEvent(new CustomEvent<SeekDetail>(SEEK_EVENT, { detail: { seconds } }))
}

const STRINGS: Strings<'title' | 'loading' | 'notReady' | 'failed' | 'retry' | 'summary' | 'strengths' | 'improvements' | 'try' | 'at' | 'seekTo' |
'otherLanguage' | 'write' | 'writing' | 'writeFailed' | 'noWriteScope' | 'none' | 'byLlm' | 'byRules' | 'fallback' | 'written' | 'visualNotes' |
'visualNotesNone' | 'appearance' | 'framing' | 'lighting' | 'posture'> = {
  en: {
    title: 'Feedback',
    loading: 'Loading the feedback…',
    notReady: 'The feedback appears here once the analysis has finished.',
    failed: 'Could not load the feedback: {message}',
    retry: 'Try again',
    summary: 'Summary',
    strengths: 'What went well',
    improvements: 'What to work on',
    try: 'Try this',
    at: 'Moments',
    seekTo: 'Play from {t}',
    otherLanguage: 'This feedback was written in {language}.',
    write: 'Write it in English',
    writing: 'Writing the feedback in English…',
    writeFailed: 'Could not write the feedback: {message}',
    noWriteScope: 'Your API key can read reports but not write feedback (it needs the analyses:write scope).',
    none: 'No feedback was stored for this analysis.',
    byLlm: 'Written by the language model {model} from the measured numbers.',
    byRules: 'Written by Candor\'s rule-based writer from the measured numbers.',
    fallback: 'The language model could not be used ({reason}), so the rule-based writer wrote it instead.',
    written: 'Written {date}',
    visualNotes: 'On camera',
    visualNotesNone: 'No notes on the picture itself with this feedback.',
    appearance: 'Appearance',
    framing: 'Framing',
    lighting: 'Lighting',
    posture: 'Posture'
  },
  ko: {
    title: '피드백',
    loading: '피드백을 불러오는 중…',
    notReady: '분석이 끝나면 여기에 피드백이 나옵니다.',
    failed: '피드백을 불러오지 못했습니다: {message}',
    retry: '다시 시도',
    summary: '요약',
    strengths: '잘한 점',
    improvements: '개선할 점',
    try: '이렇게 해 보세요',
    at: '해당 장면',
    seekTo: '{t}부터 재생',
    otherLanguage: '이 피드백은 {language}로 작성되었습니다.',
    write: '한국어로 작성하기',
    writing: '한국어 피드백을 작성하는 중…',
    writeFailed: '피드백을 작성하지 못했습니다: {message}',
    noWriteScope: '이 API 키로는 보고서를 볼 수만 있고 피드백을 작성할 수는 없습니다(analyses:write 권한이 필요합니다).',
    none: '이 분석에는 저장된 피드백이 없습니다.',
    byLlm: '측정값을 바탕으로 언어 모델 {model}이(가) 작성했습니다.',
    byRules: '측정값을 바탕으로 Candor의 규칙 기반 작성기가 작성했습니다.',
    fallback: '언어 모델을 사용할 수 없어({reason}) 규칙 기반 작성기가 대신 작성했습니다.',
    written: '작성: {date}',
    visualNotes: '화면에 비친 모습',
    visualNotesNone: '이 피드백에는 화면 자체에 대한 메모가 없습니다.',
    appearance: '옷차림과 인상',
    framing: '화면 구도',
    lighting: '조명',
    posture: '자세'
  }
}

const LANGUAGE_NAMES: Record<Language, Record<string, string>> = {
  en: { en: 'English', ko: 'Korean' },
  ko: { en: '영어', ko: '한국어' }
}

type Loaded =
  | { state: 'loading' }
  | { state: 'ready', reply: FeedbackResponse }
  | { state: 'other', reply: FeedbackResponse }
  | { state: 'none' }
  | { state: 'error', message: string }

function Timestamps ({ stamps, s }: { stamps: readonly string[], s: Record<string, string> }) {
  if (stamps.length === 0) return null
  return (
    <p class="rt-fb-times">
      <span class="rt-fb-times-label">{s.at}</span>
      {stamps.map((stamp) => {
        const seconds = timestampSeconds(stamp)
        if (seconds === null) return <span class="rt-fb-time" key={stamp}>{stamp}</span>
        return (
          <button type="button" class="rt-fb-time" key={stamp} data-seconds={seconds} title={format(s.seekTo!, { t: stamp })} onClick={() => seek(seconds)}>
            <svg viewBox="0 0 10 10" width="9" height="9" aria-hidden="true"><path d="M2 1 L9 5 L2 9 Z" fill="currentColor" /></svg>
            {stamp}
          </button>
        )
      })}
    </p>
  )
}

function FeedbackBody ({ reply, s, language }: { reply: FeedbackResponse, s: Record<string, string>, language: Language }) {
  const f = reply.feedback as WrittenFeedback
  const notes = f.visual_notes
  const date = new Date(reply.created_at)
  const written = Number.isNaN(date.getTime()) ? '' : new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
  return (
    <div class="rt-fb-body" lang={reply.language} data-testid="feedback-body" data-language={reply.language} data-source={reply.source}>
      <div class="rt-fb-summary">
        <p>{f.summary}</p>
      </div>
      <div class="rt-fb-grid">
        <div class="rt-fb-column rt-fb-strengths">
          <h3>{s.strengths}</h3>
          <ul>
            {f.strengths.map((item: Strength, i: number) => (
              <li class="rt-fb-item" key={i}>
                <h4>{item.title}</h4>
                <p>{item.evidence}</p>
                <Timestamps stamps={item.timestamps} s={s} />
              </li>
            ))}
          </ul>
        </div>
        <div class="rt-fb-column rt-fb-improvements">
          <h3>{s.improvements}</h3>
          <ul>
            {f.improvements.map((item: Improvement, i: number) => (
              <li class="rt-fb-item" key={i} data-testid="improvement">
                <h4>{item.title}</h4>
                <p>{item.evidence}</p>
                <p class="rt-fb-suggestion"><strong>{s.try}</strong> {item.suggestion}</p>
                <Timestamps stamps={item.timestamps} s={s} />
              </li>
            ))}
          </ul>
        </div>
      </div>
      {notes?.produced === true && (
        <div class="rt-fb-notes">
          <h3>{s.visualNotes}</h3>
          <dl>
            {(['appearance', 'framing', 'lighting', 'posture'] as const).map((key) => (
              <div key={key}><dt>{s[key]}</dt><dd>{notes[key]}</dd></div>
            ))}
          </dl>
        </div>
      )}
      <p class="rt-fb-author" data-testid="feedback-author">
        {reply.source === 'llm' ? format(s.byLlm, { model: reply.model ?? '?' }) : s.byRules}
        {reply.fallback_reason && <> {format(s.fallback, { reason: reply.fallback_reason })}</>}
        {written && <> · {format(s.written, { date: written })}</>}
        {notes && !notes.produced && <span class="rt-fb-no-notes" title={notes.reason}> · {s.visualNotesNone}</span>}
      </p>
    </div>
  )
}

export function FeedbackSection ({ analysis }: { analysis: Analysis }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const id = analysis.analysis_id
  const completed = analysis.status === 'completed'
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' })
  const [writing, setWriting] = useState<{ busy: boolean, error: string | null }>({ busy: false, error: null })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    if (!completed) return
    const controller = new AbortController()
    const path = `/analysis/${encodeURIComponent(id)}/llm-comment`
    setLoaded({ state: 'loading' })
    setWriting({ busy: false, error: null })
    void (async () => {
      try {
        // Which languages exist first, so a missing one is an offer rather than a failed request.
        const { languages } = await request<{ languages: Array<{ language: string }> }>(`/analysis/${encodeURIComponent(id)}/feedback`, { signal: controller.signal })
        const here = languages.some((l) => l.language === language)
        if (languages.length === 0) {
          setLoaded({ state: 'none' })
          return
        }
        const reply = await request<FeedbackResponse>(path, { query: { language: here ? language : languages[0]!.language }, signal: controller.signal })
        setLoaded({ state: here ? 'ready' : 'other', reply })
      } catch (error) {
        if (controller.signal.aborted) return
        setLoaded({ state: 'error', message: error instanceof Error ? error.message : String(error) })
      }
    })()
    return () => controller.abort()
  }, [id, language, completed, attempt])

  const write = async () => {
    setWriting({ busy: true, error: null })
    try {
      const reply = await request<FeedbackResponse>(`/analysis/${encodeURIComponent(id)}/feedback`, { method: 'POST', body: { language } })
      // The language may have changed while it was written: show it only if it is still wanted.
      if (reply.language === language) setLoaded({ state: 'ready', reply })
      setWriting({ busy: false, error: null })
    } catch (error) {
      const message = error instanceof ApiError && error.status === 403 ? s.noWriteScope : format(s.writeFailed, { message: error instanceof Error ? error.message : String(error) })
      setWriting({ busy: false, error: message })
    }
  }

  return (
    <section class="rt-feedback card" data-testid="feedback" aria-labelledby="rt-feedback-title">
      <h2 id="rt-feedback-title">{s.title}</h2>
      {!completed && <p class="notice">{s.notReady}</p>}
      {completed && loaded.state === 'loading' && <p class="notice" aria-busy="true">{s.loading}</p>}
      {completed && loaded.state === 'none' && <p class="notice">{s.none}</p>}
      {completed && loaded.state === 'error' && (
        <p class="error">{format(s.failed, { message: loaded.message })} <button type="button" class="link" onClick={() => setAttempt((n) => n + 1)}>{s.retry}</button></p>
      )}
      {completed && loaded.state === 'other' && (
        <div class="rt-fb-offer rt-no-print" data-testid="feedback-offer">
          <p>{format(s.otherLanguage, { language: LANGUAGE_NAMES[language][loaded.reply.language] ?? loaded.reply.language })}</p>
          <button type="button" data-testid="write-feedback" disabled={writing.busy} onClick={() => { void write() }}>{writing.busy ? s.writing : s.write}</button>
          {writing.error && <p class="error">{writing.error}</p>}
        </div>
      )}
      {completed && (loaded.state === 'ready' || loaded.state === 'other') && <FeedbackBody reply={loaded.reply} s={s} language={language} />}
    </section>
  )
}
