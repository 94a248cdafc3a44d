/** The CLI's human-readable summary of an AnalysisResult: the video, then each kind's rows, the scores and the time. */
import type { AnalysisResult } from '../engine/analyze.js'
import { SIGNALS } from '../signals/registry.js'
import { analysisOutcome } from '../signals/outcome.js'
import { seconds } from '../format.js'

export function formatReport (result: AnalysisResult): string {
  const { video, sampling } = result
  const outcome = analysisOutcome(result.signals)
  const rows: Array<[string, string]> = [
    ['video', `${video.width}x${video.height} ${video.videoCodec}, ${video.durationS.toFixed(1)} s, ${video.fps.toFixed(2)} fps, audio ${video.audioCodec ?? 'none'}`],
    ['analysed', `${sampling.frames} frames at ${sampling.fps.toFixed(2)} fps (${sampling.width}x${sampling.height}); ` +
      Object.entries(result.signals).map(([kind, s]) => `${kind} ${s.frameCount}`).join(', ')],
    ...SIGNALS.flatMap((module) => (result.signals[module.kind] ? module.reportRows(result.signals[module.kind]!.metrics) : [])),
    ['scores', `interview ${outcome.scores.interviewScore}/60; ` + Object.entries(outcome.scores.categories).map(([key, score]) => `${key} ${score}`).join(', ')],
    ['time', `${seconds(result.timings.total?.ms ?? 0)} (${((video.durationS * 1000) / (result.timings.total?.ms || 1)).toFixed(2)}x real time)`]
  ]
  for (const warning of result.warnings) rows.push(['warning', warning])
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}
