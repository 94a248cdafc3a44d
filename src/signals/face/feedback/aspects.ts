/**
 * The rule-based writer's face aspects: each judged a strength, an improvement or neither by
 * the limits in thresholds.ts JUDGING (the same the LLM's definitions quote):
 *   eye contact       strength >= 70 %, improvement < 50 %
 *   look-aways        strength: none; improvement: more than 2 per minute or 10 % of face time
 *   gaze stability    strength >= 0.8, improvement < 0.5
 *   blinks            strength: 8-30 per minute; improvement outside; not judged under 15 s of face time
 *   head movement     strength: <= 15 deg/s and <= 6 large movements/min; improvement: > 25 deg/s or > 12/min
 *   expression        strength: happiness + neutral >= 60 % and no part dominated by a negative
 *                     expression; improvement: negative >= 35 % or such a part (dominant share >= 50 %)
 *   presence          strength: face in view >= 95 % and others in view < 5 %; improvement: < 85 % or >= 10 %
 * Without a face in view only presence is judged; a face stage that did not run judges nothing.
 * Sentences come from phrases-en.ts / phrases-ko.ts.
 */
import { clamp01, labels, longest, verdict, type Aspect, type AspectRank } from '../../../feedback/aspect.js'
import type { Language } from '../../../feedback/schema.js'
import type { Emotion } from '../metrics/index.js'
import { JUDGING as T } from '../thresholds.js'
import { NEGATIVE_EMOTIONS, POSITIVE_EMOTIONS, percent as pct, type Direction, type FaceFacts } from './facts.js'
import { EN } from './phrases-en.js'
import { KO } from './phrases-ko.js'
import type { FaceCategory, FacePhrases } from './phrases.js'

export type FaceAspectKey = 'eyeContact' | 'lookAways' | 'gaze' | 'blinks' | 'head' | 'expression' | 'presence'

const PHRASES: Record<Language, FacePhrases> = { en: EN, ko: KO }

/** Places in the lists shared by every module (feedback/contribution.ts). */
export const FACE_RANKS: Record<FaceAspectKey, AspectRank> = {
  presence: { improvement: 10, strength: 50 },
  eyeContact: { improvement: 20, strength: 10 },
  lookAways: { improvement: 40, strength: 20 },
  expression: { improvement: 60, strength: 30 },
  head: { improvement: 90, strength: 90 },
  gaze: { improvement: 100, strength: 100 },
  blinks: { improvement: 110, strength: 110 }
}

/** The score category of each face aspect. */
const CATEGORY_OF: Record<FaceAspectKey, FaceCategory> = {
  eyeContact: 'eye_contact', lookAways: 'eye_contact', expression: 'expression', gaze: 'composure', head: 'composure', blinks: 'composure', presence: 'presence'
}

type Judged = Omit<Aspect, 'key' | 'rank' | 'category'>
const aspect = (key: FaceAspectKey, judged: Judged): Aspect => ({ key, rank: FACE_RANKS[key], category: CATEGORY_OF[key], ...judged })

/** The direction most look-aways took, when at least two thirds took it. */
function mainDirection (directions: Direction[]): Direction | null {
  for (const d of new Set(directions)) if (directions.filter((x) => x === d).length >= (2 / 3) * directions.length) return d
  return null
}

/** An aspect judged by one number, higher being better, against a good and a poor threshold. */
function thresholdAspect (key: FaceAspectKey, value: number, limits: { good: number, poor: number },
  phrases: { good: string, poor: string, suggestion: string }, evidence: string): Aspect {
  return aspect(key, {
    verdict: verdict(value >= limits.good, value < limits.poor),
    goodness: clamp01((value - limits.poor) / (limits.good - limits.poor)),
    strength: { title: phrases.good, evidence, timestamps: [] },
    improvement: { title: phrases.poor, evidence, suggestion: phrases.suggestion, timestamps: [] }
  })
}

export function faceAspects (f: FaceFacts, language: Language): Aspect[] {
  if (!f.analysed) return []
  const t = PHRASES[language]
  const presence = presenceAspect(f, t)
  if (f.faceSeconds === 0) return [presence]
  const list: Aspect[] = [presence]

  list.push(thresholdAspect('eyeContact', f.eyeContact.percent, T.eyeContactPercent, t.eyeContact, t.eyeContact.evidence(f)))

  const la = f.lookAways
  const shown = longest(la.items)
  const laEvidence = la.count ? t.lookAways.evidence(f, shown, mainDirection(la.items.map((l) => l.direction))) : t.lookAways.none(f)
  list.push(aspect('lookAways', {
    verdict: verdict(la.count === 0, la.perMinute > T.lookAways.maxPerMinute || la.totalSeconds >= T.lookAways.maxShareOfFaceTime * f.faceSeconds),
    goodness: clamp01(1 - la.perMinute / (2 * T.lookAways.maxPerMinute)),
    strength: { title: t.lookAways.good, evidence: laEvidence, timestamps: [] },
    improvement: { title: t.lookAways.poor, evidence: laEvidence, suggestion: t.lookAways.suggestion(shown[0]?.label ?? null), timestamps: labels(shown) }
  }))

  list.push(thresholdAspect('gaze', f.eyeContact.gazeStability, T.gazeStability, t.gaze, t.gaze.evidence(f)))

  list.push(blinksAspect(f, t))

  const speed = f.head.meanSpeedDegPerSecond
  const large = f.head.largeMovementsPerMinute
  const headEvidence = t.head.evidence(f)
  list.push(aspect('head', {
    verdict: verdict(speed <= T.headDegPerSecond.calm && large <= T.largeMovementsPerMinute.calm, speed > T.headDegPerSecond.restless || large > T.largeMovementsPerMinute.restless),
    goodness: Math.min(
      clamp01((T.headDegPerSecond.restless - speed) / (T.headDegPerSecond.restless - T.headDegPerSecond.calm)),
      clamp01((T.largeMovementsPerMinute.restless - large) / (T.largeMovementsPerMinute.restless - T.largeMovementsPerMinute.calm))
    ),
    strength: { title: t.head.good, evidence: headEvidence, timestamps: [] },
    improvement: { title: t.head.poor, evidence: headEvidence, suggestion: t.head.suggestion, timestamps: [] }
  }))

  if (f.emotion.samples > 0) list.push(expressionAspect(f, t))
  return list
}

function blinksAspect (f: FaceFacts, t: FacePhrases): Aspect {
  const rate = f.blinks.ratePerMinute
  const { min, max } = T.blinksPerMinute
  const where = !f.blinks.rateReliable ? 'rough' : rate > max ? 'above' : rate < min ? 'below' : 'within'
  const evidence = t.blinks.evidence(f, where)
  return aspect('blinks', {
    verdict: where === 'rough' ? 'neutral' : verdict(where === 'within', where !== 'within'),
    reliable: where !== 'rough',
    goodness: where === 'rough' ? 0.5 : clamp01(1 - Math.max(min - rate, rate - max, 0) / 10),
    strength: { title: t.blinks.good, evidence, timestamps: [] },
    improvement: {
      title: where === 'above' ? t.blinks.poorHigh : where === 'below' ? t.blinks.poorLow : t.blinks.poor,
      evidence,
      suggestion: where === 'above' ? t.blinks.suggestionHigh : where === 'below' ? t.blinks.suggestionLow : t.blinks.suggestion,
      timestamps: []
    }
  })
}

function expressionAspect (f: FaceFacts, t: FacePhrases): Aspect {
  const E = T.expression
  const e = f.emotion
  const negativeParts = e.parts.filter((p) => NEGATIVE_EMOTIONS.includes(p.emotion) && p.share >= E.negativePartShare)
  const positiveParts = e.parts.filter((p) => POSITIVE_EMOTIONS.includes(p.emotion))
  const mixOf = (emotions: readonly Emotion[]) => e.mix.filter((m) => emotions.includes(m.emotion)).map((m) => `${t.emotion[m.emotion]} ${pct(m.share)}%`).join(', ')
  const improvement = e.negativeShare >= E.negativeShare || negativeParts.length > 0
  const strongest = [...positiveParts].sort((a, b) => b.share - a.share)[0]
  const positiveEvidence = t.expression.positive(f, mixOf(POSITIVE_EMOTIONS))
  const negativeEvidence = t.expression.negative(f, mixOf(NEGATIVE_EMOTIONS), longest(negativeParts).map(t.expression.part).join(', '), longest(positiveParts).map(t.expression.part).join(', '))
  return aspect('expression', {
    verdict: verdict(e.positiveShare >= E.positiveShare && negativeParts.length === 0, improvement),
    goodness: clamp01((e.positiveShare - e.negativeShare + 1) / 2),
    strength: { title: t.expression.good, evidence: positiveEvidence, timestamps: labels(longest(positiveParts)) },
    improvement: {
      title: t.expression.poor,
      evidence: improvement ? negativeEvidence : positiveEvidence,
      suggestion: t.expression.suggestion(strongest?.label ?? null),
      timestamps: labels(longest(negativeParts))
    }
  })
}

function presenceAspect (f: FaceFacts, t: FacePhrases): Aspect {
  const p = f.presence
  const othersProblem = p.otherFacesPercent >= T.otherFacesPercent.poor
  const missingProblem = p.faceVisiblePercent < T.faceVisiblePercent.poor
  const evidence = f.faceSeconds === 0 ? t.presence.noFace : t.presence.evidence(f)
  // The bigger of the two problems names the item.
  const aboutOthers = othersProblem && (!missingProblem || p.otherFacesPercent > 100 - p.faceVisiblePercent)
  return aspect('presence', {
    verdict: verdict(p.faceVisiblePercent >= T.faceVisiblePercent.good && p.otherFacesPercent < T.otherFacesPercent.good, missingProblem || othersProblem),
    goodness: Math.min(
      clamp01((p.faceVisiblePercent - T.faceVisiblePercent.poor) / (T.faceVisiblePercent.good - T.faceVisiblePercent.poor)),
      clamp01((T.otherFacesPercent.poor - p.otherFacesPercent) / (T.otherFacesPercent.poor - T.otherFacesPercent.good))
    ),
    strength: { title: t.presence.good, evidence, timestamps: [] },
    improvement: {
      title: aboutOthers ? t.presence.poorOthers : t.presence.poorMissing,
      evidence,
      suggestion: aboutOthers ? t.presence.suggestionOthers : t.presence.suggestionMissing,
      timestamps: labels(longest(p.missing))
    }
  })
}

/** The summary's face sentence: its key numbers, or why there are none. */
export function faceSummary (f: FaceFacts, _aspects: readonly Aspect[], language: Language): string {
  const t = PHRASES[language]
  if (!f.analysed) return t.summary.notAnalysed
  return f.faceSeconds === 0 ? t.summary.noFace : t.summary.measures(f)
}

/** The categories as the summary names them. */
export const FACE_CATEGORY_NAMES: Record<FaceCategory, Record<Language, string>> = Object.fromEntries(
  (Object.keys(EN.category) as FaceCategory[]).map((key) => [key, { en: EN.category[key], ko: KO.category[key] }])
) as Record<FaceCategory, Record<Language, string>>
