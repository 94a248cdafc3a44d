/**
 * A blendshape prior on the emotion model's answer. The mesh's MediaPipe blendshapes (computed
 * every frame anyway) say what the face's muscles do, and some movements are well-known signs
 * of one emotion (FACS action units). A rule gives an evidence e in 0..1 from the blendshape
 * scores; the model's probability of the rule's emotion is multiplied by exp(weight * e) and
 * the result normalised. A face without the movement keeps the model's answer (factor 1).
 *
 * Only rules that gained on the fixtures are here (scripts/emotion-eval.ts tries the others:
 * smile -> happiness, brows up + eyes wide + jaw open -> surprise, nose wrinkle -> disgust,
 * lip corners down -> sadness, eyes wide + lips stretched -> fear; none gained, and the smile
 * rule took happiness into the crying half of sad_to_happy_pexels.mp4). MobileFaceNet already
 * gets those emotions right on the fixtures; what it misses is anger: lowered brows read as
 * disgust or sadness, while MediaPipe's browDown is 0.21-0.87 on every angry face and view in
 * the evaluation, at most 0.24 on the others, and below 0.11 throughout both fixture videos.
 */
import { BLENDSHAPE_NAMES, type BlendshapeName } from '../engine/blendshapes.js'
import { EMOTIONS, type Emotion } from './registry.js'

const INDEX = Object.fromEntries(BLENDSHAPE_NAMES.map((name, i) => [name, i])) as Record<BlendshapeName, number>

/** Reads a blendshape score by name. */
export type Scores = (name: BlendshapeName) => number

export interface BlendshapeRule {
  name: string
  emotion: Emotion
  /** The log of the factor the emotion's probability gets at full evidence. */
  weight: number
  /** 0..1 (clamped). */
  evidence: (s: Scores) => number
}

/**
 * The rules the engine applies. Brows down at weight 4: a factor of 11 at browDown 0.6 (the
 * face-api.js angry faces), 3.3 at 0.3 (a frown of concentration; no fixture has one, so that
 * is the risk to watch). Weight 4 is the smallest that puts both face-api.js angry faces right;
 * 6 gained more on the noisy views of the same three angry faces and was not taken for that.
 */
export const BLENDSHAPE_RULES: readonly BlendshapeRule[] = [
  // AU4: brows lowered and drawn together.
  { name: 'brows down (AU4) -> anger', emotion: 'anger', weight: 4, evidence: (s) => (s('browDownLeft') + s('browDownRight')) / 2 }
]

/** The model's probabilities over EMOTIONS reweighted by the rules (sum 1). */
export function applyBlendshapePrior (probabilities: readonly number[], scores: ArrayLike<number>, rules: readonly BlendshapeRule[] = BLENDSHAPE_RULES): number[] {
  if (scores.length !== BLENDSHAPE_NAMES.length) throw new Error(`blendshape prior: ${scores.length} scores, expected ${BLENDSHAPE_NAMES.length}`)
  const read: Scores = (name) => scores[INDEX[name]]!
  const out = [...probabilities]
  for (const rule of rules) {
    const e = Math.min(1, Math.max(0, rule.evidence(read)))
    out[EMOTIONS.indexOf(rule.emotion)]! *= Math.exp(rule.weight * e)
  }
  const total = out.reduce((a, b) => a + b, 0)
  return total > 0 ? out.map((p) => p / total) : [...probabilities]
}
