/**
 * Colours shared by the annotated frames and the timeline overview, so an event reads the same
 * in both. Chosen to stand out on skin, hair and typical rooms, and apart from each other.
 */

export const COLORS = {
  faceBox: '#00e0ff',
  gaze: '#ffd400',
  /** The eye-contact cone the gaze arrow is judged against. */
  gazeCone: '#ffffff',
  /** Head axes: towards the person's left (image right when frontal), up, and where the face points. */
  headX: '#ff4d4d',
  headY: '#4dff6a',
  headZ: '#4d7cff',
  bone: '#ffffff',
  /** Joints on the person's left and right side (MediaPipe's convention: left orange). */
  jointLeft: '#ff9f1c',
  jointRight: '#c77dff',
  jointFace: '#ffffff',
  halo: '#000000',
  background: '#16181d',
  panel: '#1f232b',
  grid: '#3a404c',
  axis: '#8a93a6'
} as const

/** Event kinds of the registered signals (face, pose, voice); any other kind gets a stable colour from its name. */
export const EVENT_COLORS: Readonly<Record<string, string>> = {
  look_away: '#ffb020',
  blink: '#9aa8ff',
  blink_burst: '#7986cb',
  face_missing: '#ff5252',
  multiple_faces: '#ff7043',
  emotion_shift: '#aed581',
  face_touch: '#ff6ec7',
  slouch: '#b388ff',
  hands_out_of_view: '#4db6ac',
  no_gesture: '#a1887f',
  long_pause: '#90caf9'
}

/** The colour of an event kind: a named one, else a hue from the name (never the face box's cyan). */
export function eventColor (kind: string): string {
  const named = EVENT_COLORS[kind]
  if (named) return named
  let hash = 0
  for (const c of kind) hash = (hash * 31 + c.charCodeAt(0)) >>> 0
  // Hues 200-160 (blue-cyan-green around the box colour) are skipped.
  const hue = (210 + (hash % 310)) % 360
  return hslToHex(hue, 0.75, 0.62)
}

/** Curve colours by the modules' curve names (TimelineCurve.name), so a curve keeps its colour in every picture. */
export const CURVE_COLORS_BY_NAME: Readonly<Record<string, string>> = {
  eye_contact: '#00e0ff',
  emotion: '#ffb020',
  loudness: '#7cff6b',
  movement: '#b388ff'
}

/** Curve colours for other names, by position. */
export const CURVE_COLORS = ['#00e0ff', '#ffb020', '#7cff6b', '#ff6ec7', '#b388ff'] as const

function hslToHex (h: number, s: number, l: number): string {
  const k = (n: number) => (n + h / 30) % 12
  const a = s * Math.min(l, 1 - l)
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)))
  return '#' + [f(0), f(8), f(4)].map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('')
}

/** SVG-safe colour: #rgb or #rrggbb only (caller input goes into markup). */
export function safeColor (color: string | undefined, fallback: string): string {
  return typeof color === 'string' && /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(color) ? color : fallback
}
