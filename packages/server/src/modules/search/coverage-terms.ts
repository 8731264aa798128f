// The coverage feature's text analyzed once per item, at index time: each item's distinct analyzed terms of
// its title, brand and description start, as sorted ids of one dictionary, so a query's coverage of a
// candidate is a few binary searches instead of a scan of its text (the same answer as `coverage`). The ids of
// every item live in one flat array, found by the item's keyword-index document number: a candidate's lookup
// touches two typed arrays, no Map and no per-item object (the lookups were memory latency, issue 20).
import { type CoverageOf, coverageText, type RerankText } from './rerank.ts';
import { analyze } from './tokenize.ts';

const grow = (a: Uint32Array, size: number): Uint32Array => {
  if (a.length >= size) return a;
  const next = new Uint32Array(Math.max(size, a.length * 2, 1024));
  next.set(a);
  return next;
};

export class CoverageTerms {
  /** Term → id; ids are never reused (the vocabulary only grows, as the catalog's words do). */
  private readonly dictionary = new Map<string, number>();
  /** By document number, two slots: where its ids start in `pool`, and their count + 1 (0: no such item). */
  private slots: Uint32Array = new Uint32Array(0);
  /** Every item's sorted ids, back to back; a replaced or removed item's old ids stay until `repack`. */
  private pool: Uint32Array = new Uint32Array(0);
  private used = 0;
  private live = 0;

  /** Sets document `no`'s coverage text (adds it, or replaces what it had). */
  put(no: number, item: RerankText): void {
    const ids = new Set<number>();
    for (const term of analyze(coverageText(item))) {
      let at = this.dictionary.get(term);
      if (at === undefined) {
        at = this.dictionary.size;
        this.dictionary.set(term, at);
      }
      ids.add(at);
    }
    this.remove(no);
    const sorted = Uint32Array.from(ids).sort();
    // Before growing, a pool that is mostly garbage is repacked instead: afterwards at least half of it is
    // free, so repacking (O(documents + live ids)) is amortized over as many written ids.
    if (this.used + sorted.length > this.pool.length && this.used - this.live > this.live) this.repack();
    this.pool = grow(this.pool, this.used + sorted.length);
    this.pool.set(sorted, this.used);
    this.slots = grow(this.slots, 2 * no + 2);
    this.slots[2 * no] = this.used;
    this.slots[2 * no + 1] = sorted.length + 1;
    this.used += sorted.length;
    this.live += sorted.length;
  }

  remove(no: number): void {
    const count = this.slots[2 * no + 1];
    if (!count) return;
    this.live -= count - 1;
    this.slots[2 * no + 1] = 0;
  }

  /** Drops the ids of replaced and removed items: every live item's ids moved to the front, in place. */
  private repack(): void {
    const { slots, pool } = this;
    // Items in pool order, so each one moves towards the front over ground already read.
    const order: number[] = [];
    for (let no = 0; 2 * no < slots.length; no++) if (slots[2 * no + 1]) order.push(no);
    order.sort((a, b) => slots[2 * a] - slots[2 * b]);
    let to = 0;
    for (const no of order) {
      const from = slots[2 * no];
      const count = slots[2 * no + 1] - 1;
      pool.copyWithin(to, from, from + count);
      slots[2 * no] = to;
      to += count;
    }
    this.used = to;
  }

  /**
   * For `terms` (distinct analyzed query terms): the share of them in document `no`'s coverage text, as
   * `coverage` computes it from the item's text; undefined for a document not put here.
   */
  scorer(terms: readonly string[]): (no: number) => number | undefined {
    const wanted: number[] = [];
    for (const t of terms) {
      const at = this.dictionary.get(t);
      if (at !== undefined) wanted.push(at);
    }
    return (no) => {
      const slots = this.slots;
      const count = 2 * no + 1 < slots.length ? slots[2 * no + 1] : 0;
      if (count === 0) return undefined;
      const pool = this.pool;
      const start = slots[2 * no];
      const end = start + count - 1;
      let found = 0;
      for (const id of wanted) {
        // Binary search of the item's sorted ids.
        let lo = start;
        let hi = end - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          const at = pool[mid];
          if (at === id) {
            found++;
            break;
          }
          if (at < id) lo = mid + 1;
          else hi = mid - 1;
        }
      }
      return terms.length === 0 ? 0 : found / terms.length;
    };
  }
}

/**
 * `CoverageOf` from coverage terms put by document number, `numberOf` giving an id's number (the keyword
 * index's): a candidate that comes with its number is not looked up by id.
 */
export const coverageOfTerms =
  (terms: CoverageTerms, numberOf: (id: string) => number | undefined): CoverageOf =>
  (query) => {
    const byDoc = terms.scorer(query);
    return (id, doc) => {
      const no = doc ?? numberOf(id);
      return no === undefined ? undefined : byDoc(no);
    };
  };

/** `CoverageOf` over these items alone, numbered in order (benchmarks and tests without a keyword index). */
export const coverageOfItems = (items: Iterable<RerankText & { id: string }>): CoverageOf => {
  const terms = new CoverageTerms();
  const numbers = new Map<string, number>();
  for (const item of items) {
    if (!numbers.has(item.id)) numbers.set(item.id, numbers.size);
    terms.put(numbers.get(item.id)!, item);
  }
  return coverageOfTerms(terms, (id) => numbers.get(id));
};
