/**
 * The rule-based writer's body-language aspects, judged by the limits in ../thresholds.ts (the
 * same the LLM's definitions quote); shares are of the measured time:
 *   posture       strength: slouched, head forward, leaning sideways, shoulders tilted and turned
 *                 away each at most goodShare (10 %); improvement: any of them poorShare (30 %) or
 *                 more, named by the largest
 *   gestures      with the hands in view minVisibleShare (20 %) or more: strength 4-20 gestures
 *                 per minute of hand-visible time (or gesturing 15 % of it, long gestures);
 *                 improvement under 2 (and gesturing under 15 %) or over 30. With the hands in
 *                 view less than that: an improvement, keep the hands in view
 *   fidgeting     (hands in view enough) strength <= 5 % of the hand-visible time, improvement > 15 %
 *   faceTouch     strength: none (body in view); improvement: more than 1 per minute; a head-and-
 *                 shoulders framing is judged on touches only (none is neither)
 *   movement      strength: sway <= 0.05 torsos and no pacing; improvement: sway > 0.12 or pacing
 *   armsCrossed   (only when they were crossed at all) improvement at 20 % of the time or more
 * Nothing else is judged when the body was not in view: a head-and-shoulders framing gets the
 * face-touch aspect, a closer one only when a touch was seen. Sentences come from
 * phrases-en.ts / phrases-ko.ts.
 */
import { clamp01, labels, longest, verdict, type Aspect, type AspectRank } from '../../../feedback/aspect.js'
import type { Language } from '../../../feedback/schema.js'
import { ACTIVE_GESTURE_SHARE } from '../score.js'
import { POSE_THRESHOLDS as T } from '../thresholds.js'
import type { PoseFacts } from './facts.js'
import { EN } from './phrases-en.js'
import { KO } from './phrases-ko.js'
import type { GestureWhere, PosePhrases, PostureIssue } from './phrases.js'

export type PoseAspectKey = 'posture' | 'gestures' | 'fidgeting' | 'faceTouch' | 'movement' | 'armsCrossed'

const PHRASES: Record<Language, PosePhrases> = { en: EN, ko: KO }

/** Places in the lists shared by every module (feedback/contribution.ts). */
export const POSE_RANKS: Record<PoseAspectKey, AspectRank> = {
  faceTouch: { improvement: 45, strength: 105 },
  posture: { improvement: 65, strength: 55 },
  gestures: { improvement: 75, strength: 65 },
  armsCrossed: { improvement: 77, strength: 115 },
  fidgeting: { improvement: 85, strength: 97 },
  movement: { improvement: 95, strength: 95 }
}

export const POSE_CATEGORY = 'body_language'

type Judged = Omit<Aspect, 'key' | 'rank' | 'category'>
const aspect = (key: PoseAspectKey, judged: Judged): Aspect => ({ key, rank: POSE_RANKS[key], category: POSE_CATEGORY, ...judged })

const GOOD = T.posture.goodShare * 100
const POOR = T.posture.poorShare * 100

function postureAspect (f: PoseFacts, t: PosePhrases): Aspect | null {
  const p = f.posture
  const shares: Array<[PostureIssue, number | null]> = [
    ['slouch', p.slouchPercent], ['headForward', p.headForwardPercent], ['sideLean', p.sideLeanPercent],
    ['tilt', p.tiltedPercent], ['turned', p.facingPercent === null ? null : 100 - p.facingPercent]
  ]
  const measured = shares.filter((s): s is [PostureIssue, number] => s[1] !== null)
  if (measured.length === 0) return null
  // The largest share names the problem; ties keep the order above (slouch first).
  const [issue, worst] = measured.reduce((a, b) => (b[1] > a[1] ? b : a))
  const evidence = t.posture.evidence(f)
  const shown = issue === 'slouch' ? longest(p.slouches) : []
  return aspect('posture', {
    verdict: verdict(worst <= GOOD, worst >= POOR),
    goodness: clamp01((POOR - worst) / (POOR - GOOD)),
    strength: { title: t.posture.good, evidence, timestamps: [] },
    improvement: { title: t.posture.poor[issue], evidence, suggestion: t.posture.suggestion[issue](shown[0]?.label ?? null), timestamps: labels(shown) }
  })
}

function gesturesAspect (f: PoseFacts, t: PosePhrases): Aspect | null {
  const h = f.hands
  const G = T.hands.gesturesPerMinute
  if (!h.enoughInView || h.gesturesPerMinute === null) {
    const shown = longest(h.outOfView)
    const evidence = t.gestures.hiddenEvidence(f)
    return aspect('gestures', {
      verdict: 'improvement',
      goodness: 0.3,
      strength: { title: t.gestures.title.hidden, evidence, timestamps: [] },
      improvement: { title: t.gestures.title.hidden, evidence, suggestion: t.gestures.suggestion.hidden(shown[0]?.label ?? null), timestamps: labels(shown) }
    })
  }
  const rate = h.gesturesPerMinute
  const active = (h.gesturingPercent ?? 0) >= ACTIVE_GESTURE_SHARE * 100
  const where: GestureWhere = rate > G.max ? 'many' : rate >= G.min || active ? 'good' : 'few'
  const poor = rate > G.poorAbove || (rate < G.poorBelow && !active)
  const goodness = where === 'many' ? clamp01((G.poorAbove - rate) / (G.poorAbove - G.max))
    : where === 'good' ? 1 : clamp01((rate - G.poorBelow / 2) / (G.min - G.poorBelow / 2))
  const shown = where === 'few' ? longest(h.noGesture) : []
  const evidence = t.gestures.evidence(f)
  return aspect('gestures', {
    verdict: verdict(where === 'good', poor),
    goodness,
    strength: { title: t.gestures.title.good, evidence, timestamps: [] },
    improvement: {
      title: t.gestures.title[where === 'good' ? 'good' : where],
      evidence,
      suggestion: t.gestures.suggestion[where](shown[0]?.label ?? null),
      timestamps: labels(shown)
    }
  })
}

function fidgetingAspect (f: PoseFacts, t: PosePhrases): Aspect | null {
  const share = f.hands.fidgetPercent
  if (!f.hands.enoughInView || share === null) return null
  const limits = T.hands.fidgetShare
  const shown = longest(f.hands.fidgets)
  const evidence = t.fidgeting.evidence(f)
  return aspect('fidgeting', {
    verdict: verdict(share <= limits.good * 100, share > limits.poor * 100),
    goodness: clamp01((limits.poor * 100 - share) / ((limits.poor - limits.good) * 100)),
    strength: { title: t.fidgeting.good, evidence, timestamps: [] },
    improvement: { title: t.fidgeting.poor, evidence, suggestion: t.fidgeting.suggestion(shown[0]?.label ?? null), timestamps: labels(shown) }
  })
}

function faceTouchAspect (f: PoseFacts, t: PosePhrases): Aspect {
  const touches = f.hands.faceTouches
  const perMinute = f.hands.faceTouchesPerMinute
  const max = T.hands.maxFaceTouchesPerMinute
  const shown = longest(touches)
  const evidence = touches.length ? t.faceTouch.evidence(f, shown) : t.faceTouch.none(f)
  return aspect('faceTouch', {
    verdict: verdict(touches.length === 0 && f.status === 'measured', perMinute > max),
    goodness: clamp01(1 - perMinute / (2 * max)),
    strength: { title: t.faceTouch.good, evidence, timestamps: [] },
    improvement: { title: t.faceTouch.poor, evidence, suggestion: t.faceTouch.suggestion(shown[0]?.label ?? null), timestamps: labels(shown) }
  })
}

function movementAspect (f: PoseFacts, t: PosePhrases): Aspect | null {
  const m = f.movement
  if (m.swayTorsos === null) return null
  const limits = T.movement.swayTorsos
  const evidence = t.movement.evidence(f)
  const pacing = m.pacing === true
  return aspect('movement', {
    verdict: verdict(m.swayTorsos <= limits.calm && !pacing, m.swayTorsos > limits.restless || pacing),
    goodness: Math.min(pacing ? 0.3 : 1, clamp01((limits.restless - m.swayTorsos) / (limits.restless - limits.calm))),
    strength: { title: t.movement.good, evidence, timestamps: [] },
    improvement: {
      title: pacing ? t.movement.poorPacing : t.movement.poor,
      evidence,
      suggestion: pacing ? t.movement.suggestionPacing : t.movement.suggestion,
      timestamps: []
    }
  })
}

function armsCrossedAspect (f: PoseFacts, t: PosePhrases): Aspect | null {
  const share = f.hands.armsCrossedPercent
  if (share === null || share === 0) return null
  const poor = T.hands.armsCrossedShare.poor * 100
  const shown = longest(f.hands.armsCrossed)
  const evidence = t.armsCrossed.evidence(f)
  return aspect('armsCrossed', {
    verdict: share >= poor ? 'improvement' : 'neutral',
    goodness: clamp01(1 - share / (2 * poor)),
    strength: { title: t.armsCrossed.good, evidence, timestamps: [] },
    improvement: { title: t.armsCrossed.poor, evidence, suggestion: t.armsCrossed.suggestion, timestamps: labels(shown) }
  })
}

export function poseAspects (f: PoseFacts, language: Language): Aspect[] {
  const t = PHRASES[language]
  if (f.status === 'head_and_shoulders') return [faceTouchAspect(f, t)]
  // A close-up without the shoulders still shows a hand over the face.
  if (f.status === 'not_visible') return f.hands.faceTouches.length ? [faceTouchAspect(f, t)] : []
  if (f.status !== 'measured') return []
  return [postureAspect(f, t), gesturesAspect(f, t), fidgetingAspect(f, t), faceTouchAspect(f, t), movementAspect(f, t), armsCrossedAspect(f, t)]
    .filter((a): a is Aspect => a !== null)
}

/** The summary's body-language sentence: the score and face touches, or that the body was not measured. */
export function poseSummary (f: PoseFacts, _aspects: readonly Aspect[], language: Language): string | null {
  const t = PHRASES[language]
  if (f.status === 'not_analysed') return null
  if (f.status === 'measured') return `${t.summary.measured(f)} ${t.summary.touches(f)}`
  const base = f.status === 'head_and_shoulders' ? t.summary.headAndShoulders : t.summary.notVisible
  return f.hands.faceTouches.length ? `${base} ${t.summary.touches(f)}` : base
}

/** The category as the summary names it. */
export const POSE_CATEGORY_NAMES: Record<string, Record<Language, string>> = { [POSE_CATEGORY]: { en: EN.category, ko: KO.category } }
