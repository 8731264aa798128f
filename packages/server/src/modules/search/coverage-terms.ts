// The coverage feature's text analyzed once per item, at index time: each item's distinct analyzed terms of
// its title, brand and description start, as sorted ids of one dictionary, so a query's coverage of a
// candidate is a few binary searches instead of a scan of its text (the same answer as `coverage`). The ids of
// every item live in one flat array, found by the item's keyword-index document number: a candidate's lookup
// touches two typed arrays, no Map and no per-item object (the lookups were memory latency, issue 20).
// A query asked about many candidates at once is counted instead (`scorer`'s `candidates`): one pass over
// each query term's documents, tallied by document number, when those lists are short enough.
import { type CoverageOf, coverageText, type RerankText } from './rerank.ts';
import { analyze } from './tokenize.ts';

const grow = (a: Uint32Array, size: number): Uint32Array => {
  if (a.length >= size) return a;
  const next = new Uint32Array(Math.max(size, a.length * 2, 1024));
  next.set(a);
  return next;
};

const growBytes = (a: Uint8Array, size: number): Uint8Array => {
  if (a.length >= size) return a;
  const next = new Uint8Array(Math.max(size, a.length * 2, 1024));
  next.set(a);
  return next;
};

/**
 * A query is counted through its terms' documents when they hold at most this many entries per candidate
 * (else each candidate's ids are searched): an entry is a sequential read and one write to a small array, a
 * candidate's search a few cache misses and binary searches (issue 20).
 */
const COUNT_PER_CANDIDATE = 32;
/** Tally slots hold a query stamp (24 bits) and its count (8 bits): at most 255 query terms are counted. */
const MAX_COUNTED_TERMS = 255;
const MAX_STAMP = 0xffffff;

/** A document's state in `postings`: not there, there with its current ids, or dirty (stale or missing). */
const UNPOSTED = 0;
const POSTED = 1;
const DIRTY = 2;

export class CoverageTerms {
  /** Term → id; ids are never reused (the vocabulary only grows, as the catalog's words do). */
  private readonly dictionary = new Map<string, number>();
  /** By document number, two slots: where its ids start in `pool`, and their count + 1 (0: no such item). */
  private slots: Uint32Array = new Uint32Array(0);
  /** Every item's sorted ids, back to back; a replaced or removed item's old ids stay until `repack`. */
  private pool: Uint32Array = new Uint32Array(0);
  private used = 0;
  private live = 0;
  /**
   * By term id, the documents whose ids held it when put (ascending after a rebuild). A replaced or removed
   * document is marked dirty instead of being found in the lists: its coverage is then searched, never
   * counted, until the lists are rebuilt (when dirty documents pass an eighth of the clean ones).
   */
  private postings: number[][] = [];
  private state: Uint8Array = new Uint8Array(0);
  private clean = 0;
  private dirty = 0;
  /** By document number: the stamp of the query that last counted it (high 24 bits) and its count there. */
  private tally: Uint32Array = new Uint32Array(0);
  private stamp = 0;
  /** The stamp whose tally is still exact (0: none; any put or remove ends it). */
  private current = 0;

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
    this.state = growBytes(this.state, no + 1);
    if (this.state[no] === UNPOSTED) {
      for (const id of sorted) {
        const list = this.postings[id];
        if (list) list.push(no);
        else this.postings[id] = [no];
      }
      this.state[no] = POSTED;
      this.clean++;
    }
    if (this.dirty > (this.clean >> 3) + 64) this.rebuildPostings();
  }

  remove(no: number): void {
    this.current = 0;
    if (this.state[no] === POSTED) {
      this.state[no] = DIRTY;
      this.clean--;
      this.dirty++;
    }
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

  /** Every live document's ids listed again under their terms: nothing dirty, each list ascending. */
  private rebuildPostings(): void {
    const { slots, pool, state } = this;
    this.postings = [];
    this.clean = 0;
    this.dirty = 0;
    for (let no = 0; 2 * no < slots.length && no < state.length; no++) {
      const count = slots[2 * no + 1];
      if (!count) {
        state[no] = UNPOSTED;
        continue;
      }
      for (let at = slots[2 * no], end = at + count - 1; at < end; at++) {
        const list = this.postings[pool[at]];
        if (list) list.push(no);
        else this.postings[pool[at]] = [no];
      }
      state[no] = POSTED;
      this.clean++;
    }
  }

  /** Counts, for each document listed under `wanted`, how many of them it holds; returns the tally's stamp. */
  private count(wanted: readonly number[]): number {
    this.stamp = this.stamp === MAX_STAMP ? 1 : this.stamp + 1;
    const size = this.slots.length >> 1;
    if (this.tally.length < size) this.tally = new Uint32Array(Math.max(size, this.tally.length * 2));
    else if (this.stamp === 1) this.tally.fill(0);
    const tally = this.tally;
    const stamp = this.stamp;
    const fresh = ((stamp << 8) | 1) >>> 0;
    for (const id of wanted) {
      const list = this.postings[id];
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const no = list[i];
        const v = tally[no];
        tally[no] = v >>> 8 === stamp ? v + 1 : fresh;
      }
    }
    this.current = stamp;
    return stamp;
  }

  /**
   * For `terms` (distinct analyzed query terms): the share of them in document `no`'s coverage text, as
   * `coverage` computes it from the item's text; undefined for a document not put here. Given how many
   * `candidates` will be asked, the terms' documents are counted up front when that is cheaper than searching
   * each candidate's ids (the same answers; a document written since, or dirty, is searched).
   */
  scorer(terms: readonly string[], candidates?: number): (no: number) => number | undefined {
    const wanted: number[] = [];
    for (const t of terms) {
      const at = this.dictionary.get(t);
      if (at !== undefined) wanted.push(at);
    }
    const search = (no: number): number | undefined => {
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
    if (candidates === undefined || wanted.length === 0 || wanted.length > MAX_COUNTED_TERMS) return search;
    let entries = 0;
    for (const id of wanted) entries += this.postings[id]?.length ?? 0;
    if (entries > COUNT_PER_CANDIDATE * candidates) return search;
    const stamp = this.count(wanted);
    return (no) => {
      if (this.current !== stamp || this.state[no] !== POSTED) return search(no);
      const v = this.tally[no];
      return (v >>> 8 === stamp ? v & 0xff : 0) / terms.length;
    };
  }
}

/**
 * `CoverageOf` from coverage terms put by document number, `numberOf` giving an id's number (the keyword
 * index's): a candidate that comes with its number is not looked up by id.
 */
export const coverageOfTerms =
  (terms: CoverageTerms, numberOf: (id: string) => number | undefined): CoverageOf =>
  (query, candidates) => {
    const byDoc = terms.scorer(query, candidates);
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
