/**
 * The curves over time (GET /analysis/:id/timeline `curves`), one small uPlot chart each,
 * stacked on one time axis (the same x range and plot width, so a moment lines up down the
 * column). Each shows the value at the video's current time, a line there that follows the
 * video, and the hover cursor synced across charts; clicking a chart plays the video from there.
 * Printable: the same charts, static.
 */
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Timeline as TimelineData } from '../../api/types.js'
import { format, useLanguage, useStrings, type Strings } from '../../i18n.js'
import { useSignal } from '../../state.js'
import { playhead, seek } from './player.js'
import { CURVE_COLORS, clock, curveText } from './labels.js'

type Curve = TimelineData['curves'][number]

const STRINGS: Strings<'title' | 'intro' | 'none' | 'sparse' | 'nothingNow'> = {
  en: {
    title: 'Over time',
    intro: 'Each chart follows the video; click one to play from that moment.',
    none: 'No measure over time was recorded for this analysis.',
    sparse: 'Measured in {n} of {m} seconds only.',
    nothingNow: '—'
  },
  ko: {
    title: '시간에 따른 변화',
    intro: '차트는 영상과 함께 움직입니다. 차트를 누르면 그 시점부터 재생합니다.',
    none: '이 분석에는 시간에 따른 측정값이 없습니다.',
    sparse: '{m}초 중 {n}초만 측정되었습니다.',
    nothingNow: '—'
  }
}

/** Decimals shown per curve (others: 1). */
const DIGITS: Record<string, number> = { eye_contact: 0, emotion: 2, head_movement: 0, speaking_rate: 1, loudness: 0, movement: 2, posture: 0 }
const CHART_HEIGHT = 96
/** Same y-axis width on every chart, so the plots line up. */
const Y_AXIS_SIZE = 44

function formatValue (curve: Curve, v: number): string {
  const digits = DIGITS[curve.name] ?? 1
  const text = v.toFixed(digits)
  return curve.name === 'emotion' && v > 0 ? `+${text}` : text
}

/** The point covering `seconds` (points stand for the second starting at t). */
function valueAt (curve: Curve, seconds: number): number | null {
  const ms = seconds * 1000
  const point = curve.points.find((p) => p.t <= ms && ms < p.t + 1000)
  return point?.v ?? null
}

export function Charts ({ curves, duration, printable = false }: { curves: readonly Curve[], duration: number, printable?: boolean }) {
  const s = useStrings(STRINGS)
  return (
    <section class="rp-charts card" aria-labelledby="rp-charts-title" data-testid="charts">
      <h2 id="rp-charts-title">{s.title}</h2>
      {curves.length === 0
        ? <p class="notice">{s.none}</p>
        : <>
            {!printable && <p class="notice rp-small">{s.intro}</p>}
            {curves.map((curve, i) => <Chart key={curve.name} curve={curve} duration={duration} printable={printable} last={i === curves.length - 1} />)}
          </>}
    </section>
  )
}

function Chart ({ curve, duration, printable, last }: { curve: Curve, duration: number, printable: boolean, last: boolean }) {
  const s = useStrings(STRINGS)
  const language = useLanguage()
  const text = curveText(curve, language)
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const line = useRef<HTMLDivElement | null>(null)
  const color = CURVE_COLORS[curve.name] ?? '#2f5bd3'
  const measured = curve.points.filter((p) => p.v !== null).length

  useEffect(() => {
    const target = box.current
    if (!target) return
    const xs = curve.points.map((p) => Math.min(duration, p.t / 1000 + 0.5))
    const ys = curve.points.map((p) => p.v)
    const axisStyle = { stroke: '#5b6476', font: '11px system-ui, sans-serif', grid: { stroke: '#eef1f5', width: 1 }, ticks: { show: false } }
    const options: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height: CHART_HEIGHT + (last ? 24 : 0),
      legend: { show: false },
      padding: [6, 8, last ? 0 : 4, 0],
      cursor: printable
        ? { show: false }
        : { sync: { key: 'candor-report' }, drag: { x: false, y: false, setScale: false }, points: { size: 7, fill: color } },
      scales: { x: { time: false, range: [0, duration] }, y: { range: [curve.min, curve.max] } },
      axes: [
        { ...axisStyle, show: last, space: 56, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600], values: (_u, splits) => splits.map((v) => clock(v)), size: 24 },
        { ...axisStyle, size: Y_AXIS_SIZE, splits: () => [curve.min, (curve.min + curve.max) / 2, curve.max], values: (_u, splits) => splits.map((v) => String(Math.round(v * 100) / 100)) }
      ],
      series: [
        {},
        { stroke: color, width: 2, fill: `${color}1f`, spanGaps: false, points: { show: (u, _si, i0, i1) => (i1 - i0) * 6 < u.bbox.width / devicePixelRatio, size: 4, fill: color } }
      ]
    }
    const u = new uPlot(options, [xs, ys], target)
    plot.current = u
    if (!printable) {
      const cursorLine = document.createElement('div')
      cursorLine.className = 'rp-chart-playhead'
      u.over.appendChild(cursorLine)
      line.current = cursorLine
      u.over.addEventListener('click', (event) => {
        const seconds = u.posToVal(event.offsetX, 'x')
        if (Number.isFinite(seconds)) seek(Math.max(0, Math.min(duration, seconds)))
      })
    }
    const place = (seconds: number) => {
      if (line.current) line.current.style.transform = `translateX(${u.valToPos(seconds, 'x')}px)`
    }
    place(playhead.get())
    const unsubscribe = printable ? () => undefined : playhead.subscribe(place)
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, target.clientWidth)
      if (width !== u.width) {
        u.setSize({ width, height: u.height })
        place(playhead.get())
      }
    })
    resize.observe(target)
    return () => {
      unsubscribe()
      resize.disconnect()
      u.destroy()
      plot.current = null
      line.current = null
    }
  }, [curve, duration, printable, last, color])

  return (
    <figure class="rp-chart" data-testid="chart" data-curve={curve.name} data-points={measured}>
      <figcaption>
        <span class="rp-chart-name"><span class="rp-swatch" style={{ background: color }} />{text.name}</span>
        {text.unit && <span class="rp-chart-unit">{text.unit}</span>}
        {!printable && <Now curve={curve} empty={s.nothingNow} unit={text.unit} />}
        {text.about && <span class="rp-chart-about">{text.about}</span>}
        {measured < curve.points.length * 0.3 && <span class="rp-chart-about">{format(s.sparse, { n: measured, m: curve.points.length })}</span>}
      </figcaption>
      <div class="rp-chart-plot" ref={box} />
    </figure>
  )
}

/** The value at the video's current time. */
function Now ({ curve, empty, unit }: { curve: Curve, empty: string, unit: string }) {
  const time = useSignal(playhead)
  const v = valueAt(curve, time)
  return <span class="rp-chart-now" data-testid="chart-now">{v === null ? empty : `${formatValue(curve, v)}${unit === '%' ? '%' : ''}`}</span>
}
