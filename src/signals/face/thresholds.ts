/**
 * Every number the face module measures and judges by, in one place: read by the face metrics
 * (metrics/*.ts), the face scores (scores.ts), the rule-based judging (feedback/aspects.ts) and
 * the definitions the LLM is given (feedback/definitions.ts), so none of them can drift apart.
 * Changing a measuring threshold or a score formula's number means bumping METRICS_VERSION or
 * SCORE_VERSION; changing a judging limit means bumping RULES_VERSION and the prompt version.
 */

/*
 * Measuring (metrics/*.ts).
 */

/**
 * Eye contact: the gaze (head pose plus eyes in head) within `maxYaw` degrees sideways and
 * `maxPitch` up or down of the camera, the eyes open (closure under `maxClosure`);
 * `pitchOffset` allows for the landmark geometry reading a frontal face ~6 degrees downward.
 * A look-away lasts at least `minLookAwayMs` outside that cone.
 */
export const GAZE_CONE = { maxYaw: 12, maxPitch: 15, pitchOffset: -6, maxClosure: 0.4, minLookAwayMs: 1000 } as const
/** Gaze stability is 1 - spread / this many degrees (0 at a gaze wandering this far or more). */
export const GAZE_SPREAD_FOR_ZERO_STABILITY_DEG = 30
/** Blink detection on the eye-closure score; closures longer than maxBlinkMs are eyes kept closed. */
export const BLINK_DETECTION = { enter: 0.4, aboveRest: 0.25, hysteresis: 0.1, maxBlinkMs: 800 } as const
/** A second in which the head turned more than this many degrees is a large movement. */
export const LARGE_HEAD_MOVEMENT_DEG = 20
/** Stretches without the face of at least this long are listed as missing. */
export const MIN_MISSING_MS = 500
/** Other faces in view for at least this long are listed (the timeline's multiple_faces). */
export const MIN_MULTIPLE_FACES_MS = 1000
/** Emotion probabilities are smoothed over about this long, and summarised per bucket. */
export const EMOTION_SMOOTHING_MS = 1000
export const EMOTION_BUCKET_MS = 5000
/**
 * An emotion shift (metrics/emotion.ts): an emotion held (smoothed probability at or above
 * `minProbability`) for `minHeldMs`, then another one above `minProbability` for `minNewMs`;
 * emotion samples further apart than `maxSampleGapMs` (the face gone) end a stretch. Its key
 * moment is the first sample within `peakTolerance` of the new emotion's highest probability
 * (the smoothed value creeps towards 1 for as long as the expression lasts).
 */
export const EMOTION_SHIFT = { minProbability: 0.5, minHeldMs: 2000, minNewMs: 1000, maxSampleGapMs: 1000, peakTolerance: 0.05 } as const

/*
 * Timeline only (metrics/events.ts): what makes a moment worth pointing at.
 */

/**
 * A blink burst: at least `minBlinks` blinks starting within `withinMs` (4 in 5 s is ~48 a
 * minute, about three times a relaxed conversational rate), overlapping windows joined.
 */
export const BLINK_BURST = { minBlinks: 4, withinMs: 5000 } as const
/** A face missing for longer than twice this shows its key frame this far in (the cause: turned away, covered, leaving). */
export const FACE_MISSING_KEY_MS = 1000

/*
 * Reference ranges (scores and judging).
 */

/** Blinks per minute considered normal in conversation (composure score and blink judging). */
export const NORMAL_BLINK_RATE = { min: 8, max: 30 } as const
/** Below this much face time a blink rate is too uncertain to judge. */
export const MIN_SECONDS_FOR_BLINK_RATE = 15
/** Mean head speed (degrees per second) up to which the head counts as calm (score and judging). */
export const CALM_HEAD_DEG_PER_SECOND = 15

/*
 * Scores (scores.ts): each category's weight in the interview score and its formula's numbers.
 */
export const CATEGORY_WEIGHTS = { eye_contact: 0.35, expression: 0.3, composure: 0.2, presence: 0.15 } as const
export const SCORE_FORMULA = {
  /** Attention: minus this much per look-away per minute, at most `maxLookAwayPenalty`. */
  lookAwayPenalty: 5,
  maxLookAwayPenalty: 30,
  /** Expression: weights of the positive and negative emotions. */
  neutralWeight: 0.8,
  surpriseWeight: 0.5,
  negativeWeight: 0.5,
  /** Expression without any emotion estimate (no face seen). */
  expressionWithoutFace: 50,
  /** Composure: minus 1 per degree/s of head speed above CALM_HEAD_DEG_PER_SECOND, at most this. */
  maxHeadPenalty: 30,
  /** Composure: minus this much per blink per minute outside NORMAL_BLINK_RATE, at most `maxBlinkPenalty`. */
  blinkPenalty: 2,
  maxBlinkPenalty: 20,
  /** Presence: minus this much x the share of time with other faces. */
  otherFacesPenalty: 50
} as const

/*
 * Judging (feedback/aspects.ts): strength at `good`, improvement under `poor` (or over, for
 * the limits where less is better).
 */
export const JUDGING = {
  eyeContactPercent: { good: 70, poor: 50 },
  lookAways: { maxPerMinute: 2, maxShareOfFaceTime: 0.1 },
  gazeStability: { good: 0.8, poor: 0.5 },
  blinksPerMinute: NORMAL_BLINK_RATE,
  headDegPerSecond: { calm: CALM_HEAD_DEG_PER_SECOND, restless: 25 },
  largeMovementsPerMinute: { calm: 6, restless: 12 },
  expression: { positiveShare: 0.6, negativeShare: 0.35, negativePartShare: 0.5 },
  faceVisiblePercent: { good: 95, poor: 85 },
  otherFacesPercent: { good: 5, poor: 10 }
} as const
