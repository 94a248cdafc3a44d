/**
 * mm:ss timestamps and time ranges as the feedback cites them. Pure functions, shared by the
 * face and voice facts (facts.ts re-exports them for existing callers).
 */

export interface TimeRange {
  startMs: number
  endMs: number
  /** mm:ss-mm:ss, or mm:ss when both ends fall in the same second. */
  label: string
  seconds: number
}

/** mm:ss of a time in milliseconds, truncated to the second like a video player shows it. */
export function formatTimestamp (ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`
}

export function formatRange (startMs: number, endMs: number): string {
  const start = formatTimestamp(startMs)
  const end = formatTimestamp(endMs)
  return start === end ? start : `${start}-${end}`
}

/** Seconds from mm:ss; NaN when the text is not mm:ss. */
export function parseTimestamp (text: string): number {
  const match = /^(\d{2,}):([0-5]\d)$/.exec(text)
  return match ? Number(match[1]) * 60 + Number(match[2]) : NaN
}

/** A range ending no later than the video, with its label and length (0.1 s). */
export function timeRange (startMs: number, endMs: number, durationMs: number): TimeRange {
  const end = Math.min(endMs, durationMs)
  return { startMs, endMs: end, label: formatRange(startMs, end), seconds: Math.round(((end - startMs) / 1000) * 10) / 10 }
}
