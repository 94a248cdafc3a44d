/**
 * An event's key frame with what was measured drawn on it, for a coach to show the person: the
 * face box, where the eyes point (an arrow from between the eyes, with the eye-contact cone it
 * is judged against), the head's axes, and the body's skeleton. Shapes and colours only, no
 * text (a server may have no fonts); the colours are explained in the README.
 *
 * Every position comes in fractions of the analysed frame (FaceSignals.box, PoseSignals
 * landmarks): the same fractions of the grabbed picture, which grabFrames decodes in the same
 * orientation, whatever its size. Drawn as SVG and composited by sharp (librsvg).
 */
import { GAZE_CONE } from '../signals/face/thresholds.js'
import { POSE_LANDMARKS, POSE_LANDMARK_COUNT } from '../signals/pose/types.js'
import { checkRawImage, evenSide, fromRaw, JPEG_OPTIONS, type RawImage } from './raw-image.js'
import { COLORS, eventColor } from './palette.js'

export interface FaceAnnotation {
  /** x, y, width, height as fractions of the frame (FaceSignals.box). */
  box: readonly [number, number, number, number] | readonly number[]
  /** Degrees, FaceSignals.pose's signs (yaw > 0 towards image right, pitch > 0 up, roll > 0 clockwise). */
  pose?: { yaw: number, pitch: number, roll: number }
  /** Degrees, FaceSignals.gaze's signs. */
  gaze?: { yaw: number, pitch: number }
  /** Eye closure 0..1 (FaceSignals.blink): with the eyes closed there is no gaze to draw. */
  blink?: number
}

export interface PoseAnnotation {
  /** 33 x (x, y, z, visibility), x and y as fractions of the frame (PoseSignals.landmarks). */
  landmarks: ArrayLike<number>
}

/**
 * What to draw. `face` and `pose` take the signals themselves (FaceSignals, PoseSignals) or
 * the stored frames that hold them (FaceFrame, PoseFrame, as a frame store decodes them); a
 * frame without a face or body draws nothing for it. Other keys are ignored.
 */
export interface FrameAnnotations {
  face?: FaceAnnotation | { face: FaceAnnotation | null } | null
  pose?: PoseAnnotation | { pose: PoseAnnotation | null } | null
  /** The event this frame illustrates: a border in its colour (palette.ts EVENT_COLORS). */
  eventKind?: string
}

export interface AnnotateOptions {
  /**
   * The analysed frame's size (SummaryContext.frameSize, AnalysisResult.sampling): checked
   * against the picture's aspect, so a picture that is not the analysed one (rotated, cropped)
   * is refused rather than drawn on wrongly. (Positions are fractions of the frame, so the
   * size itself does not move them.)
   */
  analysedSize?: { width: number, height: number }
  /** The event this frame illustrates (or annotations.eventKind). */
  eventKind?: string
  /** Output width in pixels (default 640); the height keeps the aspect. */
  width?: number
  /** Landmarks below this visibility are not drawn (default 0.5). */
  minVisibility?: number
}

/** MediaPipe's POSE_CONNECTIONS. */
export const POSE_CONNECTIONS: ReadonlyArray<readonly [number, number]> = [
  [0, 1], [1, 2], [2, 3], [3, 7], [0, 4], [4, 5], [5, 6], [6, 8], [9, 10],
  [11, 12], [11, 13], [13, 15], [15, 17], [15, 19], [15, 21], [17, 19],
  [12, 14], [14, 16], [16, 18], [16, 20], [16, 22], [18, 20],
  [11, 23], [12, 24], [23, 24], [23, 25], [24, 26], [25, 27], [26, 28],
  [27, 29], [28, 30], [29, 31], [30, 32], [27, 31], [28, 32]
]

/** Landmarks 0-10 are the face's (nose, eyes, ears, mouth). */
const LAST_FACE_POINT = 10

/** Where the point between the eyes sits in the mesh's face box, frontal (measured against YuNet's eye points on the fixtures: 0.29-0.34 down). */
const EYES_DOWN = 0.31
/** How far the eyes' midpoint moves sideways in the box per sin(yaw) (fixtures: 0.36-0.56). */
const EYES_SIDEWAYS = 0.45
/** Gaze arrow length and head axis length, in face box widths. */
const GAZE_LENGTH = 1.6
const AXIS_LENGTH = 0.45

export async function annotatedJpeg (image: RawImage, annotations: FrameAnnotations, options: AnnotateOptions = {}): Promise<Buffer> {
  checkRawImage(image, 'annotated frame')
  if (!annotations || typeof annotations !== 'object') throw new TypeError('annotations must be an object')
  const width = options.width ?? 640
  if (!(Number.isInteger(width) && width >= 64 && width <= 4096)) throw new RangeError(`annotated width must be a whole number of pixels from 64 to 4096, got ${width}`)
  if (options.analysedSize) checkSameAspect(image, options.analysedSize)
  const height = evenSide(image.height * width / image.width)
  const eventKind = options.eventKind ?? annotations.eventKind
  const svg = annotationSvg({ ...annotations, ...(eventKind !== undefined ? { eventKind } : {}) }, width, height, options.minVisibility ?? 0.5)
  return fromRaw(image)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg(JPEG_OPTIONS)
    .toBuffer()
}

function checkSameAspect (image: RawImage, frame: { width: number, height: number }): void {
  if (!(frame.width > 0 && frame.height > 0)) throw new RangeError(`analysedSize must be positive, got ${frame.width}x${frame.height}`)
  const mine = image.width / image.height
  const analysed = frame.width / frame.height
  // Even-sided rounding changes the aspect by a pixel at most; a rotation or crop by far more.
  if (Math.abs(mine - analysed) / analysed > 0.03) {
    throw new RangeError(`the picture (${image.width}x${image.height}) is not the analysed frame (${frame.width}x${frame.height}): its aspect differs`)
  }
}

type Point = readonly [number, number]

/** The SVG overlay for a `width` x `height` picture (exported for tests). */
export function annotationSvg (annotations: FrameAnnotations, width: number, height: number, minVisibility = 0.5): string {
  const s = width / 640 // stroke scale
  const parts: string[] = []
  const faceSignals = unwrap<FaceAnnotation>(annotations.face, 'face')
  const poseSignals = unwrap<PoseAnnotation>(annotations.pose, 'pose')
  // The face's own annotations are more precise than the body model's face points: those are
  // left out when the face is drawn.
  if (poseSignals) parts.push(skeleton(poseSignals, width, height, minVisibility, s, !faceSignals))
  if (faceSignals) parts.push(face(faceSignals, width, height, s))
  if (annotations.eventKind !== undefined) {
    if (typeof annotations.eventKind !== 'string') throw new TypeError('eventKind must be a string')
    const b = 6 * s
    parts.push(`<rect x="${f(b / 2)}" y="${f(b / 2)}" width="${f(width - b)}" height="${f(height - b)}" fill="none" stroke="${eventColor(annotations.eventKind)}" stroke-width="${f(b)}"/>`)
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`
}

/** The signals from a stored frame ({ t, face } or { t, pose }) or the signals as they are. */
function unwrap<T> (value: unknown, key: 'face' | 'pose'): T | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'object') throw new TypeError(`${key} annotation must be an object, got ${typeof value}`)
  return (key in value ? (value as Record<string, unknown>)[key] ?? null : value) as T | null
}

/** A line with a dark halo under it, so it reads on light and dark backgrounds alike. */
function line (a: Point, b: Point, color: string, strokeWidth: number, opacity = 1): string {
  const coords = `x1="${f(a[0])}" y1="${f(a[1])}" x2="${f(b[0])}" y2="${f(b[1])}"`
  return `<line ${coords} stroke="${COLORS.halo}" stroke-opacity="${f(0.45 * opacity)}" stroke-width="${f(strokeWidth + 2.5)}" stroke-linecap="round"/>` +
    `<line ${coords} stroke="${color}" stroke-opacity="${f(opacity)}" stroke-width="${f(strokeWidth)}" stroke-linecap="round"/>`
}

function dot (p: Point, r: number, color: string): string {
  return `<circle cx="${f(p[0])}" cy="${f(p[1])}" r="${f(r)}" fill="${color}" stroke="${COLORS.halo}" stroke-opacity="0.5" stroke-width="1.2"/>`
}

function arrow (from: Point, to: Point, color: string, strokeWidth: number, head: number): string {
  const dx = to[0] - from[0]
  const dy = to[1] - from[1]
  const length = Math.hypot(dx, dy)
  if (length < head * 1.2) return dot(to, strokeWidth * 1.6, color)
  const ux = dx / length
  const uy = dy / length
  const base: Point = [to[0] - ux * head, to[1] - uy * head]
  const left: Point = [base[0] - uy * head * 0.55, base[1] + ux * head * 0.55]
  const right: Point = [base[0] + uy * head * 0.55, base[1] - ux * head * 0.55]
  const tip = `M${f(to[0])},${f(to[1])} L${f(left[0])},${f(left[1])} L${f(right[0])},${f(right[1])} Z`
  return line(from, base, color, strokeWidth) +
    `<path d="${tip}" fill="${color}" stroke="${COLORS.halo}" stroke-opacity="0.45" stroke-width="1.2" stroke-linejoin="round"/>`
}

function face (annotation: FaceAnnotation, width: number, height: number, s: number): string {
  const box = annotation.box
  if (!Array.isArray(box) || box.length !== 4 || !box.every(Number.isFinite) || !(box[2]! > 0 && box[3]! > 0)) {
    throw new RangeError(`face box must be [x, y, width, height] in fractions of the frame, got ${JSON.stringify(box)}`)
  }
  const [x, y, w, h] = [box[0]! * width, box[1]! * height, box[2]! * width, box[3]! * height]
  const radius = Math.min(w, h) * 0.08
  const rect = `x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" rx="${f(radius)}"`
  const parts = [
    `<rect ${rect} fill="none" stroke="${COLORS.halo}" stroke-opacity="0.45" stroke-width="${f(3 * s + 2.5)}"/>`,
    `<rect ${rect} fill="none" stroke="${COLORS.faceBox}" stroke-width="${f(3 * s)}"/>`
  ]
  const centre: Point = [x + w / 2, y + h / 2]
  const pose = annotation.pose
  if (pose) {
    checkAngles(pose, ['yaw', 'pitch', 'roll'], 'head pose')
    const axes = headAxes(pose.yaw, pose.pitch, pose.roll)
    const length = AXIS_LENGTH * w
    const end = (v: readonly number[]): Point => [centre[0] + v[0]! * length, centre[1] + v[1]! * length]
    // Forward first: it points at the viewer and is the shortest, the others drawn over it.
    parts.push(line(centre, end(axes.forward), COLORS.headZ, 2.5 * s, 0.95))
    parts.push(line(centre, end(axes.x), COLORS.headX, 2.5 * s, 0.95))
    parts.push(line(centre, end(axes.up), COLORS.headY, 2.5 * s, 0.95))
  }
  const gaze = annotation.gaze
  // Closed eyes look nowhere: the eye-contact metric skips those frames, and so does the arrow.
  const eyesClosed = typeof annotation.blink === 'number' && annotation.blink >= GAZE_CONE.maxClosure
  if (gaze && !eyesClosed) {
    checkAngles(gaze, ['yaw', 'pitch'], 'gaze')
    const eyes = eyesPoint([x, y, w, h], pose ?? { yaw: 0, pitch: 0, roll: 0 })
    const length = GAZE_LENGTH * w
    // The cone the eye-contact metric accepts (pitch read relative to its frontal offset): an
    // arrow ending inside it is a look at the camera.
    const rx = length * Math.sin(GAZE_CONE.maxYaw * Math.PI / 180)
    const ry = length * Math.sin(GAZE_CONE.maxPitch * Math.PI / 180)
    parts.push(`<ellipse cx="${f(eyes[0])}" cy="${f(eyes[1])}" rx="${f(rx)}" ry="${f(ry)}" fill="none" stroke="${COLORS.gazeCone}" stroke-opacity="0.6" stroke-width="${f(1.5 * s)}" stroke-dasharray="${f(5 * s)} ${f(4 * s)}"/>`)
    const yaw = gaze.yaw * Math.PI / 180
    const pitch = (gaze.pitch - GAZE_CONE.pitchOffset) * Math.PI / 180
    const tip: Point = [eyes[0] + length * Math.sin(yaw) * Math.cos(pitch), eyes[1] - length * Math.sin(pitch)]
    parts.push(arrow(eyes, tip, COLORS.gaze, 3.5 * s, 12 * s))
    parts.push(dot(eyes, 3 * s, COLORS.gaze))
  }
  return parts.join('')
}

function checkAngles (angles: object, names: string[], what: string): void {
  for (const name of names) {
    const value = (angles as Record<string, unknown>)[name]
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${what} ${name} must be a number of degrees, got ${String(value)}`)
  }
}

/**
 * The point between the eyes, estimated from the mesh's face box and the head pose (the stored
 * signals keep no eye positions): near the top third of the box, moved sideways as the face
 * turns, and turned with the head's roll about the box centre.
 */
export function eyesPoint (box: readonly [number, number, number, number], pose: { yaw: number, pitch: number, roll: number }): Point {
  const [x, y, w, h] = box
  const dx = EYES_SIDEWAYS * Math.sin(pose.yaw * Math.PI / 180) * w
  const dy = (EYES_DOWN - 0.5) * h
  const roll = pose.roll * Math.PI / 180
  return [x + w / 2 + dx * Math.cos(roll) - dy * Math.sin(roll), y + h / 2 + dx * Math.sin(roll) + dy * Math.cos(roll)]
}

/**
 * The head's axes in image coordinates (x right, y down; z away from the camera), as
 * geometry.ts reads them: forward (where the face points) from yaw and pitch, and the ear-to-ear
 * axis perpendicular to it at the roll angle on screen.
 */
export function headAxes (yawDeg: number, pitchDeg: number, rollDeg: number): { x: number[], up: number[], forward: number[] } {
  const rad = Math.PI / 180
  const [yaw, pitch, roll] = [yawDeg * rad, pitchDeg * rad, rollDeg * rad]
  const forward = [Math.sin(yaw) * Math.cos(pitch), -Math.sin(pitch), -Math.cos(yaw) * Math.cos(pitch)]
  const fz = Math.abs(forward[2]!) < 1e-6 ? -1e-6 : forward[2]!
  const raw = [Math.cos(roll), Math.sin(roll), -(forward[0]! * Math.cos(roll) + forward[1]! * Math.sin(roll)) / fz]
  const norm = Math.hypot(raw[0]!, raw[1]!, raw[2]!)
  const x = raw.map((v) => v / norm)
  // z = -forward; y = z x x (geometry.ts: z = x x y); up = -y = forward x x.
  const up = [
    forward[1]! * x[2]! - forward[2]! * x[1]!,
    forward[2]! * x[0]! - forward[0]! * x[2]!,
    forward[0]! * x[1]! - forward[1]! * x[0]!
  ]
  return { x, up, forward }
}

function skeleton (pose: PoseAnnotation, width: number, height: number, minVisibility: number, s: number, withFace: boolean): string {
  const values = pose.landmarks
  if (!values || typeof values.length !== 'number' || values.length < POSE_LANDMARK_COUNT * 4) {
    throw new RangeError(`pose landmarks must be ${POSE_LANDMARK_COUNT} x (x, y, z, visibility), got ${values?.length ?? 'none'} numbers`)
  }
  const point = (i: number): Point | null => {
    const [px, py, visibility] = [values[i * 4]!, values[i * 4 + 1]!, values[i * 4 + 3]!]
    if (!Number.isFinite(px) || !Number.isFinite(py) || !(visibility >= minVisibility)) return null
    return [px * width, py * height]
  }
  const points = Array.from({ length: POSE_LANDMARK_COUNT }, (_, i) => (i <= LAST_FACE_POINT && !withFace ? null : point(i)))
  const parts: string[] = []
  for (const [a, b] of POSE_CONNECTIONS) {
    const [pa, pb] = [points[a], points[b]]
    if (pa && pb) parts.push(line(pa, pb, COLORS.bone, (a <= LAST_FACE_POINT ? 1.5 : 3) * s, a <= LAST_FACE_POINT ? 0.7 : 0.9))
  }
  points.forEach((p, i) => {
    if (!p) return
    const name = POSE_LANDMARKS[i]!
    const color = i <= LAST_FACE_POINT ? COLORS.jointFace : name.startsWith('left_') ? COLORS.jointLeft : COLORS.jointRight
    parts.push(dot(p, (i <= LAST_FACE_POINT ? 2.2 : 4) * s, color))
  })
  return parts.join('')
}

/** Coordinates in SVG: two decimals are sub-pixel. */
function f (n: number): string {
  return String(Math.round(n * 100) / 100)
}
