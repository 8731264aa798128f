// What happens to a model's candidates before they are answered: exclusions, filters, boosts, diversity
// caps and the limit. Pure: the items are looked up by the caller.
import type { Item, RecommendationReason } from '@quiver/contracts';
import { matches, underCategory } from '../search/index.ts';
import type { Plan } from './request.ts';

export interface Candidate {
  id: string;
  score: number;
  reasons?: RecommendationReason[];
  /** Which of several interleaved lists it came from. */
  part?: number;
}

export interface Ranked {
  item: Item;
  score: number;
  reasons?: RecommendationReason[];
  part?: number;
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
  candidates: Iterable<Candidate>,
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
  let order = -1;
  for (const c of candidates) {
    order++;
    const item = items.get(c.id);
    if (!item || dropped.has(c.id)) continue;
    if (plan.filter && !matches(item, plan.filter)) continue;
    if (plan.category && !(item.categories ?? []).some((p) => underCategory(p, plan.category!))) continue;
    const r: Ranked = { item, score: c.score, reasons: c.reasons, part: c.part };
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

/**
 * Interleaves lists (first of each, then second of each…), keeping the first occurrence of an id, tagging
 * each with its list's index and scoring it by its merged rank, 1 / (rank + 1): the lists' own scores are not
 * comparable. Ids in `dropped` (those the answer drops anyway) take no rank, so a list's position does not
 * depend on whether it repeats a query item. Lazy, like the lists.
 */
export const interleave = (
  lists: readonly Iterable<Candidate>[],
  dropped: ReadonlySet<string> = new Set(),
): Iterable<Candidate> => ({
  *[Symbol.iterator]() {
    const seen = new Set<string>();
    const its = lists.map((l) => l[Symbol.iterator]());
    const live = its.map(() => true);
    let rank = 0;
    while (live.some(Boolean))
      for (let k = 0; k < its.length; k++) {
        if (!live[k]) continue;
        let next = its[k].next();
        while (!next.done && dropped.has(next.value.id)) next = its[k].next();
        if (next.done) {
          live[k] = false;
          continue;
        }
        const c = next.value;
        if (seen.has(c.id)) continue;
        seen.add(c.id);
        yield { ...c, part: k, score: 1 / ++rank };
      }
  },
});
