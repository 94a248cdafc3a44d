/**
 * The contract every kind of signal implements. A kind (face, voice, pose) is one folder under
 * src/signals/ exporting one SignalModule, registered in registry.ts; the engine, the job, the
 * frames route, the result views, the feedback writers and the CLI iterate over the registered
 * modules and never name a kind. Adding a kind is a new folder plus one registration line.
 *
 * What a module brings, in the order an analysis uses it:
 *   stage       engine work: a per-frame video stage (models in worker threads) or an audio stage
 *   summarize   pure metrics over its frames (video stages; an audio stage returns its own)
 *   events      timeline events from its metrics
 *   curves      optional: measures over time (about one point a second) for the timeline overview
 *   categories  what it adds to the scores (0-100 categories with their interview-score weight)
 *   codec       its per-frame record <-> the compact MongoDB document
 *   view        its section of GET /analysis/:id (field, schema, renderer) and of /frames
 *   feedback    facts, LLM statements, definitions and judged aspects (en/ko) for both writers
 *   reportRows  its lines in the CLI report
 */
import type { TSchema } from 'typebox'
import type { VideoFrame } from '../media/frames.js'
import type { MediaProbe, ToolPaths } from '../media/ffprobe.js'
import type { FeedbackContribution } from '../feedback/contribution.js'
import type { CategoryScore } from './scores.js'
import type { StoredTranscript } from '../transcripts/transcribe.js'
import type { StageTimings } from '../engine/timing.js'

/** A moment a coach would point at; kinds are namespaced by the module that raises them. */
export interface TimelineEvent {
  /** e.g. blink, look_away, face_missing, face_touch, slouch; documented by each module. */
  kind: string
  startMs: number
  endMs: number
  /** The event's measure (each module documents its meaning), or null. */
  value: number | null
  data?: Record<string, number>
  /** The moment that shows the event best (its thumbnail), within start..end; the middle when absent. */
  keyMs?: number
}

/**
 * A measure over time for the timeline overview and charts: about one point a second (`t` the
 * start of the second, ms), `v` within min..max, null where nothing was measured.
 */
export interface TimelineCurve {
  /** e.g. eye_contact, emotion, loudness, posture; documented by each module. */
  name: string
  /** Short English label for a chart. */
  label: string
  /** e.g. '%', 'dBFS', 'deg'; '' for a plain number. */
  unit: string
  min: number
  max: number
  points: Array<{ t: number, v: number | null }>
}

export type { CategoryScore } from './scores.js'

/** What every stage is started with. */
export interface StageSetup {
  modelsDir: string
  /** Emotion model id (engine/emotion/registry.ts); modules that do not need it ignore it. */
  emotionModel: string
}

/** Per-analysis settings a module reads from the engine options (validated by the module). */
export type StageOptions = Readonly<Record<string, number | boolean | undefined>>

/** A running video stage: its worker threads with their models loaded. */
export interface VideoStageRunner<Frame> {
  /** Model files in use, merged into the analysis's model versions. */
  readonly models: Record<string, string>
  /** Before each video: forget tracking state, take this analysis's options. */
  reset (options: StageOptions): Promise<void>
  /**
   * Whether this stage analyses the frame at `timeMs` (its own rate). Called in time order,
   * once per decoded frame, before process().
   */
  wants (timeMs: number): boolean
  /**
   * One frame this stage wants; the frame's pixels are this stage's own (it may transfer them).
   * `upstream` holds the frames produced for the same moment by the stages registered before
   * this one (e.g. pose reads the face stage's speaker).
   */
  process (frame: VideoFrame, upstream: ReadonlyMap<string, unknown>): Promise<Frame>
  /** Time per step in milliseconds since the last reset. */
  timings (): Promise<StageTimings>
  /** After a stopped analysis: let in-flight calls drain, else replace the threads. */
  recover (inFlight: Array<Promise<unknown>>): Promise<void>
  close (): Promise<void>
}

export interface SummaryContext {
  /** The video's analysed length in seconds. */
  durationS: number
  /** Size of the analysed frames (normalised x and y are fractions of these). */
  frameSize: { width: number, height: number }
  /** Frames of the modules registered before this one, by kind (what they kept in memory). */
  frames: ReadonlyMap<string, readonly unknown[]>
  /** Metrics of the modules registered before this one, by kind. */
  metrics: ReadonlyMap<string, unknown>
}

export interface VideoStage<Frame, Metrics> {
  type: 'video'
  start (setup: StageSetup): Promise<VideoStageRunner<Frame>>
  /** Pure: the metrics over this stage's frames, in time order. */
  summarize (frames: readonly Frame[], context: SummaryContext): Metrics
}

export interface AudioStage<Frame, Metrics> {
  type: 'audio'
  /** The audio track, in parallel with the video stages; an aborted signal rejects with its reason. */
  analyze (file: string, probe: MediaProbe, tools: ToolPaths, signal?: AbortSignal): Promise<{ frames: Frame[], metrics: Metrics }>
}

/** Frame records in MongoDB: short keys, `t` in milliseconds (the frame store buckets by it). */
export interface FrameCodec<Frame, Stored extends { t: number } = { t: number } & Record<string, unknown>> {
  encode (frame: Frame): Stored
  decode (stored: Stored): Frame
}

/** Context a view may use besides the module's own stored metrics. */
export interface ViewContext {
  /** The transcript when one was made (voice). */
  transcript: StoredTranscript | null
  /** Why a wanted transcript is missing (the speech-to-text API failed), else null. */
  transcriptError: string | null
  /** The headline scores (some views show them beside their own measures). */
  scores: { interviewScore: number, attentionScore: number | null }
}

export interface SignalView<Frame, Metrics> {
  /** The fields of GET /analysis/:id this module fills (e.g. body_language), with their schemas. */
  fields: Record<string, TSchema>
  /** Those fields from the stored metrics; a field may be left out (e.g. nothing measured). */
  render (metrics: Metrics, context: ViewContext): Record<string, unknown>
  /** What GET /analysis/:id/frames?kind=<kind> says a frame is (Swagger). */
  frameDescription: string
  /** Schema and renderer of one frame in GET /analysis/:id/frames?kind=<kind>. */
  frameSchema: TSchema
  renderFrame (frame: Frame): unknown
}

export interface SignalModule<Frame = any, Metrics = any, Facts = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  kind: string
  /** Bumped whenever a definition or threshold changes, so stored results say how they were computed. */
  version: string
  stage: VideoStage<Frame, Metrics> | AudioStage<Frame, Metrics>
  events (metrics: Metrics): TimelineEvent[]
  /**
   * Pure: its curves for the timeline overview, from its frames as stored (encoded and decoded
   * by its codec) and its metrics; a module without curves leaves it out.
   */
  curves? (frames: readonly Frame[], metrics: Metrics): TimelineCurve[]
  categories (metrics: Metrics): CategoryScore[]
  codec: FrameCodec<Frame, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  view: SignalView<Frame, Metrics>
  feedback: FeedbackContribution<Metrics, Facts>
  reportRows (metrics: Metrics): Array<[string, string]>
}
