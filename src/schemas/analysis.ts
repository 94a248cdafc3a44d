/**
 * The analysis API's request and response schemas (TypeBox): validation, TypeScript types and
 * the OpenAPI document all come from these definitions. Field names are snake_case, as the
 * product's users asked for.
 */
import { Type, type Static } from 'typebox'

const Id = Type.String({ format: 'uuid', description: 'Analysis id', examples: ['0b6f6a56-4c39-4c8e-9a51-4e3f3b0a9d2e'] })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

/** A string from a fixed list, as one `enum` (so a wrong value gets one clear message). */
function StringEnum<const T extends readonly string[]> (values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

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

const Probabilities = Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }))

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

export const AnalysisResponse = Type.Object({
  analysis_id: Id,
  user_id: Type.String(),
  session_id: Type.String(),
  status: AnalysisStatus,
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  stage: Nullable(Type.String({ description: 'downloading, probing, analysing, storing, feedback, done' })),
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
  emotion_analysis: Type.Optional(Type.Object({
    interview_score: Type.Number({ minimum: 0, maximum: 60 }),
    dominant_emotion: Nullable(Type.String()),
    emotions: Probabilities,
    timeline: Type.Array(Type.Object({ start_s: Type.Number(), end_s: Type.Number(), dominant: Type.String(), emotions: Probabilities }))
  })),
  eye_tracking: Type.Optional(Type.Object({
    attention_score: Type.Number({ minimum: 0, maximum: 100 }),
    eye_contact_ratio: Type.Number({ minimum: 0, maximum: 1 }),
    gaze_stability: Type.Number({ minimum: 0, maximum: 1 }),
    blink_frequency: Type.Number({ description: 'Blinks per minute of face time' }),
    blink_count: Type.Integer(),
    look_aways: Type.Integer({ description: 'Look-aways of 1 s or more' })
  })),
  head_movement: Type.Optional(Type.Object({
    mean_speed_deg_per_s: Type.Number(),
    yaw_std_deg: Type.Number(),
    pitch_std_deg: Type.Number(),
    roll_std_deg: Type.Number(),
    large_movements_per_min: Type.Number()
  })),
  presence: Type.Optional(Type.Object({
    face_missing_percent: Type.Number({ minimum: 0, maximum: 100 }),
    other_faces_percent: Type.Number({ minimum: 0, maximum: 100 })
  })),
  voice_analysis: Type.Optional(Type.Object({
    has_audio: Type.Boolean(),
    note: Nullable(Type.String({ description: 'Why voice was not analysed (e.g. no audio track)' })),
    speaking_ratio: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'Share of the recording with speech' })),
    syllables: Nullable(Type.Integer()),
    syllables_per_minute: Nullable(Type.Number({ description: 'Over speaking time (articulation rate)' })),
    syllables_per_minute_total: Nullable(Type.Number({ description: 'Over the whole recording' })),
    pauses: Nullable(Type.Object({ count: Type.Integer(), mean_s: Type.Number(), longest_s: Type.Number() })),
    loudness: Nullable(Type.Object({ mean_db: Type.Number(), variation_db: Type.Number() })),
    pitch: Nullable(Type.Object({
      median_hz: Nullable(Type.Number()),
      range_semitones: Nullable(Type.Number()),
      variability_semitones: Nullable(Type.Number({ description: 'Low means monotone' }))
    })),
    transcript: Nullable(Type.Object({
      language: Nullable(Type.String()),
      words: Type.Integer(),
      words_per_minute: Nullable(Type.Number()),
      filler_count: Type.Integer(),
      fillers_per_minute: Type.Number(),
      text: Type.String()
    }, { description: 'Only when a speech-to-text API is configured' }))
  })),
  category_scores: Type.Optional(Type.Object({
    eye_contact: Type.Number(), expression: Type.Number(), composure: Type.Number(), presence: Type.Number()
  })),
  events: Type.Optional(Type.Array(Type.Object({
    kind: Type.String({ description: 'blink, look_away, face_missing' }),
    start_s: Type.Number(),
    end_s: Type.Number(),
    value: Nullable(Type.Number())
  })))
})
export type AnalysisResponse = Static<typeof AnalysisResponse>

export const FramesQuery = Type.Object({
  kind: Type.Optional(StringEnum(['face', 'voice'], { description: 'face: every analysed frame; voice: one per second' })),
  from: Type.Optional(Type.Number({ minimum: 0, description: 'From this time (ms), inclusive' })),
  to: Type.Optional(Type.Number({ minimum: 0, description: 'Up to this time (ms), inclusive' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 300 }))
}, { additionalProperties: false })

const FaceSignalsSchema = Type.Object({
  box: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'x, y, width, height in 0..1 of the frame' }),
  pose: Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() }),
  gaze: Type.Object({ yaw: Type.Number(), pitch: Type.Number() }),
  eye_opening: Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }),
  blink: Type.Number(),
  blendshapes: Type.Record(Type.String(), Type.Number())
})

const VoiceFrameSchema = Type.Object({
  t_ms: Type.Number({ description: 'Start of the second' }),
  speech: Type.Number({ minimum: 0, maximum: 1, description: 'Share of the second with speech' }),
  loudness_db: Nullable(Type.Number()),
  pitch_hz: Nullable(Type.Number()),
  syllables: Type.Integer()
})

export const FramesResponse = Type.Object({
  analysis_id: Id,
  kind: StringEnum(['face', 'voice']),
  frames: Type.Array(Type.Union([Type.Object({
    t_ms: Type.Number(),
    face: Nullable(FaceSignalsSchema),
    other_faces: Type.Integer(),
    emotion: Type.Optional(Probabilities)
  }), VoiceFrameSchema])),
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
  feedback: Type.Unknown({ description: 'The parsed, validated structure (summary, strengths, improvements, scores)' }),
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
