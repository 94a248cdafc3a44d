/**
 * The analysis API's request and response schemas (TypeBox): validation, TypeScript types and
 * the OpenAPI document all come from these definitions. Field names are snake_case, as the
 * product's users asked for.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { Nullable, StringEnum } from './common.js'
import { SIGNALS, SIGNAL_KINDS } from '../signals/registry.js'

/** Every registered module's response fields, each optional (absent until the analysis completes). */
function signalFields (): Record<string, TSchema> {
  return Object.fromEntries(SIGNALS.flatMap((m) => Object.entries(m.view.fields).map(([field, schema]) => [field, Type.Optional(schema)])))
}

const Id = Type.String({ format: 'uuid', description: 'Analysis id', examples: ['0b6f6a56-4c39-4c8e-9a51-4e3f3b0a9d2e'] })
const Timestamp = Type.String({ format: 'date-time' })

export const AnalysisIdParams = Type.Object({ id: Id }, { additionalProperties: false })

export const AnalyzeOptions = Type.Object({
  language: Type.Optional(StringEnum(['en', 'ko'], { description: 'Feedback language' })),
  emotion_fps: Type.Optional(Type.Integer({ minimum: 0, maximum: 30, description: 'Emotion estimates per second of video (0 = off)' })),
  fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 120, description: 'Frames analysed per second (default: every frame)' }))
}, { additionalProperties: false })

export const AnalyzeBody = Type.Object({
  s3_bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'Bucket holding the recording' }),
  s3_key: Type.String({ minLength: 1, maxLength: 1024, description: 'Key of the recording (webm, mp4, mov...)' }),
  user_id: Type.String({ minLength: 1, maxLength: 128 }),
  session_id: Type.String({ minLength: 1, maxLength: 128 }),
  options: Type.Optional(AnalyzeOptions)
}, { additionalProperties: false })
export type AnalyzeBody = Static<typeof AnalyzeBody>

export const AnalyzeHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Repeating a request with the same key returns the same analysis' }))
})

export const AnalysisStatus = StringEnum(['queued', 'processing', 'completed', 'failed'])

export const AnalyzeAccepted = Type.Object({
  analysis_id: Id,
  status: AnalysisStatus,
  message: Type.String(),
  estimated_completion: Nullable(Timestamp),
  created: Type.Boolean({ description: 'false when an earlier identical request already started this analysis' })
})

const VideoInfo = Type.Object({
  container: Type.String(),
  duration_s: Type.Number(),
  width: Type.Integer(),
  height: Type.Integer(),
  fps: Type.Number(),
  rotation: Type.Integer(),
  video_codec: Type.String(),
  audio_codec: Nullable(Type.String()),
  has_audio: Type.Boolean()
})

const PresignedUrl = Type.String({ description: 'A presigned S3 URL: no credentials needed until it expires (PRESIGNED_URL_SECONDS, 1 hour by default); the bucket stays private' })

export const PlaybackInfo = Type.Object({
  url: Nullable(PresignedUrl),
  expires_at: Nullable(Timestamp),
  content_type: Nullable(Type.String({ examples: ['video/webm'] })),
  duration_s: Nullable(Type.Number()),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  size_bytes: Nullable(Type.Integer()),
  error: Nullable(Type.String({ description: 'Why no copy could be made (the analysis stands without it)' })),
  alternatives: Type.Array(Type.Object({ url: PresignedUrl, content_type: Type.String() }), { description: 'Further copies in other containers, if any' })
}, { description: 'The browser-ready copy of the recording (VP9 + Opus WebM, upright, timing kept); null when PLAYBACK_COPY is off, and for analyses made before copies existed' })

export const AnalysisResponse = Type.Object({
  analysis_id: Id,
  user_id: Type.String(),
  session_id: Type.String(),
  status: AnalysisStatus,
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  stage: Nullable(Type.String({ description: 'downloading, probing, analysing, transcribing, storing, pictures, feedback, playback, done' })),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  source: Type.Object({ s3_bucket: Type.String(), s3_key: Type.String(), size_bytes: Nullable(Type.Integer()) }),
  video: Nullable(VideoInfo),
  attempts: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
  started_at: Nullable(Timestamp),
  completed_at: Nullable(Timestamp),
  analysed_frames: Nullable(Type.Integer()),
  model_versions: Nullable(Type.Record(Type.String(), Type.String())),
  scores_version: Nullable(Type.String({ description: 'Version of the score definitions (README: Metric definitions)' })),
  // Each kind of signal's sections (emotion_analysis, eye_tracking... voice_analysis, body_language), from its module.
  ...signalFields(),
  category_scores: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 100 }), {
    description: 'Each category 0-100 (eye_contact, expression, composure, presence; body_language when the body was visible); README: Scores'
  })),
  events: Type.Optional(Type.Array(Type.Object({
    kind: Type.String({ description: 'blink, look_away, face_missing; face_touch, slouch, hands_out_of_view, no_gesture (README: Timeline events)' }),
    start_s: Type.Number(),
    end_s: Type.Number(),
    value: Nullable(Type.Number())
  }))),
  playback: Type.Optional(Nullable(PlaybackInfo))
})
export type AnalysisResponse = Static<typeof AnalysisResponse>

const Picture = Type.Object({
  url: PresignedUrl,
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer())
})

export const TimelineResponse = Type.Object({
  analysis_id: Id,
  duration_s: Nullable(Type.Number()),
  urls_expire_at: Timestamp,
  overview: Type.Union([Picture, Type.Null()], { description: 'analyses/{id}/timeline_overview.jpg: a strip of frames over the eye-contact, emotion and loudness curves, with the events marked' }),
  overview_error: Nullable(Type.String()),
  events: Type.Array(Type.Object({
    id: Type.Integer({ description: 'The event\'s number within the analysis (its folder in S3: analyses/{id}/events/{event_id}/)' }),
    kind: Type.String({ description: 'README: Timeline events' }),
    start_s: Type.Number(),
    end_s: Type.Number(),
    value: Nullable(Type.Number()),
    data: Nullable(Type.Record(Type.String(), Type.Number())),
    thumbnail: Nullable(Type.Object({
      url: PresignedUrl,
      at_s: Type.Number({ description: 'The moment the picture shows' }),
      annotated_url: Nullable(PresignedUrl)
    }, { description: 'About 320 px wide JPEG; annotated_url: the same moment with the face box, gaze, head axes and skeleton drawn' })),
    thumbnail_error: Nullable(Type.String({ description: 'Why this event has no picture (kinds without a telling moment, such as single blinks, have none and no error)' }))
  }), { description: 'In time order' }),
  curves: Type.Array(Type.Object({
    name: Type.String({ description: 'eye_contact, emotion, head_movement (face); loudness, speaking_rate (voice); movement, posture (pose): README, Timeline curves' }),
    label: Type.String({ description: 'Short English label' }),
    unit: Type.String({ description: "e.g. '%', 'deg/s', 'syll/s', 'dBFS'; '' for a plain number" }),
    min: Type.Number(),
    max: Type.Number(),
    points: Type.Array(Type.Object({
      t: Type.Number({ description: 'Start of the second (ms)' }),
      v: Nullable(Type.Number({ description: 'Within min..max; null where nothing was measured' }))
    }))
  }), { description: 'Measures over time, about one point a second, from the per-frame signals; a curve with nothing measured is left out' })
})
export type TimelineResponse = Static<typeof TimelineResponse>

export const FramesQuery = Type.Object({
  kind: Type.Optional(StringEnum(SIGNAL_KINDS, { description: SIGNALS.map((m) => m.view.frameDescription).join('; ') + '. Default face.' })),
  from: Type.Optional(Type.Number({ minimum: 0, description: 'From this time (ms), inclusive' })),
  to: Type.Optional(Type.Number({ minimum: 0, description: 'Up to this time (ms), inclusive' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 300 }))
}, { additionalProperties: false })

export const FramesResponse = Type.Object({
  analysis_id: Id,
  kind: StringEnum(SIGNAL_KINDS),
  // Typed loosely here: each module's frame schema documents and serialises its own frames.
  frames: Type.Array(Type.Unsafe<unknown>(Type.Union(SIGNALS.map((m) => m.view.frameSchema)))),
  count: Type.Integer(),
  next_from: Nullable(Type.Number({ description: 'Pass as `from` for the next page; null at the end' }))
})

export const FeedbackQuery = Type.Object({
  language: Type.Optional(StringEnum(['en', 'ko']))
}, { additionalProperties: false })

export const FeedbackResponse = Type.Object({
  analysis_id: Id,
  language: Type.String(),
  source: StringEnum(['llm', 'rules'], { description: 'llm, or the rule-based writer' }),
  model: Nullable(Type.String()),
  prompt_version: Type.String(),
  created_at: Timestamp,
  yaml: Type.String({ description: 'The feedback exactly as stored' }),
  feedback: Type.Unknown({ description: 'The parsed, validated structure (summary, strengths, improvements, scores, visual_notes: a vision model\'s notes on the key frames, or produced: false and the reason)' }),
  fallback_reason: Nullable(Type.String({ description: 'Why rules were used although an LLM is configured' }))
})

export const RecentQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 }))
}, { additionalProperties: false })

export const RecentResponse = Type.Object({
  analyses: Type.Array(Type.Object({
    analysis_id: Id,
    user_id: Type.String(),
    session_id: Type.String(),
    status: AnalysisStatus,
    progress: Type.Integer(),
    created_at: Timestamp,
    completed_at: Nullable(Timestamp),
    duration_s: Nullable(Type.Number())
  }))
})
