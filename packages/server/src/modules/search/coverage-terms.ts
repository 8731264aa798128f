// The coverage feature's text analyzed once per item, at index time: each item's distinct analyzed terms of
// its title, brand and description start, as sorted ids of one dictionary, so a query's coverage of a
// candidate is a few binary searches instead of a scan of its text (the same answer as `coverage`).
import { coverageText, type RerankText } from './rerank.ts';
import { analyze } from './tokenize.ts';

const NONE = new Uint32Array(0);

const has = (sorted: Uint32Array, id: number): boolean => {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid];
    if (at === id) return true;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
};

export class CoverageTerms {
  /** Term → id; ids are never reused (the vocabulary only grows, as the catalog's words do). */
  private readonly dictionary = new Map<string, number>();
  private readonly byItem = new Map<string, Uint32Array>();

  put(id: string, item: RerankText): void {
    const ids = new Set<number>();
    for (const term of analyze(coverageText(item))) {
      let at = this.dictionary.get(term);
      if (at === undefined) {
        at = this.dictionary.size;
        this.dictionary.set(term, at);
      }
      ids.add(at);
    }
    this.byItem.set(id, ids.size === 0 ? NONE : Uint32Array.from(ids).sort());
  }

  remove(id: string): void {
    this.byItem.delete(id);
  }

  /**
   * For `terms` (distinct analyzed query terms): each item's share of them, as `coverage` computes it from
   * the item's text; undefined for an item not put here.
   */
  scorer(terms: readonly string[]): (id: string) => number | undefined {
    const ids: number[] = [];
    for (const t of terms) {
      const at = this.dictionary.get(t);
      if (at !== undefined) ids.push(at);
    }
    return (id) => {
      const own = this.byItem.get(id);
      if (!own) return undefined;
      if (terms.length === 0) return 0;
      let found = 0;
      for (const at of ids) if (has(own, at)) found++;
      return found / terms.length;
    };
  }
}
