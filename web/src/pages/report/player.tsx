/**
 * The report's video: the analysis's playback copy in a <video controls>. Everything else on the
 * report follows it through `playhead` (its current time, updated every animation frame while it
 * plays) and moves it with `seek(seconds)`, the `candor:seek` window event the feedback's
 * timestamps dispatch too. Seeking from the report also plays.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Analysis } from '../../api/types.js'
import { signal } from '../../state.js'
import { format, useStrings, type Strings } from '../../i18n.js'
import { SEEK_EVENT, seek as dispatchSeek, type SeekDetail } from './feedback.js'

/** The video's current time in seconds (0 before it loads). */
export const playhead = signal(0)

/** Moves the report's video to `seconds` and plays it. */
export function seek (seconds: number): void {
  dispatchSeek(seconds)
}

const STRINGS: Strings<'noCopy' | 'copiesOff' | 'notPlayable' | 'reload' | 'video'> = {
  en: {
    noCopy: 'There is no video to play back: {reason}',
    copiesOff: 'This server does not keep playback copies of recordings (PLAYBACK_COPY is off), so the video cannot be shown here. The timeline and charts below still cover the whole recording.',
    notPlayable: 'The video could not be loaded (its link may have expired).',
    reload: 'Load it again',
    video: 'The analysed recording'
  },
  ko: {
    noCopy: '재생할 영상이 없습니다: {reason}',
    copiesOff: '이 서버는 재생용 영상을 보관하지 않습니다(PLAYBACK_COPY 꺼짐). 아래 타임라인과 차트는 녹화 전체를 보여 줍니다.',
    notPlayable: '영상을 불러오지 못했습니다(링크가 만료되었을 수 있습니다).',
    reload: '다시 불러오기',
    video: '분석한 녹화 영상'
  }
}

/** Why there is no video, or null when there is one. */
export function usePlaybackProblem (playback: Analysis['playback']): string | null {
  const s = useStrings(STRINGS)
  if (playback === null || playback === undefined) return s.copiesOff
  if (!playback.url) return format(s.noCopy, { reason: playback.error ?? '—' })
  return null
}

export function Player ({ playback, onExpired }: { playback: NonNullable<Analysis['playback']> & { url: string }, onExpired: () => void }) {
  const s = useStrings(STRINGS)
  const video = useRef<HTMLVideoElement>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    const element = video.current
    if (!element) return
    let frame = 0
    const publish = () => playhead.set(element.currentTime)
    const tick = () => {
      publish()
      frame = element.paused ? 0 : requestAnimationFrame(tick)
    }
    const onPlay = () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(tick) }
    const onSeek = (event: Event) => {
      const { seconds } = (event as CustomEvent<SeekDetail>).detail
      if (!Number.isFinite(seconds)) return
      const end = Number.isFinite(element.duration) ? element.duration : seconds
      element.currentTime = Math.max(0, Math.min(seconds, end))
      publish()
      // A browser may refuse to play without a gesture; the video then waits at that moment.
      element.play().catch(() => undefined)
    }
    element.addEventListener('play', onPlay)
    element.addEventListener('seeked', publish)
    element.addEventListener('timeupdate', publish)
    element.addEventListener('loadedmetadata', publish)
    window.addEventListener(SEEK_EVENT, onSeek)
    return () => {
      cancelAnimationFrame(frame)
      element.removeEventListener('play', onPlay)
      element.removeEventListener('seeked', publish)
      element.removeEventListener('timeupdate', publish)
      element.removeEventListener('loadedmetadata', publish)
      window.removeEventListener(SEEK_EVENT, onSeek)
    }
  }, [playback.url])

  useEffect(() => () => playhead.set(0), [])

  const sources = [{ url: playback.url, type: playback.content_type ?? 'video/webm' }, ...playback.alternatives.map((a) => ({ url: a.url, type: a.content_type }))]
  const ratio = playback.width && playback.height ? `${playback.width} / ${playback.height}` : '16 / 9'
  return (
    <div class="rp-player">
      <video
        ref={video}
        key={playback.url}
        controls
        preload="auto"
        playsInline
        aria-label={s.video}
        data-testid="report-video"
        style={{ aspectRatio: ratio }}
      >
        {/* With <source>s the error comes from the last one tried. */}
        {sources.map((source, i) => (
          <source key={source.url} src={source.url} type={source.type} onError={i === sources.length - 1 ? () => setFailed(true) : undefined} />
        ))}
      </video>
      {failed && (
        <p class="error rp-player-error">
          {s.notPlayable} <button type="button" class="link" onClick={() => { setFailed(false); onExpired() }}>{s.reload}</button>
        </p>
      )}
    </div>
  )
}
