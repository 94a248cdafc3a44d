/**
 * Every threshold of the pose metrics in one place: read by the metrics, the events, the body-
 * language score, the rule-based writer and the definitions the LLM is given. Change a value
 * here and bump POSE_METRICS_VERSION (metrics/index.ts), so stored results say how they were
 * computed.
 *
 * Units. Image distances are measured on the analysed frame with x scaled by its aspect ratio
 * (so x and y are both fractions of the frame's height), then divided by the person's torso
 * length ("torsos": shoulder midpoint to hip midpoint, the median over the recording) so they do
 * not depend on how far the person sits from the camera. Angles are degrees. World geometry
 * (depth) uses the model's world landmarks, in metres. These are guidance figures from posture
 * and presentation coaching, not norms measured on interviews.
 */
export const POSE_THRESHOLDS = {
  visibility: {
    /** A landmark counts as seen when its visibility is at least this and it lies inside the frame. */
    landmark: 0.5,
    /** A frame has a body when the model's presence is at least this. */
    presence: 0.5,
    /** A framing level (upper body, full) is the recording's when it is reached in at least this share of frames. */
    minShare: 0.5,
    /** A measure over less seen time than this is null (not measured). */
    minMeasuredMs: 2000
  },
  torso: {
    /**
     * Shoulder width (between the shoulder joints) over torso length, for a typical adult: the
     * torso length is estimated as shoulder width / this when the hips are never seen.
     */
    shoulderWidthPerTorso: 0.75,
    /** The waist lies this many torsos below the shoulder midpoint (hands above it can gesture). */
    waistTorsos: 0.8
  },
  posture: {
    /** Shoulders tilted: the shoulder line more than this from horizontal. */
    shoulderTiltDeg: 6,
    /**
     * Slouching: the head bent forward of the torso's line by more than this (the angle at the
     * shoulders between the hip-shoulder and shoulder-ear lines, seen from the side).
     */
    slouchBendDeg: 20,
    /** A slouch on the timeline lasts at least this long. */
    minSlouchMs: 3000,
    /** Head forward: the ear-shoulder line tilted forward of vertical by more than this (side view). */
    headForwardDeg: 20,
    /** Leaning to one side: the hip-shoulder line more than this from vertical (front view). */
    sideLeanDeg: 8,
    /** Turned away: the shoulder line rotated more than this out of the image plane. */
    facingYawDeg: 25,
    /** Shares of the measured time behind the judgements (posture aspect). */
    goodShare: 0.1,
    poorShare: 0.3
  },
  movement: {
    /** Sway is measured around the moving average over this span (slower drifts are travel). */
    swayWindowMs: 3000,
    /** Sway (torsos, root mean square of the shoulder midpoint's x around that average). */
    swayTorsos: { calm: 0.05, restless: 0.12 },
    /** Travel is measured on the shoulder midpoint smoothed over this span. */
    smoothingMs: 1000,
    /** Pacing: the smoothed midpoint ranges over at least this (5th-95th percentile) ... */
    pacingRangeTorsos: 1,
    /** ... and travels at least this much per minute. */
    pacingTravelTorsosPerMinute: 2
  },
  hands: {
    /** Hand positions are averaged over this span either side of a frame (landmark jitter). */
    smoothingMs: 100,
    /** Frames further apart than this do not give a hand speed. */
    maxStepMs: 300,
    /** A gesture: a hand above the waist moving at least this fast (torsos per second) ... */
    gestureSpeed: 0.6,
    /** ... for at least this long ... */
    minGestureMs: 200,
    /**
     * ... covering at least this distance (torsos). Pauses up to mergeGestureMs join its parts, so
     * the turn at the end of a stroke does not start a new gesture.
     */
    minGestureAmplitude: 0.2,
    mergeGestureMs: 300,
    /** An open gesture takes the wrist this many shoulder widths or more from the body's midline. */
    openShoulderWidths: 0.75,
    /**
     * Gestures per minute of hand-visible time: min-max is the range an engaged speaker is in;
     * under poorBelow (with little gesturing time) or over poorAbove is an improvement point.
     */
    gesturesPerMinute: { min: 4, max: 20, poorBelow: 2, poorAbove: 30 },
    /**
     * Fidgeting: small fast repeated motion, as turns of a hand's path. A swing is a movement
     * between two turns of minSwing-maxSwing torsos (smaller is jitter, larger a gesture); a
     * fidget is at least minSwings swings each within maxSwingGapMs of the last.
     */
    fidget: { minSwing: 0.05, maxSwing: 0.15, maxSwingGapMs: 700, minSwings: 4 },
    /** Share of hand-visible time spent fidgeting behind the judgements. */
    fidgetShare: { good: 0.05, poor: 0.15 },
    /**
     * Touching the face: a hand point (wrist, index, pinky, thumb) within radiusFaceWidths face
     * widths of the nose, a mouth corner, an eye or an ear for at least minMs; face width = the
     * larger of the ear-to-ear distance and 1.5 x the distance between the eyes' outer corners.
     * A hand point counts with a visibility of minHandVisibility or more (inside the frame): a
     * hand over the face is an unusual view for the model, which then rates its hand points at
     * only 0.1-0.7. Points more than maxBelowMouthFaceWidths below the mouth do not count: with
     * the hands below a close-up framing the model parks their points at the frame's bottom edge,
     * under the chin (seen on a GRID clip at 0.54-0.8 face widths from the mouth). The hand
     * leaving the face for up to bridgeMs (a hand shifting over the face, or its points dropping
     * under minHandVisibility for a moment: 0.7 s in sad_to_happy_pexels.mp4) is the same touch.
     */
    faceTouch: { radiusFaceWidths: 0.5, minMs: 500, minHandVisibility: 0.2, maxBelowMouthFaceWidths: 0.4, bridgeMs: 1000 },
    /** More face touches than this per minute is an improvement point. */
    maxFaceTouchesPerMinute: 1,
    /**
     * Arms crossed: each wrist beyond the midline on the other side by at least marginShoulderWidths
     * shoulder widths, both between chestFromTorsos and chestToTorsos below the shoulder midpoint,
     * for at least minMs.
     */
    armsCrossed: { marginShoulderWidths: 0.15, chestFromTorsos: -0.1, chestToTorsos: 0.9, minMs: 1000 },
    /** Share of the body-visible time with arms crossed behind the judgements. */
    armsCrossedShare: { poor: 0.2 },
    /** Hands out of view on the timeline: both hands unseen, the body seen, for at least this long. */
    outOfViewMs: 5000,
    /** No gesture on the timeline: this much speaking time with a hand in view but no gesture. */
    noGestureSpeakingMs: 30_000,
    /** Hands seen for less than this share of the recording: gestures are not judged. */
    minVisibleShare: 0.2
  },
  /** Runs of frames (slouch, face touch, hands out of view) bridge gaps up to this long. */
  bridgeMs: 300
} as const

export type PoseThresholds = typeof POSE_THRESHOLDS
