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
  // Scratch of `shares` (search is synchronous).
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);

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

  /** The query terms' ids (terms no item has are left out: no item holds them). */
  private idsOf(terms: readonly string[]): number[] {
    const wanted: number[] = [];
    for (const t of terms) {
      const at = this.dictionary.get(t);
      if (at !== undefined) wanted.push(at);
    }
    return wanted;
  }

  /** How many of `wanted` the sorted ids `pool[start .. end)` hold (a binary search each). */
  private found(wanted: readonly number[], start: number, end: number): number {
    const pool = this.pool;
    let found = 0;
    for (const id of wanted) {
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
    return found;
  }

  /**
   * For `terms` (distinct analyzed query terms): the share of them in document `no`'s coverage text, as
   * `coverage` computes it from the item's text; undefined for a document not put here.
   */
  scorer(terms: readonly string[]): (no: number) => number | undefined {
    const wanted = this.idsOf(terms);
    return (no) => {
      const slots = this.slots;
      const count = 2 * no + 1 < slots.length ? slots[2 * no + 1] : 0;
      if (count === 0) return undefined;
      const start = slots[2 * no];
      return terms.length === 0 ? 0 : this.found(wanted, start, start + count - 1) / terms.length;
    };
  }

  /**
   * `scorer(terms)` of every document of `docs` at once, into `out` (NaN: not put here): first every
   * document's place in the pool (independent reads, so their cache misses overlap), then the searches.
   * About half the time of `scorer` per document with cold caches (50k items, 500-deep heads: 190–220 →
   * 95–140 µs per query).
   */
  shares(terms: readonly string[], docs: readonly number[], out: Float64Array): void {
    const wanted = this.idsOf(terms);
    const n = docs.length;
    const slots = this.slots;
    if (this.starts.length < n) {
      this.starts = new Int32Array(n);
      this.ends = new Int32Array(n);
    }
    const { starts, ends } = this;
    for (let i = 0; i < n; i++) {
      const no = docs[i];
      const count = 2 * no + 1 < slots.length ? slots[2 * no + 1] : 0;
      starts[i] = slots[2 * no];
      ends[i] = count === 0 ? -1 : starts[i] + count - 1;
    }
    for (let i = 0; i < n; i++) {
      if (ends[i] < 0) out[i] = Number.NaN;
      else out[i] = terms.length === 0 ? 0 : this.found(wanted, starts[i], ends[i]) / terms.length;
    }
  }
}

/**
 * `CoverageOf` from coverage terms put by document number, `numberOf` giving an id's number (the keyword
 * index's); candidates that come with their numbers are looked up all at once, without their ids.
 */
export const coverageOfTerms = (
  terms: CoverageTerms,
  numberOf: (id: string) => number | undefined,
): CoverageOf => {
  const byId = (query: readonly string[]) => {
    const byDoc = terms.scorer(query);
    return (id: string) => {
      const no = numberOf(id);
      return no === undefined ? undefined : byDoc(no);
    };
  };
  return Object.assign(byId, {
    docs: (query: readonly string[], docs: readonly number[], out: Float64Array) =>
      terms.shares(query, docs, out),
  });
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
