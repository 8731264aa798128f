// What happens to a model's candidates before they are answered: exclusions, filters, boosts, diversity
// caps and the limit. Pure: the items are looked up by the caller.
import type { Item, RecommendationReason } from '@quiver/contracts';
import { matches, underCategory } from '../search/index.ts';
import type { Plan } from './request.ts';

export interface Candidate {
  id: string;
  score: number;
  reasons?: RecommendationReason[];
}

export interface Ranked {
  item: Item;
  score: number;
  reasons?: RecommendationReason[];
}

/** The value a diversity cap counts: the brand, or the item's first (primary) category path. */
export const diversityValue = (item: Item, field: 'category' | 'brand'): string | undefined =>
  field === 'brand' ? item.brand : item.categories?.[0];

/**
 * Candidates (best first) → the answer: drops `dropped` ids and items the catalog does not have, keeps those
 * passing the filter (and lying in `category`), multiplies scores by every matching boost, re-sorts (ties
 * keep the model's order), then takes items best first, skipping any over its diversity cap, up to the limit.
 */
export const rank = (
  candidates: readonly Candidate[],
  items: ReadonlyMap<string, Item>,
  plan: Pick<Plan, 'filter' | 'category' | 'boosts' | 'diversity' | 'limit'>,
  dropped: ReadonlySet<string>,
): Ranked[] => {
  const kept: (Ranked & { order: number })[] = [];
  candidates.forEach((c, order) => {
    const item = items.get(c.id);
    if (!item || dropped.has(c.id)) return;
    if (plan.filter && !matches(item, plan.filter)) return;
    if (plan.category && !(item.categories ?? []).some((p) => underCategory(p, plan.category!))) return;
    let score = c.score;
    for (const b of plan.boosts) if (matches(item, b.filter)) score *= b.factor;
    kept.push({ item, score, reasons: c.reasons, order });
  });
  if (plan.boosts.length > 0) kept.sort((a, b) => b.score - a.score || a.order - b.order);
  const out: Ranked[] = [];
  const counts = new Map<string, number>();
  for (const k of kept) {
    if (out.length >= plan.limit) break;
    if (plan.diversity) {
      const value = diversityValue(k.item, plan.diversity.field);
      if (value !== undefined) {
        const n = counts.get(value) ?? 0;
        if (n >= plan.diversity.maxPerValue) continue;
        counts.set(value, n + 1);
      }
    }
    out.push({ item: k.item, score: k.score, ...(k.reasons ? { reasons: k.reasons } : {}) });
  }
  return out;
};

/** Interleaves lists (first of each, then second of each…), keeping the first occurrence of an id. */
export const interleave = <T extends Candidate>(lists: readonly (readonly T[])[]): T[] => {
  const out: T[] = [];
  const seen = new Set<string>();
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++)
    for (const l of lists) {
      const c = l[i];
      if (c && !seen.has(c.id)) {
        seen.add(c.id);
        out.push(c);
      }
    }
  return out;
};
