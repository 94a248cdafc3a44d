/**
 * The scores of an analysis, generic over the categories the registered modules add (each
 * module's `categories(metrics)`): every category is a documented 0-100 formula of its module,
 * and the interview score combines those present. SCORE_VERSION changes whenever a formula does.
 */
import { round } from '../numbers.js'

export const SCORE_VERSION = '1.0'

/** One 0-100 category of the scores and its weight in the interview score. */
export interface CategoryScore {
  /** snake_case, as served in category_scores: eye_contact, expression, body_language... */
  key: string
  score: number
  /** Relative weight in the interview score; the weights of the categories present are normalised. */
  weight: number
}

export interface Scores {
  version: string
  /** 0-60: 0.6 x the weighted mean of the categories present (the scale the product was specified with). */
  interviewScore: number
  /** 0-100: the eye_contact category (attention on the camera), or null without one. */
  attentionScore: number | null
  /** Each category's 0-100 score by key, in the order the modules gave them. */
  categories: Record<string, number>
}

/** The category that doubles as the attention score. */
export const ATTENTION_CATEGORY = 'eye_contact'

/**
 * Interview score (0-60) = 0.6 x sum(weight x score) / sum(weight) over the categories present,
 * 0.1 precision; 0 without any category. Face only (weights 35/30/20/15) this is the original
 * 0.6 x (0.35 eye contact + 0.3 expression + 0.2 composure + 0.15 presence).
 */
export function computeScores (list: readonly CategoryScore[]): Scores {
  const categories: Record<string, number> = {}
  for (const c of list) {
    if (c.key in categories) throw new Error(`score category ${c.key} given twice`)
    categories[c.key] = c.score
  }
  const total = list.reduce((s, c) => s + c.weight, 0)
  const weighted = list.reduce((s, c) => s + c.weight * c.score, 0)
  // Weights that already sum to 1 are used as they are, so floating point cannot move a score.
  const mean = total <= 0 ? 0 : Math.abs(total - 1) < 1e-9 ? weighted : weighted / total
  return {
    version: SCORE_VERSION,
    interviewScore: round(mean * 0.6, 1),
    attentionScore: categories[ATTENTION_CATEGORY] ?? null,
    categories
  }
}
