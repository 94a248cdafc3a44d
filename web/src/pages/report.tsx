/**
 * The report of one analysis (`#/analyses/ID`; `#/analyses/ID/print` printable). While the
 * analysis runs: its stage and a progress bar, polled every 2 s; when it failed: why. When done:
 * the title, the playback copy with the timeline under it, the charts over time, the scores and
 * the feedback. Printable: no video; the overview picture and the moments' pictures with their
 * times instead, and static charts.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, request } from '../api/client.js'
import type { Analysis, Timeline as TimelineData } from '../api/types.js'
import { format, useLanguage, useStrings, type Strings } from '../i18n.js'
import { href } from '../router.js'
import { Player, usePlaybackProblem } from './report/player.js'
import { Timeline } from './report/timeline.js'
import { Charts } from './report/charts.js'
import { STAGES, clock } from './report/labels.js'
import { ScoresSection } from './report/scores.js'
import { FeedbackSection } from './report/feedback.js'
import { PrintButton } from './report/print.js'
import './report/report.css'

/** While the analysis runs, how often it is asked again (ms); after a network error, the wait. */
const POLL_MS = 2000
const RETRY_MS = 5000

const STRINGS: Strings<'kicker' | 'back' | 'user' | 'recorded' | 'length' | 'loading' | 'notFound' | 'loadFailed' | 'retrying' |
'queued' | 'processing' | 'waiting' | 'progress' | 'failed' | 'failedHint' | 'overview' | 'timelineFailed' | 'video'> = {
  en: {
    kicker: 'Interview report',
    back: 'All analyses',
    user: 'User',
    recorded: 'Analysed',
    length: 'Length',
    loading: 'Loading the report…',
    notFound: 'There is no analysis {id} (or it belongs to another account).',
    loadFailed: 'Could not load the report: {message}',
    retrying: 'Trying again shortly.',
    queued: 'Waiting to be analysed',
    processing: 'Analysing the recording',
    waiting: 'Waiting for a worker',
    progress: '{n}% done. This page updates by itself; the report appears here when it is ready.',
    failed: 'The analysis failed',
    failedHint: 'Nothing was measured. Check that the file is a video with a face in view, then record or upload it again.',
    overview: 'The whole recording at a glance: frames, measures and events',
    timelineFailed: 'Could not load the timeline: {message}',
    video: 'Video and timeline'
  },
  ko: {
    kicker: '면접 분석 리포트',
    back: '전체 분석',
    user: '사용자',
    recorded: '분석 일시',
    length: '길이',
    loading: '리포트를 불러오는 중…',
    notFound: '분석 {id}을(를) 찾을 수 없습니다(다른 계정의 분석일 수 있습니다).',
    loadFailed: '리포트를 불러오지 못했습니다: {message}',
    retrying: '잠시 후 다시 시도합니다.',
    queued: '분석 대기 중',
    processing: '녹화를 분석하는 중',
    waiting: '작업자를 기다리는 중',
    progress: '{n}% 완료. 이 페이지는 자동으로 갱신되며, 준비되면 리포트가 나타납니다.',
    failed: '분석에 실패했습니다',
    failedHint: '측정된 내용이 없습니다. 얼굴이 보이는 영상인지 확인한 뒤 다시 녹화하거나 올려 주세요.',
    overview: '녹화 전체 요약: 장면, 측정값, 이벤트',
    timelineFailed: '타임라인을 불러오지 못했습니다: {message}',
    video: '영상과 타임라인'
  }
}

type Problem = { status: number | null, message: string }

const problemOf = (error: unknown): Problem => ({
  status: error instanceof ApiError ? error.status : null,
  message: error instanceof Error ? error.message : String(error)
})

export function ReportPage ({ id, printable = false }: { id: string, printable?: boolean }) {
  const s = useStrings(STRINGS)
  const [analysis, setAnalysis] = useState<Analysis | null>(null)
  const [timeline, setTimeline] = useState<TimelineData | null>(null)
  const [problem, setProblem] = useState<Problem | null>(null)
  const [timelineProblem, setTimelineProblem] = useState<string | null>(null)
  /** Bumped to ask for everything again (fresh links after they expired). */
  const [generation, setGeneration] = useState(0)

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const controller = new AbortController()
    const path = `/analysis/${encodeURIComponent(id)}`
    const poll = async () => {
      try {
        const next = await request<Analysis>(path, { signal: controller.signal })
        if (stopped) return
        setAnalysis(next)
        setProblem(null)
        if (next.status === 'queued' || next.status === 'processing') {
          timer = setTimeout(() => { void poll() }, POLL_MS)
          return
        }
        if (next.status === 'completed') {
          try {
            const data = await request<TimelineData>(`${path}/timeline`, { signal: controller.signal })
            if (!stopped) { setTimeline(data); setTimelineProblem(null) }
          } catch (error) {
            if (!stopped && !controller.signal.aborted) setTimelineProblem(problemOf(error).message)
          }
        }
      } catch (error) {
        if (stopped || controller.signal.aborted) return
        const found = problemOf(error)
        setProblem(found)
        // A missing or forbidden analysis will not appear by asking again; a network error may pass.
        if (found.status === null || found.status >= 500 || found.status === 429) timer = setTimeout(() => { void poll() }, RETRY_MS)
      }
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
      controller.abort()
    }
  }, [id, generation])

  if (!analysis) {
    return (
      <div class={printable ? 'rp rp-printable' : 'rp'} data-testid="report">
        {problem
          ? <div class="card"><p class="error" role="alert">{problem.status === 404 ? format(s.notFound, { id }) : format(s.loadFailed, { message: problem.message })}</p>
              {(problem.status === null || problem.status >= 500) && <p class="notice">{s.retrying}</p>}
              <a href={href({ page: 'analyses' })}>{s.back}</a></div>
          : <p class="notice" aria-busy="true">{s.loading}</p>}
      </div>
    )
  }

  const duration = timeline?.duration_s ?? analysis.video?.duration_s ?? 0
  return (
    <div class={printable ? 'rp rp-printable' : 'rp'} data-testid="report" data-status={analysis.status}>
      <Header analysis={analysis} id={id} printable={printable} />
      {problem && <p class="error" role="alert">{format(s.loadFailed, { message: problem.message })}</p>}
      {(analysis.status === 'queued' || analysis.status === 'processing') && <Progress analysis={analysis} />}
      {analysis.status === 'failed' && (
        <div class="card rp-failed" role="alert" data-testid="report-failed">
          <h2>{s.failed}</h2>
          <p class="error">{analysis.error ? `${analysis.error.message} (${analysis.error.code})` : '—'}</p>
          <p class="notice">{s.failedHint}</p>
        </div>
      )}
      {analysis.status === 'completed' && (
        <>
          {timelineProblem && <p class="error" role="alert">{format(s.timelineFailed, { message: timelineProblem })}</p>}
          <section class="card rp-media" aria-label={s.video}>
            {printable
              ? <Overview timeline={timeline} />
              : <Media analysis={analysis} timeline={timeline} onExpired={() => setGeneration((g) => g + 1)} />}
            {timeline && duration > 0 && <Timeline duration={duration} events={timeline.events} printable={printable} />}
          </section>
          {timeline && duration > 0 && <Charts curves={timeline.curves} duration={duration} printable={printable} />}
          <ScoresSection analysis={analysis} />
          <FeedbackSection analysis={analysis} />
        </>
      )}
    </div>
  )
}

function Header ({ analysis, id, printable }: { analysis: Analysis, id: string, printable: boolean }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const when = new Date(analysis.completed_at ?? analysis.created_at)
  const date = new Intl.DateTimeFormat(language === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'long', timeStyle: 'short' }).format(when)
  return (
    <header class="rp-head">
      <div>
        {!printable && <a class="rp-back" href={href({ page: 'analyses' })}>← {s.back}</a>}
        <p class="rp-kicker">{s.kicker}</p>
        <h1 data-testid="report-title">{analysis.session_id}</h1>
        <dl class="rp-meta">
          <div><dt>{s.user}</dt><dd>{analysis.user_id}</dd></div>
          <div><dt>{s.recorded}</dt><dd>{date}</dd></div>
          {analysis.video && <div><dt>{s.length}</dt><dd>{clock(analysis.video.duration_s)}</dd></div>}
        </dl>
      </div>
      {analysis.status === 'completed' && <div class="rp-head-actions"><PrintButton id={id} /></div>}
    </header>
  )
}

function Progress ({ analysis }: { analysis: Analysis }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const stage = analysis.stage ? (STAGES[analysis.stage]?.[language] ?? analysis.stage) : analysis.status === 'queued' ? s.waiting : s.processing
  return (
    <div class="card rp-progress" data-testid="report-progress" aria-live="polite">
      <h2>{analysis.status === 'queued' ? s.queued : s.processing}</h2>
      <p class="rp-stage" data-testid="report-stage">{stage}</p>
      <div class="rp-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={analysis.progress} aria-label={stage}>
        <span style={{ width: `${analysis.progress}%` }} />
      </div>
      <p class="notice rp-small">{format(s.progress, { n: analysis.progress })}</p>
    </div>
  )
}

function Media ({ analysis, timeline, onExpired }: { analysis: Analysis, timeline: TimelineData | null, onExpired: () => void }) {
  const missing = usePlaybackProblem(analysis.playback)
  const playback = analysis.playback
  if (playback?.url) return <Player playback={{ ...playback, url: playback.url }} onExpired={onExpired} />
  return (
    <>
      <p class="notice rp-no-video" data-testid="no-playback">{missing}</p>
      <Overview timeline={timeline} />
    </>
  )
}

function Overview ({ timeline }: { timeline: TimelineData | null }) {
  const s = useStrings(STRINGS)
  if (!timeline?.overview) return timeline?.overview_error ? <p class="notice rp-small">{timeline.overview_error}</p> : null
  const { url, width, height } = timeline.overview
  return (
    <figure class="rp-overview">
      <img src={url} alt={s.overview} width={width ?? undefined} height={height ?? undefined} data-testid="overview" />
      <figcaption class="notice rp-small">{s.overview}</figcaption>
    </figure>
  )
}
