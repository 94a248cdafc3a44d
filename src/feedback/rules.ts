/**
 * The rule-based feedback writer: the same structure the LLM writes, from the facts alone, in
 * English or Korean. Used without an API key and whenever the LLM fails. Generic over the
 * signal modules it is given: each judges its own aspects (a strength, an improvement or
 * neither, by the limits in its thresholds file) and writes its own summary sentence.
 *
 * Lists are ordered by the aspects' ranks (one scale across modules, see contribution.ts), at
 * most four items. A list left empty gets the nearest candidate (the best or worst of the
 * aspects judged neither), so there is always at least one strength and one improvement.
 * The summary: the interview score with every category, the best and worst category among
 * the measured modules', then each module's sentence in registry order.
 */
import type { Aspect } from './aspect.js'
import type { FeedbackFacts } from './facts.js'
import { WRITER_PHRASES, type NamedScore } from './rules-phrases.js'
import { MAX_ITEMS, feedbackScores, type Feedback, type Improvement, type Language } from './schema.js'

/** Stored as the prompt version of rule-based feedback: it tells which rules wrote it. */
export const RULES_VERSION = 'rules-2.0'

interface Judged { facts: FeedbackFacts['signals'][number], aspects: Aspect[] }

/** A category's name in `language`, from the module that adds it (else its key in words). */
function categoryName (facts: FeedbackFacts, key: string, language: Language): string {
  for (const s of facts.signals) {
    const name = s.contribution.categories[key]
    if (name) return name[language]
  }
  return key.replace(/_/g, ' ')
}

function summary (facts: FeedbackFacts, judged: Judged[], language: Language): string {
  const t = WRITER_PHRASES[language]
  const scores = Object.entries(facts.scores.categories)
  const named = (key: string, score: number): NamedScore => ({ name: categoryName(facts, key, language), score })
  // Categories of a module that measured nothing hold placeholder values: no best or worst area there.
  const measured = new Set(judged.filter((j) => j.facts.contribution.measured(j.facts.facts)).flatMap((j) => Object.keys(j.facts.contribution.categories)))
  const ranked = scores.filter(([key]) => measured.has(key)).map(([key, score]) => named(key, score)).sort((a, b) => b.score - a.score)
  const sentences = [t.overview(facts.duration, facts.scores.interviewScore, scores.map(([key, score]) => named(key, score)))]
  if (ranked.length >= 2) {
    const best = ranked[0]!
    const worst = ranked[ranked.length - 1]!
    sentences.push(best.score === worst.score ? t.allEqual(ranked.length, best.score) : t.bestWorst(best, worst))
  }
  for (const j of judged) {
    const sentence = j.facts.contribution.summary?.(j.facts.facts, j.aspects, language)
    if (sentence) sentences.push(sentence)
  }
  return sentences.join(' ')
}

export function writeRulesFeedback (facts: FeedbackFacts): Feedback {
  const language = facts.language
  const t = WRITER_PHRASES[language]
  const judged: Judged[] = facts.signals.map((s) => ({ facts: s, aspects: s.contribution.aspects(s.facts, language) }))
  const all = judged.flatMap((j) => j.aspects)
  // Stable sorts: equal ranks keep registry order, then each module's own order.
  const strengths = all.filter((a) => a.verdict === 'strength').sort((a, b) => a.rank.strength - b.rank.strength)
  const improvements = all.filter((a) => a.verdict === 'improvement').sort((a, b) => a.rank.improvement - b.rank.improvement)
  const neutral = all.filter((a) => a.verdict === 'neutral' && a.reliable !== false)
  // Weakest first: lower goodness, then the lower category score (an aspect without a category
  // counts as its own goodness on the same 0-100 scale).
  const scoreOf = (a: Aspect) => (a.category !== undefined && a.category in facts.scores.categories ? facts.scores.categories[a.category]! : a.goodness * 100)
  const weakestFirst = (a: Aspect, b: Aspect) => a.goodness - b.goodness || scoreOf(a) - scoreOf(b)
  const improvementItems: Improvement[] = []
  if (improvements.length === 0 && all.length > 0) {
    // Nothing fell below a threshold: the weakest aspect is still the next thing to work on.
    const pool = neutral.length ? neutral : strengths.length > 1 ? strengths : all
    const weakest = [...pool].sort(weakestFirst)[0]!
    improvements.push(weakest)
    const index = strengths.indexOf(weakest)
    if (index >= 0) strengths.splice(index, 1)
  }
  improvementItems.push(...improvements.slice(0, MAX_ITEMS).map((a) => a.improvement))
  if (improvementItems.length === 0) {
    improvementItems.push({ title: t.nothing.title, evidence: t.nothing.evidence(facts.duration), suggestion: t.nothing.suggestion, timestamps: [] })
  }
  const strengthItems = strengths.slice(0, MAX_ITEMS).map((a) => a.strength)
  if (strengthItems.length === 0) {
    const best = neutral.filter((a) => !improvements.includes(a)).sort(weakestFirst).at(-1)
    strengthItems.push(best ? best.strength : { title: t.recorded.title, evidence: t.recorded.evidence(facts.duration), timestamps: [] })
  }
  return {
    language,
    summary: summary(facts, judged, language),
    strengths: strengthItems,
    improvements: improvementItems,
    scores: feedbackScores(facts.scores.categories)
  }
}
