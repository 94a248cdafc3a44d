/** The pose's sentences in English (the shape is phrases.ts). */
import { labels } from '../../../feedback/aspect.js'
import { POSE_THRESHOLDS as T } from '../thresholds.js'
import type { PoseFacts } from './facts.js'
import type { PosePhrases } from './phrases.js'

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`)
const G = T.hands.gesturesPerMinute

function postureParts (f: PoseFacts): string[] {
  const p = f.posture
  const parts: string[] = []
  if (p.slouchPercent !== null) {
    parts.push(`you slouched (your head bent forward of your torso by more than ${T.posture.slouchBendDeg} degrees) ${p.slouchPercent}% of the time` +
      (p.slouches.length ? `, for ${T.posture.minSlouchMs / 1000} s or more at ${labels(p.slouches).join(', ')}` : ''))
  }
  if (p.headForwardPercent !== null) parts.push(`your head was pushed forward ${p.headForwardPercent}% of the time`)
  if (p.sideLeanPercent !== null) parts.push(`you leaned to one side ${p.sideLeanPercent}% of the time`)
  if (p.tiltedPercent !== null) parts.push(`your shoulders were tilted ${p.tiltedPercent}% of the time`)
  if (p.facingPercent !== null) parts.push(`you faced the camera squarely ${p.facingPercent}% of the time`)
  return parts
}

const sentence = (parts: string[]) => {
  const text = parts.length > 1 ? `${parts.slice(0, -1).join('; ')} and ${parts[parts.length - 1]}` : parts[0] ?? ''
  return text.charAt(0).toUpperCase() + text.slice(1) + '.'
}

export const EN: PosePhrases = {
  region: { nose: 'nose', mouth: 'mouth', eye: 'eyes', ear: 'ear' },
  category: 'body language',
  summary: {
    measured: (f) => `Your body was in view ${f.bodyVisiblePercent}% of the time and your body-language score was ${f.score?.score ?? 0}/100` +
      ` (posture ${f.score?.posture ?? 0}, ${f.score?.gestures === null || !f.score ? 'gestures not scored' : `gestures ${f.score.gestures}`}, composure ${f.score?.composure ?? 0}).`,
    headAndShoulders: 'Only your head and shoulders were in view, so your posture and gestures were not measured.',
    notVisible: 'Your body was not in view, so your posture and gestures were not measured.',
    touches: (f) => {
      const n = f.hands.faceTouches.length
      return n ? `You touched your face ${times(n)}.` : 'You did not touch your face.'
    }
  },
  posture: {
    good: 'Upright, open posture',
    poor: {
      slouch: 'Sit up straight',
      headForward: 'Keep your head over your shoulders',
      sideLean: 'Sit centred',
      tilt: 'Level your shoulders',
      turned: 'Face the camera'
    },
    evidence: (f) => sentence(postureParts(f)),
    suggestion: {
      slouch: (first) => 'Sit back in the chair with your hips against the backrest, and imagine a string pulling the top of your head up; raise the camera to eye level so you do not lean down to it' +
        (first ? `; replay ${first} to see how the slouch looks.` : '.'),
      headForward: () => 'Move the screen or camera back to arm\'s length at eye level, and keep your ears above your shoulders instead of leaning your face towards the lens.',
      sideLean: () => 'Sit in the middle of the chair with both feet flat on the floor and your weight even on both hips; avoid leaning on one armrest.',
      tilt: () => 'Let both shoulders drop and relax before you start, and keep both forearms resting at the same height on the desk.',
      turned: () => 'Turn the chair and your shoulders to face the camera squarely; if you look at notes or a second screen, put them right behind the camera.'
    }
  },
  gestures: {
    title: { good: 'Natural, engaged gestures', few: 'Use your hands more', many: 'Calmer gestures', hidden: 'Let your hands be seen' },
    evidence: (f) => {
      const h = f.hands
      return `You made ${h.gestures} gesture${h.gestures === 1 ? '' : 's'}, ${h.gesturesPerMinute} per minute of the time your hands were in view ` +
        `(${G.min}-${G.max} is engaged)` + (h.openPercent !== null ? `, ${h.openPercent}% of them open, away from your body` : '') +
        `; you were gesturing ${h.gesturingPercent}% of that time` +
        (h.noGesture.length ? `, with no gesture for ${T.hands.noGestureSpeakingMs / 1000} s or more of speaking at ${labels(h.noGesture).join(', ')}.` : '.')
    },
    hiddenEvidence: (f) => `Your hands were in view only ${f.hands.visiblePercent}% of the recording` +
      (f.hands.outOfView.length ? `, out of view for ${T.hands.outOfViewMs / 1000} s or more at ${labels(f.hands.outOfView).join(', ')}.` : '.'),
    suggestion: {
      few: (first) => 'Let your hands work with your words: rest them on the desk at waist height and use one open gesture, palms up and away from your body, for each main point, such as counting your points on your fingers' +
        (first ? `; replay ${first}, where your hands stayed still.` : '.'),
      many: () => 'Save gestures for your key points and rest your hands lightly together between them, so the gestures that remain stand out.',
      good: () => 'Keep your gestures at chest height and open, away from your body, and tie each one to a point you are making.',
      hidden: (first) => 'Sit far enough from the camera that your hands show at chest height, and rest them on the desk rather than in your lap, so they can support what you say' +
        (first ? `; at ${first} they were out of view.` : '.')
    }
  },
  fidgeting: {
    good: 'Still, relaxed hands',
    poor: 'Less fidgeting',
    evidence: (f) => `Your hands made small repeated movements (fidgeting) ${f.hands.fidgetPercent}% of the time they were in view` +
      (f.hands.fidgets.length ? `, for example at ${labels(f.hands.fidgets).slice(0, 3).join(', ')}.` : '.'),
    suggestion: (first) => 'Put your pen and phone out of reach and rest your hands loosely together, or flat on the desk, between gestures; one slow breath helps when you feel them start to move' +
      (first ? `; replay ${first} to see it.` : '.')
  },
  faceTouch: {
    good: 'Hands away from your face',
    poor: 'Keep your hands off your face',
    none: (f) => `You did not touch your face once during the ${f.duration} recording.`,
    evidence: (f, shown) => `You touched your face ${times(f.hands.faceTouches.length)} (${f.hands.faceTouchesPerMinute} per minute): ` +
      `${shown.map((t) => `${t.label} at your ${EN.region[t.region]} (${t.seconds} s)`).join(', ')}.`,
    suggestion: (first) => 'Touching your face reads as nervous to an interviewer: rest your hands on the desk or in your lap between gestures, and if your face itches, wait for the end of your sentence' +
      (first ? `; replay ${first} to see when it happens.` : '.')
  },
  movement: {
    good: 'Steady, grounded body',
    poor: 'Stop rocking',
    poorPacing: 'Less walking around',
    evidence: (f) => `Your shoulders swayed by ${f.movement.swayTorsos} torso lengths from side to side (calm is up to ${T.movement.swayTorsos.calm})` +
      (f.movement.pacing ? `, and you moved over ${f.movement.rangeTorsos} torso lengths, pacing.` : '.'),
    suggestion: 'Plant both feet flat on the floor and sit back in the chair; a chair that does not swivel or roll helps you keep still.',
    suggestionPacing: 'Choose a spot and stay there while you answer; move only on purpose, for example a step forward to mark a new point.'
  },
  armsCrossed: {
    good: 'Open arms',
    poor: 'Uncross your arms',
    evidence: (f) => `Your arms were crossed ${f.hands.armsCrossedPercent}% of the time` +
      (f.hands.armsCrossed.length ? ` (${labels(f.hands.armsCrossed).join(', ')}).` : '.'),
    suggestion: 'Crossed arms read as closed or defensive: rest your forearms on the desk or your hands in your lap, and use them to gesture.'
  }
}
