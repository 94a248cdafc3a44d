/**
 * Under the video: the recording as a bar the video's width, one lane per kind of event with a
 * marker per event (coloured as in the overview picture), the playhead, a legend, and the
 * events' pictures in a strip that scrolls sideways. Clicking a marker, a picture or the bar
 * seeks the video there and plays it. Hovering (or focusing) a picture shows the annotated copy
 * (what was measured drawn on the frame); "Show measurements" does it for every picture, which
 * is what a touch screen needs. Printable: no playhead, and the pictures as a grid with times.
 */
import { useState } from 'preact/hooks'
import type { Timeline as TimelineData } from '../../api/types.js'
import { format, useLanguage, useStrings, type Strings } from '../../i18n.js'
import { useSignal } from '../../state.js'
import { playhead, seek } from './player.js'
import { EVENT_KINDS, clock, eventColor, eventName } from './labels.js'

type Event = TimelineData['events'][number]

const STRINGS: Strings<'title' | 'moments' | 'none' | 'noPictures' | 'measured' | 'seekTo' | 'at' | 'pictureMissing' | 'legend' | 'bar'> = {
  en: {
    title: 'Timeline',
    moments: 'Moments',
    none: 'Nothing on the timeline: no event was found in this recording.',
    noPictures: 'No pictures of moments for this recording.',
    measured: 'Show measurements',
    seekTo: 'Play from {time}',
    at: 'at {time}',
    pictureMissing: '{n} moments have no picture',
    legend: 'What the colours mean',
    bar: 'The recording from start to end; click to play from a moment'
  },
  ko: {
    title: '타임라인',
    moments: '주요 장면',
    none: '이 녹화에서는 타임라인에 표시할 이벤트가 없습니다.',
    noPictures: '이 녹화에는 장면 사진이 없습니다.',
    measured: '측정 표시 보기',
    seekTo: '{time}부터 재생',
    at: '{time}',
    pictureMissing: '사진이 없는 장면 {n}개',
    legend: '색상 안내',
    bar: '녹화 전체 구간입니다. 누르면 그 시점부터 재생합니다'
  }
}

/** Where an event's marker or picture sends the video: the pictured moment, else its start. */
export const momentOf = (e: Event) => e.thumbnail?.at_s ?? e.start_s

/** Kinds in a stable order: the known ones as listed in labels.ts, then any other by name. */
function kindsOf (events: readonly Event[]): string[] {
  const present = new Set(events.map((e) => e.kind))
  const known = Object.keys(EVENT_KINDS).filter((k) => present.has(k))
  return [...known, ...[...present].filter((k) => !(k in EVENT_KINDS)).sort()]
}

/** Ruler ticks: about 6-10 labels whatever the length. */
function ticks (duration: number): number[] {
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800].find((s) => duration / s <= 10) ?? 3600
  const out: number[] = []
  for (let t = 0; t <= duration + 1e-6; t += step) out.push(t)
  return out
}

export function Timeline ({ duration, events, printable = false }: { duration: number, events: readonly Event[], printable?: boolean }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const kinds = kindsOf(events)
  const pct = (seconds: number) => `${Math.max(0, Math.min(100, seconds / duration * 100))}%`
  const pictured = events.filter((e) => e.thumbnail).sort((a, b) => momentOf(a) - momentOf(b))
  const unpictured = events.filter((e) => !e.thumbnail && e.thumbnail_error)

  const onBar = (event: MouseEvent) => {
    if (printable) return
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect()
    seek((event.clientX - box.left) / box.width * duration)
  }

  return (
    <section class="rp-timeline" aria-label={s.title} data-testid="timeline">
      <div class="rp-tl-bar" style={{ '--lanes': Math.max(1, kinds.length) }} onClick={onBar} title={printable ? undefined : s.bar} data-testid="timeline-bar">
        {kinds.map((kind, lane) => (
          <div class="rp-tl-lane" key={kind} style={{ top: `calc(${lane} * var(--lane))` }}>
            {events.filter((e) => e.kind === kind).map((e) => {
              const name = eventName(e.kind, language)
              const label = `${name} ${clock(e.start_s)}${e.end_s - e.start_s >= 1 ? `–${clock(e.end_s)}` : ''}`
              return (
                <button
                  type="button"
                  key={e.id}
                  class="rp-tl-marker"
                  style={{ left: `min(${pct(e.start_s)}, 100% - 6px)`, width: `max(6px, ${pct(Math.min(e.end_s, duration) - e.start_s)})`, background: eventColor(e.kind) }}
                  title={label}
                  aria-label={printable ? label : `${label}. ${format(s.seekTo, { time: clock(momentOf(e)) })}`}
                  tabIndex={printable ? -1 : 0}
                  data-testid="timeline-marker"
                  data-kind={e.kind}
                  data-at={momentOf(e)}
                  onClick={(ev) => { ev.stopPropagation(); if (!printable) seek(momentOf(e)) }}
                />
              )
            })}
          </div>
        ))}
        {kinds.length === 0 && <p class="rp-tl-empty">{s.none}</p>}
        {!printable && <Playhead duration={duration} />}
      </div>
      <div class="rp-tl-ruler" aria-hidden="true">
        {ticks(duration).map((t) => <span key={t} style={{ left: pct(t) }}>{clock(t)}</span>)}
      </div>
      {kinds.length > 0 && (
        <ul class="rp-tl-legend" aria-label={s.legend}>
          {kinds.map((kind) => (
            <li key={kind}>
              <span class="rp-swatch" style={{ background: eventColor(kind) }} />
              {eventName(kind, language)} <span class="rp-count">{events.filter((e) => e.kind === kind).length}</span>
            </li>
          ))}
        </ul>
      )}
      <Pictures events={pictured} printable={printable} />
      {pictured.length === 0 && kinds.length > 0 && <p class="notice rp-small">{s.noPictures}</p>}
      {unpictured.length > 0 && !printable && (
        <details class="rp-small rp-missing">
          <summary>{format(s.pictureMissing, { n: unpictured.length })}</summary>
          <ul>{unpictured.map((e) => <li key={e.id}>{eventName(e.kind, language)} {clock(e.start_s)}: {e.thumbnail_error}</li>)}</ul>
        </details>
      )}
    </section>
  )
}

function Playhead ({ duration }: { duration: number }) {
  const time = useSignal(playhead)
  return (
    <>
      <div class="rp-tl-playhead" style={{ left: `${Math.min(100, time / duration * 100)}%` }} aria-hidden="true" />
      <output class="rp-tl-time" data-testid="timeline-time">{clock(time, true)} / {clock(duration, true)}</output>
    </>
  )
}

function Pictures ({ events, printable }: { events: readonly Event[], printable: boolean }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const [measured, setMeasured] = useState(false)
  const [hovered, setHovered] = useState<number | null>(null)
  const time = useSignal(playhead)
  if (events.length === 0) return null
  return (
    <div class="rp-pictures">
      <div class="rp-pictures-head">
        <h3>{s.moments}</h3>
        {!printable && events.some((e) => e.thumbnail!.annotated_url) && (
          <label class="rp-toggle">
            <input type="checkbox" checked={measured} onChange={(e) => setMeasured(e.currentTarget.checked)} data-testid="show-measured" /> {s.measured}
          </label>
        )}
      </div>
      <ol class={printable ? 'rp-strip rp-grid' : 'rp-strip'} data-testid="timeline-thumbnails">
        {events.map((e) => {
          const thumb = e.thumbnail!
          const annotated = thumb.annotated_url && (measured || hovered === e.id)
          const current = !printable && time >= e.start_s && time <= Math.max(e.end_s, momentOf(e) + 0.5)
          const name = eventName(e.kind, language)
          return (
            <li key={e.id} class={current ? 'rp-thumb current' : 'rp-thumb'}>
              <button
                type="button"
                class="rp-thumb-button"
                data-testid="timeline-thumbnail"
                data-at={thumb.at_s}
                data-kind={e.kind}
                disabled={printable}
                aria-label={`${name}, ${format(s.seekTo, { time: clock(thumb.at_s) })}`}
                onClick={() => seek(thumb.at_s)}
                onMouseEnter={() => setHovered(e.id)}
                onMouseLeave={() => setHovered(null)}
                onFocus={() => setHovered(e.id)}
                onBlur={() => setHovered(null)}
              >
                <img src={annotated ? thumb.annotated_url! : thumb.url} alt="" loading={printable ? 'eager' : 'lazy'} width={320} height={180} />
                <span class="rp-thumb-caption">
                  <span class="rp-swatch" style={{ background: eventColor(e.kind) }} />
                  <span class="rp-thumb-kind">{name}</span>
                  <span class="rp-thumb-time">{format(s.at, { time: clock(thumb.at_s) })}</span>
                </span>
              </button>
            </li>
          )
        })}
      </ol>
    </div>
  )
}
