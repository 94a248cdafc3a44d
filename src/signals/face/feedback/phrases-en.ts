/** The face's sentences in English (the shape is phrases.ts). */
import { labels } from '../../../feedback/aspect.js'
import { GAZE_CONE, JUDGING as J, LARGE_HEAD_MOVEMENT_DEG, NORMAL_BLINK_RATE } from '../thresholds.js'
import { percent as pct } from './facts.js'
import type { FacePhrases } from './phrases.js'

const LOOK_AWAY_S = GAZE_CONE.minLookAwayMs / 1000
const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`

export const EN: FacePhrases = {
  emotion: { anger: 'anger', contempt: 'contempt', disgust: 'disgust', fear: 'fear', happiness: 'happiness', neutral: 'neutral', sadness: 'sadness', surprise: 'surprise' },
  direction: { left: 'to your left', right: 'to your right', up: 'upwards', down: 'downwards' },
  category: { eye_contact: 'eye contact', expression: 'expression', composure: 'composure', presence: 'presence' },
  summary: {
    measures: (f) => `You kept eye contact ${f.eyeContact.percent}% of the time, ` +
      (f.lookAways.count ? `looked away ${times(f.lookAways.count)} for ${LOOK_AWAY_S} second or more` : `never looked away for ${LOOK_AWAY_S} second or more`) +
      ` and blinked ${times(f.blinks.count)} (${f.blinks.ratePerMinute} per minute).`,
    noFace: 'Your face was not found in the video, so of the camera measurements only presence could be taken.',
    notAnalysed: 'Your face was not analysed for this recording.',
  },
  eyeContact: {
    good: 'Steady eye contact',
    poor: 'Look at the camera more',
    evidence: (f) => `You looked into the camera ${f.eyeContact.percent}% of the time your face was in view with your eyes open.`,
    suggestion: `Put the camera at eye level with a small sticker next to the lens, and look at it whenever you start an answer and when you make your main point; aim for ${J.eyeContactPercent.good}% or more.`
  },
  lookAways: {
    good: 'Attention stays on the camera',
    poor: 'Fewer glances away',
    none: (f) => `You never looked away from the camera for ${LOOK_AWAY_S} second or more during the ${f.duration} recording.`,
    evidence: (f, shown, direction) => `You looked away from the camera ${times(f.lookAways.count)} for ${LOOK_AWAY_S} second or more (${shown.map((r) => r.label).join(', ')}` +
      `${shown.length < f.lookAways.count ? `, the longest ${shown.length}` : ''}), ${f.lookAways.totalSeconds} s in total${direction ? `, mostly ${EN.direction[direction]}` : ''}.`,
    suggestion: (first) => 'When you need a moment to think, pause with your eyes on the lens, or glance down briefly and come straight back' +
      (first ? `; replay ${first} to see what drew your eyes away.` : '.')
  },
  gaze: {
    good: 'Calm, focused gaze',
    poor: 'Keep your gaze steady',
    evidence: (f) => `Your gaze stability was ${f.eyeContact.gazeStability} on a scale where 1 is perfectly steady (your gaze moved over about ${f.eyeContact.gazeSpreadDeg} degrees).`,
    suggestion: 'Keep notes out of view and sit square to the camera, so your eyes have one place to come back to between thoughts.'
  },
  blinks: {
    good: 'Natural blinking',
    poorHigh: 'Calmer blinking',
    poorLow: 'Blink naturally',
    poor: 'Relaxed blinking',
    evidence: (f, where) => `You blinked ${times(f.blinks.count)}, ${f.blinks.ratePerMinute} per minute` + {
      within: `, within the usual range of ${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max} per minute.`,
      above: `, above the usual range of ${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max} per minute.`,
      below: `, below the usual range of ${NORMAL_BLINK_RATE.min}-${NORMAL_BLINK_RATE.max} per minute.`,
      rough: ' (over a recording this short the rate is only a rough guide).'
    }[where],
    suggestionHigh: 'Frequent blinking often comes with nerves or dry eyes: take a slow breath before you answer, and avoid a fan or glaring light aimed at your face.',
    suggestionLow: 'Very little blinking can look like staring: relax your face and let yourself blink, especially while you listen to a question.',
    suggestion: 'Keep your face relaxed and take a breath before each answer, so your blinking stays natural.'
  },
  head: {
    good: 'Composed posture',
    poor: 'Keep your head steadier',
    evidence: (f) => `Your head moved ${f.head.meanSpeedDegPerSecond} degrees per second on average, with ${f.head.largeMovementsPerMinute} large movements (over ${LARGE_HEAD_MOVEMENT_DEG} degrees within a second) per minute.`,
    suggestion: 'Sit back against the chair with both feet on the floor, and save nods for the points you want to stress instead of moving while you talk.'
  },
  expression: {
    good: 'Warm, positive expression',
    poor: 'Warmer expression',
    positive: (f, mix) => `Your expression read as happiness or neutral ${pct(f.emotion.positiveShare)}% of the time${mix ? ` (${mix})` : ''}.`,
    negative: (f, mix, negativeParts, positiveParts) => `Negative expressions made up ${pct(f.emotion.negativeShare)}% of the video${mix ? ` (${mix})` : ''}` +
      (negativeParts ? `, dominating ${negativeParts}` : '') + (positiveParts ? `; ${positiveParts} looked brighter` : '') + '.',
    part: (p) => `${p.label} (${EN.emotion[p.emotion]} ${pct(p.share)}%)`,
    suggestion: (warmest) => 'Start each answer with a slight smile and relaxed brows, and rehearse your opening sentences on video until your face looks as warm as ' +
      (warmest ? `it did at ${warmest}.` : 'you mean it to.')
  },
  presence: {
    good: 'Fully in frame',
    poorMissing: 'Stay in the frame',
    poorOthers: 'Record alone',
    evidence: (f) => `Your face was in view ${f.presence.faceVisiblePercent}% of the time` +
      (f.presence.missing.length ? `, and out of frame at ${labels(f.presence.missing).join(', ')}` : '') +
      (f.presence.otherFacesPercent > 0 ? `; other people were in view ${f.presence.otherFacesPercent}% of the time.` : ', with no one else in view.'),
    noFace: 'Your face was in view 0% of the time: the analysis could not find you in the video.',
    suggestionMissing: 'Before you start, check that your head and shoulders are centred with a little space above your head, and stay within that frame when you lean or gesture.',
    suggestionOthers: 'Record in a quiet room where no one else can appear on camera.'
  }
}
