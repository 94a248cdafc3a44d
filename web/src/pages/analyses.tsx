/**
 * The home page: the tenant's newest analyses, each linking to its report. Unfinished ones show
 * their progress and stage, refreshed every 2 s while the tab is visible (every 30 s when hidden,
 * once a minute when nothing is running), and at once when the tab comes back into view.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, request } from '../api/client.js'
import type { Analysis, Recent } from '../api/types.js'
import { href } from '../router.js'
import { format, useLanguage, useStrings, type Language, type Strings } from '../i18n.js'
import './analyses/analyses.css'

type Item = Recent['analyses'][number]
type Detail = Pick<Analysis, 'stage' | 'progress' | 'status' | 'error'>

/** Polling intervals (ms). */
export const POLL_ACTIVE_MS = 2000
const POLL_HIDDEN_MS = 30_000
const POLL_IDLE_MS = 60_000
const LIMIT = 50
/** Unfinished analyses whose stage is fetched on each poll (the newest first). */
const DETAIL_LIMIT = 8

const STRINGS: Strings<'title' | 'justNow' | 'newRecording' | 'loading' | 'emptyTitle' | 'empty' | 'emptyAction' | 'failedLoad' | 'retrying' |
'queued' | 'processing' | 'completed' | 'failed' | 'duration' | 'session' | 'user' | 'open' | 'count' | 'updating' |
'stage_downloading' | 'stage_probing' | 'stage_analysing' | 'stage_transcribing' | 'stage_storing' | 'stage_pictures' | 'stage_feedback' | 'stage_playback' | 'stage_done' | 'waiting'> = {
  en: {
    title: 'Your analyses',
    justNow: 'Just now',
    newRecording: 'New recording',
    loading: 'Loading analyses…',
    emptyTitle: 'No analyses yet',
    empty: 'Record an answer with your webcam or upload a video, and its report appears here a minute or two later.',
    emptyAction: 'Record or upload a video',
    failedLoad: 'Could not load the analyses: {message}',
    retrying: 'Trying again shortly.',
    queued: 'Queued',
    processing: 'Analysing',
    completed: 'Ready',
    failed: 'Failed',
    duration: 'Length',
    session: 'Session',
    user: 'User',
    open: 'Open report',
    count: '{n} analyses',
    updating: 'Updating live',
    stage_downloading: 'Fetching the recording',
    stage_probing: 'Reading the video',
    stage_analysing: 'Analysing face, voice and posture',
    stage_transcribing: 'Transcribing speech',
    stage_storing: 'Saving results',
    stage_pictures: 'Making timeline pictures',
    stage_feedback: 'Writing feedback',
    stage_playback: 'Preparing playback',
    stage_done: 'Finishing',
    waiting: 'Waiting for a worker'
  },
  ko: {
    title: '내 분석',
    justNow: '방금',
    newRecording: '새 녹화',
    loading: '분석 목록을 불러오는 중…',
    emptyTitle: '아직 분석이 없습니다',
    empty: '웹캠으로 답변을 녹화하거나 영상을 올리면 1~2분 뒤 이곳에 리포트가 나타납니다.',
    emptyAction: '녹화하거나 영상 올리기',
    failedLoad: '분석 목록을 불러오지 못했습니다: {message}',
    retrying: '잠시 후 다시 시도합니다.',
    queued: '대기 중',
    processing: '분석 중',
    completed: '완료',
    failed: '실패',
    duration: '길이',
    session: '세션',
    user: '사용자',
    open: '리포트 보기',
    count: '분석 {n}개',
    updating: '실시간 업데이트 중',
    stage_downloading: '녹화 파일을 가져오는 중',
    stage_probing: '영상 정보를 읽는 중',
    stage_analysing: '표정, 목소리, 자세를 분석하는 중',
    stage_transcribing: '음성을 글로 옮기는 중',
    stage_storing: '결과를 저장하는 중',
    stage_pictures: '타임라인 이미지를 만드는 중',
    stage_feedback: '피드백을 작성하는 중',
    stage_playback: '재생용 영상을 준비하는 중',
    stage_done: '마무리하는 중',
    waiting: '작업자를 기다리는 중'
  }
}

const unfinished = (status: Item['status']) => status === 'queued' || status === 'processing'

export function AnalysesPage () {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const [items, setItems] = useState<Item[] | null>(null)
  const [details, setDetails] = useState<Record<string, Detail>>({})
  const [problem, setProblem] = useState<string | null>(null)

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let controller: AbortController | null = null
    const known: Record<string, Detail> = {}

    const poll = async () => {
      clearTimeout(timer)
      controller?.abort()
      const current = new AbortController()
      controller = current
      let active: boolean
      try {
        const { analyses } = await request<Recent>('/analysis/recent', { query: { limit: LIMIT }, signal: current.signal })
        active = analyses.some((a) => unfinished(a.status))
        // Stages of running analyses, and once the reason of each failed one.
        const wanted = [
          ...analyses.filter((a) => unfinished(a.status)).slice(0, DETAIL_LIMIT),
          ...analyses.filter((a) => a.status === 'failed' && known[a.analysis_id]?.status !== 'failed').slice(0, DETAIL_LIMIT)
        ]
        const fetched = await Promise.all(wanted.map((a) => request<Analysis>(`/analysis/${encodeURIComponent(a.analysis_id)}`, { signal: current.signal })
          .then((d) => [a.analysis_id, { stage: d.stage, progress: d.progress, status: d.status, error: d.error }] as const)
          .catch(() => null)))
        for (const entry of fetched) if (entry) known[entry[0]] = entry[1]
        if (stopped) return
        setItems(analyses)
        setDetails({ ...known })
        setProblem(null)
      } catch (error) {
        if (stopped || current.signal.aborted) return
        setProblem(error instanceof ApiError || error instanceof Error ? error.message : String(error))
        active = true // try again soon
      }
      if (stopped) return
      const wait = document.visibilityState === 'hidden' ? POLL_HIDDEN_MS : active ? POLL_ACTIVE_MS : POLL_IDLE_MS
      timer = setTimeout(() => { void poll() }, wait)
    }
    const onVisible = () => { if (document.visibilityState === 'visible') void poll() }
    document.addEventListener('visibilitychange', onVisible)
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
      controller?.abort()
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [])

  const running = items?.some((a) => unfinished(a.status)) ?? false
  return (
    <div class="analyses">
      <div class="analyses-head">
        <div>
          <h1>{s.title}</h1>
          {items && items.length > 0 && (
            <p class="analyses-sub">
              {format(s.count, { n: items.length })}
              {running && <span class="analyses-live" data-testid="analyses-live"><span class="analyses-dot" aria-hidden="true" />{s.updating}</span>}
            </p>
          )}
        </div>
        <a class="button" href={href({ page: 'new' })}>{s.newRecording}</a>
      </div>
      {problem && <p class="error" role="alert" data-testid="analyses-error">{format(s.failedLoad, { message: problem })} {s.retrying}</p>}
      {items === null && !problem && <p class="notice">{s.loading}</p>}
      {items?.length === 0 && (
        <section class="card analyses-empty" data-testid="analyses-empty">
          <h2>{s.emptyTitle}</h2>
          <p>{s.empty}</p>
          <a class="button" href={href({ page: 'new' })} data-testid="empty-record">{s.emptyAction}</a>
        </section>
      )}
      {items && items.length > 0 && (
        <ul class="analyses-list" data-testid="analyses-list">
          {items.map((item) => <Row key={item.analysis_id} item={item} detail={details[item.analysis_id]} s={s} language={language} />)}
        </ul>
      )}
    </div>
  )
}

function Row ({ item, detail, s, language }: { item: Item, detail: Detail | undefined, s: Record<keyof typeof STRINGS.en, string>, language: Language }) {
  const status = item.status
  const fresh = detail && detail.status === status ? detail : undefined
  const progress = Math.max(item.progress, fresh?.progress ?? 0)
  const stageKey = `stage_${fresh?.stage ?? ''}` as keyof typeof s
  const stage = status === 'queued' ? s.waiting : (fresh?.stage && stageKey in s ? s[stageKey] : fresh?.stage ?? '')
  const created = new Date(item.created_at)
  return (
    <li class={`analyses-row status-${status}`} data-testid="analysis-row" data-id={item.analysis_id} data-status={status}>
      <a class="analyses-link" href={href({ page: 'report', id: item.analysis_id })} aria-label={`${s.open}: ${item.session_id}`}>
        <div class="analyses-main">
          <span class={`analyses-badge badge-${status}`} data-testid="analysis-status">{s[status]}</span>
          <span class="analyses-when" title={created.toLocaleString(language)}>
            <time dateTime={item.created_at}>{formatWhen(created, language, s.justNow)}</time>
          </span>
          <span class="analyses-meta">
            {item.duration_s !== null && <span>{s.duration} {formatDuration(item.duration_s)}</span>}
            <span class="analyses-ids">{s.user} {item.user_id} · {s.session} {item.session_id}</span>
          </span>
        </div>
        {unfinished(status) && (
          <div class="analyses-progress">
            <div class="analyses-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={progress} aria-label={stage || s[status]}>
              <div class="analyses-fill" style={{ width: `${Math.max(progress, 3)}%` }} />
            </div>
            <span class="analyses-stage">{stage} · {progress} %</span>
          </div>
        )}
        {status === 'failed' && fresh?.error && <p class="analyses-error">{fresh.error.message}</p>}
        <span class="analyses-chevron" aria-hidden="true">›</span>
      </a>
    </li>
  )
}

/** "Just now", "5 minutes ago" within the hour, "14:05" today, else the short date and time. */
function formatWhen (date: Date, language: Language, justNow: string): string {
  const now = new Date()
  const sameDay = date.toDateString() === now.toDateString()
  const time = date.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' })
  if (sameDay) {
    const minutes = Math.floor((now.getTime() - date.getTime()) / 60_000)
    if (minutes < 1) return justNow
    if (minutes < 60) return new Intl.RelativeTimeFormat(language, { numeric: 'auto' }).format(-minutes, 'minute')
    return time
  }
  return `${date.toLocaleDateString(language, { month: 'short', day: 'numeric', ...(date.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}) })} ${time}`
}

function formatDuration (seconds: number): string {
  const whole = Math.round(seconds)
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}
