/**
 * What an analysis amounts to once every kind has its metrics: each module's categories make
 * the scores, its events join one timeline, and its metrics and feedback contribution go to
 * the stores and the writers. Shared by the job, the CLI and the tests, so they cannot differ.
 */
import type { SignalFeedback } from '../feedback/contribution.js'
import type { SignalModule, TimelineEvent } from './contract.js'
import { SIGNALS } from './registry.js'
import { computeScores, type Scores } from './scores.js'

export interface SignalOutcome { module: SignalModule, kind: string, version: string, metrics: unknown }

export interface AnalysisOutcome {
  scores: Scores
  /** Every module's events, in time order (ties by kind), so their position (seq) is stable. */
  events: TimelineEvent[]
  /** The kinds that ran, in registration order. */
  signals: SignalOutcome[]
}

/** `metricsByKind`: the metrics of each kind that ran (AnalysisResult.signals[kind].metrics). */
export function analysisOutcome (metricsByKind: Readonly<Record<string, { metrics: unknown }>>, modules: readonly SignalModule[] = SIGNALS): AnalysisOutcome {
  const signals = modules.filter((m) => metricsByKind[m.kind]).map((module) => ({ module, kind: module.kind, version: module.version, metrics: metricsByKind[module.kind]!.metrics }))
  const events = signals.flatMap((s) => s.module.events(s.metrics)).sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind))
  return { scores: computeScores(signals.flatMap((s) => s.module.categories(s.metrics))), events, signals }
}

/** The writers' input: every kind that ran, with its contribution and metrics. */
export function feedbackSignals (outcome: AnalysisOutcome): SignalFeedback[] {
  return outcome.signals.map((s) => ({ kind: s.kind, contribution: s.module.feedback, metrics: s.metrics }))
}
