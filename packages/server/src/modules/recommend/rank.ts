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
 * passing the filter (and lying in `category`), multiplies scores by every matching boost and re-sorts (ties
 * keep the model's order), then takes items best first, skipping any over its diversity cap, up to the
 * limit. Without boosts the order is the model's, so it stops at the limit.
 */
export const rank = (
  candidates: readonly Candidate[],
  items: ReadonlyMap<string, Item>,
  plan: Pick<Plan, 'filter' | 'category' | 'boosts' | 'diversity' | 'limit'>,
  dropped: ReadonlySet<string>,
): Ranked[] => {
  const counts = new Map<string, number>();
  const out: Ranked[] = [];
  /** Adds the item unless its diversity value is full; true once the answer is full. */
  const take = (r: Ranked): boolean => {
    if (plan.diversity) {
      const value = diversityValue(r.item, plan.diversity.field);
      if (value !== undefined) {
        const n = counts.get(value) ?? 0;
        if (n >= plan.diversity.maxPerValue) return false;
        counts.set(value, n + 1);
      }
    }
    out.push(r);
    return out.length >= plan.limit;
  };
  const kept: (Ranked & { order: number })[] = [];
  for (let order = 0; order < candidates.length; order++) {
    const c = candidates[order];
    const item = items.get(c.id);
    if (!item || dropped.has(c.id)) continue;
    if (plan.filter && !matches(item, plan.filter)) continue;
    if (plan.category && !(item.categories ?? []).some((p) => underCategory(p, plan.category!))) continue;
    const r: Ranked = { item, score: c.score, ...(c.reasons ? { reasons: c.reasons } : {}) };
    if (plan.boosts.length === 0) {
      if (take(r)) break;
      continue;
    }
    for (const b of plan.boosts) if (matches(item, b.filter)) r.score *= b.factor;
    kept.push({ ...r, order });
  }
  if (plan.boosts.length === 0) return out;
  kept.sort((a, b) => b.score - a.score || a.order - b.order);
  for (const { order: _, ...r } of kept) if (take(r)) break;
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
