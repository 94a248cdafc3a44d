/**
 * One picture of a whole analysis (about 1280 px wide): a strip of frames from across the
 * video on top, each tied by a thin line to its moment; below it the main curves over the
 * whole duration, one lane each (a gap where a value is null: no face, silence); then the
 * timeline events as coloured bars, one row per kind; and a time axis (a tick a second or more,
 * longer ticks at round intervals). Shapes and colours only, no text (a server may have no
 * fonts): the colour swatch at the left of each lane and row names it (see the README).
 */
import sharp from 'sharp'
import { checkRawImage, evenSide, fromRaw, JPEG_OPTIONS, type RawImage } from './raw-image.js'
import { COLORS, CURVE_COLORS, CURVE_COLORS_BY_NAME, eventColor, safeColor } from './palette.js'

export interface OverviewFrame {
  atMs: number
  /** Absent when the frame could not be had: an empty cell. */
  image?: RawImage
}

export interface OverviewCurve {
  name: string
  /** #rgb or #rrggbb; default the name's (CURVE_COLORS_BY_NAME), else one of CURVE_COLORS by position. */
  color?: string
  /** Times in ms; null is a gap (no value there). */
  points: Array<{ t: number, v: number | null }>
  /** The lane's bottom and top values; values beyond are drawn at the edge. */
  min: number
  max: number
}

export interface OverviewEvent {
  kind: string
  startMs: number
  endMs: number
}

export interface OverviewInput {
  /** The video's duration: the time axis runs from 0 to this. */
  durationMs: number
  frames: OverviewFrame[]
  curves: OverviewCurve[]
  events: OverviewEvent[]
  /** Default 1280. */
  width?: number
}

/** Limits that keep a picture legible (and its SVG small). */
export const OVERVIEW_LIMITS = { frames: 24, curves: 8, eventKinds: 16, events: 5000, pointsPerCurve: 1_000_000 } as const

const PAD = 16
const SWATCH = 10
const GAP = 12
/** A curve's lane and an event kind's row, in pixels, with the gaps between them. */
export const LANE = 64
export const LANE_GAP = 8
export const ROW = 14
export const ROW_GAP = 5
const AXIS = 22

export interface Layout {
  width: number
  height: number
  left: number
  right: number
  cell: { width: number, height: number, gap: number, top: number }
  lanesTop: number
  rowsTop: number
  axisTop: number
  x: (ms: number) => number
}

export async function timelineOverviewJpeg (input: OverviewInput): Promise<Buffer> {
  const { durationMs, frames, curves, events, kinds } = checkInput(input)
  const layout = overviewLayout(input)

  const cells = await Promise.all(frames.map(async (frame, k) => {
    if (!frame.image) return null
    const pixels = await fromRaw(frame.image).resize(layout.cell.width, layout.cell.height, { fit: 'cover', kernel: 'lanczos3' }).raw().toBuffer()
    return { input: pixels, raw: { width: layout.cell.width, height: layout.cell.height, channels: 3 as const }, left: cellLeft(layout, k), top: layout.cell.top }
  }))
  const svg = overviewSvg(layout, durationMs, frames, curves, events, kinds)
  return sharp({ create: { width: layout.width, height: layout.height, channels: 3, background: COLORS.background } })
    .composite([...cells.filter((c) => c !== null), { input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg(JPEG_OPTIONS)
    .toBuffer()
}

function checkInput (input: OverviewInput): { durationMs: number, frames: OverviewFrame[], curves: OverviewCurve[], events: OverviewEvent[], kinds: string[] } {
  if (!input || typeof input !== 'object') throw new TypeError('overview input must be an object')
  const { durationMs, frames, curves, events } = input
  if (!(Number.isFinite(durationMs) && durationMs > 0)) throw new RangeError(`durationMs must be a positive number, got ${String(durationMs)}`)
  if (input.width !== undefined && !(Number.isInteger(input.width) && input.width >= 320 && input.width <= 4096)) {
    throw new RangeError(`overview width must be a whole number of pixels from 320 to 4096, got ${input.width}`)
  }
  if (!Array.isArray(frames) || frames.length > OVERVIEW_LIMITS.frames) throw new RangeError(`frames must be an array of at most ${OVERVIEW_LIMITS.frames}`)
  frames.forEach((frame, k) => {
    if (!Number.isFinite(frame?.atMs)) throw new RangeError(`frames[${k}].atMs must be a number of ms`)
    if (frame.image) checkRawImage(frame.image, `frames[${k}].image`)
  })
  if (!Array.isArray(curves) || curves.length > OVERVIEW_LIMITS.curves) throw new RangeError(`curves must be an array of at most ${OVERVIEW_LIMITS.curves}`)
  curves.forEach((curve, k) => {
    if (!Array.isArray(curve?.points) || curve.points.length > OVERVIEW_LIMITS.pointsPerCurve) throw new RangeError(`curves[${k}] (${String(curve?.name)}): points must be an array of at most ${OVERVIEW_LIMITS.pointsPerCurve}`)
    if (!(Number.isFinite(curve.min) && Number.isFinite(curve.max) && curve.max > curve.min)) {
      throw new RangeError(`curves[${k}] (${curve.name}): min and max must be numbers with max > min, got ${curve.min} and ${curve.max}`)
    }
  })
  if (!Array.isArray(events) || events.length > OVERVIEW_LIMITS.events) throw new RangeError(`events must be an array of at most ${OVERVIEW_LIMITS.events}`)
  events.forEach((event, k) => {
    if (typeof event?.kind !== 'string' || !Number.isFinite(event.startMs) || !Number.isFinite(event.endMs) || event.endMs < event.startMs) {
      throw new RangeError(`events[${k}] must have a kind and startMs <= endMs, got ${JSON.stringify(event)}`)
    }
  })
  const kinds = [...new Set(events.map((e) => e.kind))]
  if (kinds.length > OVERVIEW_LIMITS.eventKinds) throw new RangeError(`at most ${OVERVIEW_LIMITS.eventKinds} kinds of event, got ${kinds.length}`)
  return { durationMs, frames: [...frames].sort((a, b) => a.atMs - b.atMs), curves, events, kinds }
}

/** Where everything goes: the picture's size, the frame cells, the lanes and rows (exported for tests). */
export function overviewLayout (input: OverviewInput): Layout {
  const { durationMs, frames, curves, kinds } = checkInput(input)
  const first = frames.find((f) => f.image)?.image
  return layoutFor(input.width ?? 1280, durationMs, frames.length, curves.length, kinds.length, first ? first.height / first.width : 9 / 16)
}

function layoutFor (width: number, durationMs: number, frameCount: number, curveCount: number, kindCount: number, aspect: number): Layout {
  const left = PAD + SWATCH + 8
  const right = width - PAD
  const gap = 6
  const cellWidth = frameCount > 0 ? Math.floor((right - left - gap * (frameCount - 1)) / frameCount) : 0
  const cellHeight = frameCount > 0 ? Math.max(2, Math.round(cellWidth * Math.min(aspect, 2))) : 0
  const cellTop = PAD
  const lanesTop = cellTop + cellHeight + (frameCount > 0 ? GAP + 6 : 0)
  const rowsTop = lanesTop + curveCount * (LANE + LANE_GAP) + (curveCount > 0 ? GAP - LANE_GAP : 0)
  const axisTop = rowsTop + kindCount * (ROW + ROW_GAP) + (kindCount > 0 ? GAP - ROW_GAP : 0)
  return {
    width,
    height: evenSide(axisTop + AXIS + PAD),
    left,
    right,
    cell: { width: cellWidth, height: cellHeight, gap, top: cellTop },
    lanesTop,
    rowsTop,
    axisTop,
    x: (ms) => left + (Math.min(Math.max(ms, 0), durationMs) / durationMs) * (right - left)
  }
}

function cellLeft (layout: Layout, k: number): number {
  return layout.left + k * (layout.cell.width + layout.cell.gap)
}

function overviewSvg (layout: Layout, durationMs: number, frames: OverviewFrame[], curves: OverviewCurve[], events: OverviewEvent[], kinds: string[]): string {
  const parts: string[] = []
  const { left, right } = layout
  const bottom = layout.axisTop

  // Frames: an outline each (an empty cell when missing) and a line from it to its moment.
  frames.forEach((frame, k) => {
    const x = cellLeft(layout, k)
    const { width, height, top } = layout.cell
    if (!frame.image) parts.push(`<rect x="${x}" y="${top}" width="${width}" height="${height}" fill="${COLORS.panel}"/>`)
    parts.push(`<rect x="${x + 0.5}" y="${top + 0.5}" width="${width - 1}" height="${height - 1}" fill="none" stroke="${COLORS.grid}"/>`)
    const at = f(layout.x(frame.atMs))
    const centre = f(x + width / 2)
    parts.push(`<path d="M${centre},${top + height} L${centre},${top + height + 4} L${at},${layout.lanesTop - 2} L${at},${bottom}" fill="none" stroke="#ffffff" stroke-opacity="0.28" stroke-width="1"/>`)
    parts.push(`<circle cx="${at}" cy="${layout.lanesTop - 2}" r="2.5" fill="#ffffff" fill-opacity="0.7"/>`)
  })

  // Curves: one lane each, the swatch at the left, a faint middle line.
  curves.forEach((curve, k) => {
    const top = layout.lanesTop + k * (LANE + LANE_GAP)
    const color = safeColor(curve.color, CURVE_COLORS_BY_NAME[curve.name] ?? CURVE_COLORS[k % CURVE_COLORS.length]!)
    parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${LANE}" rx="3" fill="${COLORS.panel}"/>`)
    parts.push(`<line x1="${left}" y1="${top + LANE / 2}" x2="${right}" y2="${top + LANE / 2}" stroke="${COLORS.grid}" stroke-dasharray="3 4"/>`)
    parts.push(`<rect x="${PAD}" y="${top + LANE / 2 - SWATCH / 2}" width="${SWATCH}" height="${SWATCH}" rx="2" fill="${color}"/>`)
    const y = (v: number) => top + 3 + (1 - (Math.min(Math.max(v, curve.min), curve.max) - curve.min) / (curve.max - curve.min)) * (LANE - 6)
    for (const run of curveRuns(curve.points, layout)) {
      if (run.length === 1) {
        parts.push(`<circle cx="${f(run[0]![0])}" cy="${f(y(run[0]![1]))}" r="1.8" fill="${color}"/>`)
        continue
      }
      const line = run.map(([x, v]) => `${f(x)},${f(y(v))}`).join(' ')
      const area = `${f(run[0]![0])},${top + LANE} ${line} ${f(run[run.length - 1]![0])},${top + LANE}`
      parts.push(`<polygon points="${area}" fill="${color}" fill-opacity="0.14"/>`)
      parts.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`)
    }
  })

  // Events: one row per kind, bars from start to end (at least 3 px, so a blink shows).
  kinds.forEach((kind, k) => {
    const top = layout.rowsTop + k * (ROW + ROW_GAP)
    const color = eventColor(kind)
    parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${ROW}" rx="2" fill="${COLORS.panel}"/>`)
    parts.push(`<rect x="${PAD}" y="${top + ROW / 2 - SWATCH / 2}" width="${SWATCH}" height="${SWATCH}" rx="5" fill="${color}"/>`)
    for (const event of events.filter((e) => e.kind === kind)) {
      const x0 = layout.x(event.startMs)
      const x1 = Math.max(layout.x(event.endMs), x0 + 3)
      parts.push(`<rect x="${f(Math.min(x0, right - 3))}" y="${top + 1}" width="${f(Math.min(x1, right) - Math.min(x0, right - 3))}" height="${ROW - 2}" rx="2" fill="${color}"/>`)
    }
  })

  // Time axis: ticks at a round step, longer every few.
  const { minor, major } = tickSteps(durationMs, right - left)
  parts.push(`<line x1="${left}" y1="${bottom + 2}" x2="${right}" y2="${bottom + 2}" stroke="${COLORS.axis}" stroke-width="1.5"/>`)
  for (let ms = 0; ms <= durationMs + 1e-6; ms += minor) {
    const isMajor = Math.round(ms / minor) % Math.round(major / minor) === 0
    const x = f(layout.x(ms))
    parts.push(`<line x1="${x}" y1="${bottom + 2}" x2="${x}" y2="${bottom + (isMajor ? 14 : 8)}" stroke="${COLORS.axis}" stroke-width="${isMajor ? 2 : 1}"/>`)
    if (isMajor && ms > 0) parts.push(`<line x1="${x}" y1="${layout.lanesTop}" x2="${x}" y2="${bottom}" stroke="${COLORS.grid}" stroke-opacity="0.5"/>`)
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">${parts.join('')}</svg>`
}

/**
 * Runs of [x, value] between nulls, averaged per pixel column (an hour of frames would
 * otherwise make an SVG of megabytes). A column whose points are all null is a gap.
 */
export function curveRuns (points: OverviewCurve['points'], layout: Pick<Layout, 'x'>): Array<Array<[number, number]>> {
  const sorted = points.filter((p) => Number.isFinite(p?.t)).sort((a, b) => a.t - b.t)
  const runs: Array<Array<[number, number]>> = []
  let run: Array<[number, number]> = []
  let column = NaN
  let sum = 0
  let count = 0
  let nulls = 0
  const close = () => {
    if (Number.isNaN(column)) return
    if (count > 0) run.push([column + 0.5, sum / count])
    else if (nulls > 0 && run.length > 0) {
      runs.push(run)
      run = []
    }
  }
  for (const point of sorted) {
    const x = Math.floor(layout.x(point.t))
    if (x !== column) {
      close()
      column = x
      sum = 0
      count = 0
      nulls = 0
    }
    if (typeof point.v === 'number' && Number.isFinite(point.v)) {
      sum += point.v
      count++
    } else nulls++
  }
  close()
  if (run.length > 0) runs.push(run)
  return runs
}

/** A minor tick step of at least ~8 px and a major step of 5 or 10 minors (or a minute's multiples). */
export function tickSteps (durationMs: number, pixels: number): { minor: number, major: number } {
  const steps = [1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000]
  const minor = steps.find((s) => (s / durationMs) * pixels >= 8) ?? 600_000
  const majorSteps = [5000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000]
  const major = majorSteps.find((s) => s > minor && s % minor === 0 && (s / durationMs) * pixels >= 60) ?? minor * 10
  return { minor, major }
}

function f (n: number): string {
  return String(Math.round(n * 10) / 10)
}
