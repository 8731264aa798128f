// Quiver's own in-memory inverted index: BM25 with per-field weights (BM25F-style), prefix expansion of the
// last query word for search-as-you-type, and typo tolerance by bounded Damerau distance over the vocabulary.

import { type AnalyzedQuery, asQuery } from './query.ts';
import { ranksAmong } from './ranks.ts';
import { HEAP_MAX, PageHeap, type Selected, selectBest } from './select-best.ts';
import { analyze, stem, words } from './tokenize.ts';

export const FIELDS = ['title', 'brand', 'categories', 'description', 'attributes'] as const;
export type Field = (typeof FIELDS)[number];
export type KeywordDoc = Partial<Record<Field, string>>;

export const DEFAULT_FIELD_WEIGHTS: Record<Field, number> = {
  title: 3,
  brand: 2,
  categories: 1.5,
  description: 1,
  attributes: 0.8,
};

export interface KeywordOptions {
  weights?: Partial<Record<Field, number>>;
  k1?: number;
  b?: number;
}

export interface QueryOptions {
  /** Expand the last word to the terms it begins (search-as-you-type); default true. */
  prefix?: boolean;
  /** Allow 1 edit from 4 characters and 2 from 8; default true. */
  typos?: boolean;
  /** Extra alternatives per query word (synonyms), keyed by the lowercase word. */
  alternatives?: ReadonlyMap<string, readonly string[]>;
}

export interface KeywordHit {
  id: string;
  score: number;
}

/** Edits allowed for a query word of this length: 1 from 4 characters, 2 from 8. */
export const allowedTypos = (length: number): number => (length >= 8 ? 2 : length >= 4 ? 1 : 0);

const PREFIX_WEIGHT = 0.7;
const TYPO_WEIGHT = [1, 0.55, 0.35];
const MAX_PREFIX_TERMS = 64;
const F = FIELDS.length;

/**
 * Damerau distance (optimal string alignment: two swapped neighbours are one edit, as Meilisearch and Algolia
 * count a typo) when at most `max`, else max + 1. Rows stop early once every cell exceeds `max`: a later
 * transposition cell d[i-2][j-2] + 1 is never below the substitution cell d[i-1][j-1] it passes over.
 */
export const boundedDistance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const width = b.length + 1;
  if (distanceRows.length < 3 * width) distanceRows = new Int32Array(6 * width);
  // Three rows of one scratch array, rotated: two rows back (transpositions), the previous, the current.
  const rows = distanceRows;
  let before = 0;
  let prev = width;
  let cur = 2 * width;
  for (let j = 0; j <= b.length; j++) rows[prev + j] = j;
  for (let i = 1; i <= a.length; i++) {
    rows[cur] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = Math.min(rows[prev + j] + 1, rows[cur + j - 1] + 1, rows[prev + j - 1] + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj)
        v = Math.min(v, rows[before + j - 2] + 1);
      rows[cur + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const spare = before;
    before = prev;
    prev = cur;
    cur = spare;
  }
  return rows[prev + b.length];
};
/** boundedDistance's rows, reused (it runs for every vocabulary term near a misspelled query word). */
let distanceRows = new Int32Array(0);

/** Documents changed since the last compaction beyond which a search compacts first (or 1/8 of the index). */
export const DELTA_MAX_DOCS = 1024;

export interface TopOptions extends QueryOptions {
  /** Only documents it accepts are counted and ranked (exact filters); absent: every match. */
  accept?: (id: string) => boolean;
}

export interface KeywordTop {
  /** The best `k` accepted matches, best first (score descending, then id ascending). */
  hits: KeywordHit[];
  /** How many documents match (and are accepted): exact, not an estimate. */
  total: number;
}

export interface HeadOptions extends TopOptions {
  /** Ids whose rank among all matches is wanted, wherever they rank. */
  locate?: readonly string[];
  /** Ids of which only whether they match is wanted (no rank computed): cheaper than `locate`. */
  present?: readonly string[];
}

export interface KeywordHead {
  /** The best `depth` matches, unfiltered, best first: ranks 0 … depth - 1 of `search`. */
  hits: KeywordHit[];
  /** Rank (in `search` order) and score of each located id that matches. */
  located: Map<string, { rank: number; score: number }>;
  /** The ids of `present` that match. */
  present: Set<string>;
  /** The hits' document numbers (`numberOf`), in the hits' order. */
  docs: readonly number[];
  /** Matches in all. */
  matches: number;
  /** Matches `accept` accepts (all matches without it). */
  total: number;
}

/** One query word's index terms and their factors (idf × the variant's weight), in variant order. */
interface Clause {
  terms: number[];
  factors: number[];
}

type Bm25 = (no: number, tf: Uint16Array, at: number) => number;

interface Prepared {
  clauses: Clause[];
  bm25: Bm25;
}

const grow = <T extends Uint16Array | Uint8Array | Int32Array | Float64Array>(a: T, size: number): T => {
  if (a.length >= size) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2, 64));
  next.set(a);
  return next;
};

/**
 * Postings live in two segments. The base segment holds, per term, its documents (Int32Array) and their
 * term frequency per field (Uint16Array, F per document), built by `compact()`. Documents written since then
 * are the delta: each term lists their numbers in a plain array, and their frequencies are read from the
 * document's own term list. A written or removed document's base postings are skipped (`inBase` is 0) until
 * the next compaction drops them, so a single upsert or delete is searchable at once.
 */
export class KeywordIndex {
  private readonly weights: Float64Array;
  private readonly k1: number;
  private readonly b: number;
  // Term dictionary: a term's number indexes `df` and the postings arrays.
  private readonly termNo = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Live documents containing the term (a term with 0 is not in the vocabulary). */
  private df = new Int32Array(0);
  private baseDocs: Array<Int32Array | undefined> = [];
  private baseTf: Array<Uint16Array | undefined> = [];
  private deltaDocs: Array<number[] | undefined> = [];
  private deltaCount = 0;
  // By document number: its distinct terms and their frequencies (F per term), field lengths, base flag.
  private readonly docTerms: Array<Int32Array | undefined> = [];
  private readonly docTf: Array<Uint16Array | undefined> = [];
  private lengths = new Uint16Array(0);
  private inBase = new Uint8Array(0);
  private readonly totalLength = new Float64Array(F);
  private readonly numbers = new Map<string, number>();
  private readonly ids: string[] = [];
  private nextNo = 0;
  private scoreBuffer = new Float64Array(0);
  // Per term, each base posting's BM25F sum before idf, valid while `lengthEpoch` is what it was computed at.
  private baseParts: Array<Float64Array | undefined> = [];
  private basePartsEpoch: number[] = [];
  /** Changes whenever the average field lengths (or the documents counted) may have changed. */
  private lengthEpoch = 0;
  private bestBuffer = new Float64Array(0);
  // The numbers `score` matched (the first `count` entries), and those a multi-variant clause touched.
  private matchedBuffer = new Int32Array(0);
  private touchedBuffer = new Int32Array(0);
  private readonly pageHeap = new PageHeap();
  /** By document number: its place in id order, for numbers below `rankedBelow` (ranked at compaction). */
  private idRank = new Int32Array(0);
  private rankedBelow = 0;
  private sortedTerms: string[] | null = null;
  private byLength: Map<number, string[]> | null = null;

  constructor(options: KeywordOptions = {}) {
    const w = { ...DEFAULT_FIELD_WEIGHTS, ...options.weights };
    this.weights = Float64Array.from(FIELDS.map((f) => w[f]));
    this.k1 = options.k1 ?? 0.9;
    this.b = options.b ?? 0.4;
  }

  get size(): number {
    return this.numbers.size;
  }

  has(id: string): boolean {
    return this.numbers.has(id);
  }

  /**
   * The document's number: kept while the document is (an update keeps it; compaction does not renumber),
   * never reused after it is removed. Others may index per-document data by it.
   */
  numberOf(id: string): number | undefined {
    return this.numbers.get(id);
  }

  /** Adds or replaces a document. */
  put(id: string, doc: KeywordDoc): void {
    // A replaced document keeps its number, so updates do not grow the per-query score arrays.
    const previous = this.numbers.get(id);
    this.remove(id);
    const no = previous ?? this.nextNo++;
    this.lengthEpoch++;
    this.numbers.set(id, no);
    this.ids[no] = id;
    this.lengths = grow(this.lengths, (no + 1) * F);
    this.inBase = grow(this.inBase, no + 1);
    const tfByTerm = new Map<number, Uint16Array>();
    FIELDS.forEach((field, f) => {
      const text = doc[field];
      if (!text) return;
      const tokens = analyze(text);
      const length = Math.min(tokens.length, 65535);
      this.lengths[no * F + f] = length;
      this.totalLength[f] += length;
      for (const t of tokens) {
        const term = this.termOf(t);
        let tf = tfByTerm.get(term);
        if (!tf) {
          tf = new Uint16Array(F);
          tfByTerm.set(term, tf);
        }
        if (tf[f] < 65535) tf[f]++;
      }
    });
    const termList = Int32Array.from(tfByTerm.keys());
    const tfs = new Uint16Array(termList.length * F);
    termList.forEach((term, i) => {
      tfs.set(tfByTerm.get(term)!, i * F);
      if (this.df[term]++ === 0) this.vocabularyChanged();
      const delta = this.deltaDocs[term];
      if (delta) delta.push(no);
      else this.deltaDocs[term] = [no];
    });
    this.docTerms[no] = termList;
    this.docTf[no] = tfs;
    this.inBase[no] = 0;
    this.deltaCount++;
  }

  remove(id: string): boolean {
    const no = this.numbers.get(id);
    if (no === undefined) return false;
    this.lengthEpoch++;
    for (const term of this.docTerms[no] ?? []) if (--this.df[term] === 0) this.vocabularyChanged();
    for (let f = 0; f < F; f++) {
      this.totalLength[f] -= this.lengths[no * F + f];
      this.lengths[no * F + f] = 0;
    }
    this.docTerms[no] = undefined;
    this.docTf[no] = undefined;
    this.inBase[no] = 0;
    this.deltaCount++;
    this.numbers.delete(id);
    delete this.ids[no];
    return true;
  }

  /** Rebuilds the base segment from every live document and empties the delta (O(postings)). */
  compact(): void {
    const counts = new Int32Array(this.terms.length);
    for (const termList of this.docTerms) if (termList) for (const term of termList) counts[term]++;
    const docs = Array.from(counts, (c) => (c > 0 ? new Int32Array(c) : undefined));
    const tfs = Array.from(counts, (c) => (c > 0 ? new Uint16Array(c * F) : undefined));
    const fill = new Int32Array(this.terms.length);
    this.docTerms.forEach((termList, no) => {
      if (!termList) return;
      const own = this.docTf[no]!;
      for (let i = 0; i < termList.length; i++) {
        const term = termList[i];
        const at = fill[term]++;
        docs[term]![at] = no;
        tfs[term]!.set(own.subarray(i * F, i * F + F), at * F);
      }
      this.inBase[no] = 1;
    });
    this.baseDocs = docs;
    this.baseTf = tfs;
    this.baseParts = [];
    this.deltaDocs = [];
    this.deltaCount = 0;
    this.rankIds();
  }

  /**
   * Ranks every live document by id, so ties on score compare two integers instead of two strings. A number is
   * never given to another id (a replaced document keeps its number, a new id takes the next), so the ranks
   * stay true for the numbers below `rankedBelow`; documents numbered later compare by their id strings.
   */
  private rankIds(): void {
    const ids = this.ids;
    const live: number[] = [];
    for (let no = 0; no < this.nextNo; no++) if (ids[no] !== undefined) live.push(no);
    live.sort((a, b) => (ids[a] < ids[b] ? -1 : 1));
    const rank = new Int32Array(this.nextNo);
    for (let r = 0; r < live.length; r++) rank[live[r]] = r;
    this.idRank = rank;
    this.rankedBelow = this.nextNo;
  }

  /** Whether document `a`'s id sorts before `b`'s (the tie-break of every ranking here). */
  private readonly idBefore = (a: number, b: number): boolean =>
    a < this.rankedBelow && b < this.rankedBelow
      ? this.idRank[a] < this.idRank[b]
      : this.ids[a] < this.ids[b];

  /** Every document matching at least one query word, best first (unbounded; the caller filters and cuts). */
  search(query: string | AnalyzedQuery, options: QueryOptions = {}): KeywordHit[] {
    const count = this.score(query, options);
    const scores = this.scoreBuffer;
    const order = Array.from(this.matchedBuffer.subarray(0, count)).sort(this.comparator());
    const hits: KeywordHit[] = new Array(order.length);
    for (let j = 0; j < order.length; j++) hits[j] = { id: this.ids[order[j]], score: scores[order[j]] };
    this.clear(count);
    return hits;
  }

  /**
   * The best `k` matches the filter accepts and how many it accepts in all: the same ranking as `search`,
   * without sorting (or allocating a hit for) every match.
   */
  top(query: string | AnalyzedQuery, k: number, options: TopOptions = {}): KeywordTop {
    const best = this.topDocs(query, k, options);
    return { hits: this.hitsOf(best), total: best.total };
  }

  /**
   * `top` as document numbers (`numberOf`) and scores, best first, without a hit object per match: for a caller
   * that reads per-document data by number.
   */
  topDocs(query: string | AnalyzedQuery, k: number, options: TopOptions = {}): Selected {
    const ctx = this.prepare(query, options);
    const ids = this.ids;
    const accept = options.accept;
    const acceptNo = accept && ((no: number) => accept(ids[no]));
    // A page (k small) of one-variant words with every base posting live: selected as the last word is scored.
    return ctx && k <= HEAP_MAX && this.deltaCount === 0 && ctx.clauses.every((c) => c.terms.length <= 1)
      ? this.topAsScored(ctx, k, acceptNo)
      : selectBest(this.matchedBuffer, this.scoreWith(ctx), this.scoreBuffer, k, this.idBefore, acceptNo);
  }

  /**
   * `top` for clauses of at most one term each and no stale or delta posting: the clauses before the last are
   * scored as `score` does; the last clause's documents are final once its part is added (the same sum, in the
   * same order: before + part, where `score` adds into 0 + before), so each goes to the page's heap at once and
   * its score is zeroed; then the documents only earlier clauses matched, those still non-zero. One pass over
   * the matches fewer than `score` then `selectBest`, and none for a one-word query (its postings are the page's
   * input, never written to the scores).
   */
  private topAsScored(ctx: Prepared, k: number, accept?: (no: number) => boolean): Selected {
    const heap = this.pageHeap.reset(k, this.idBefore);
    const scores = this.scoreBuffer;
    const matched = this.matchedBuffer;
    const clauses = ctx.clauses;
    let last = clauses.length - 1;
    while (last >= 0 && clauses[last].terms.length === 0) last--;
    if (last < 0) return heap.selected(0);
    // The clauses before the last, scored as `score` scores them.
    const count = this.scoreWith(ctx, last);
    const term = clauses[last].terms[0];
    const factor = clauses[last].factors[0];
    const docs = this.baseDocs[term]!;
    const part = this.contributions(term, ctx.bm25);
    let floor = Number.NEGATIVE_INFINITY;
    let total = 0;
    for (let j = 0; j < docs.length; j++) {
      const no = docs[j];
      let s = part[j] * factor;
      if (count > 0) {
        const before = scores[no];
        if (before !== 0) {
          s = before + s;
          scores[no] = 0;
        }
      }
      if (accept !== undefined && !accept(no)) continue;
      total++;
      if (s >= floor) floor = heap.offer(s, no);
    }
    // Matched by earlier clauses only: the last clause zeroed the others.
    for (let i = 0; i < count; i++) {
      const no = matched[i];
      const s = scores[no];
      if (s === 0) continue;
      scores[no] = 0;
      if (accept !== undefined && !accept(no)) continue;
      total++;
      if (s >= floor) floor = heap.offer(s, no);
    }
    return heap.selected(total);
  }

  /**
   * What fusing the keyword ranking with another needs, without sorting every match: its head, the ranks of
   * the other list's ids, and the filtered count.
   */
  head(query: string | AnalyzedQuery, depth: number, options: HeadOptions = {}): KeywordHead {
    const count = this.score(query, options);
    const matched = this.matchedBuffer.subarray(0, count);
    const scores = this.scoreBuffer;
    const ids = this.ids;
    const accept = options.accept;
    let total = count;
    if (accept) {
      total = 0;
      for (let i = 0; i < count; i++) if (accept(ids[matched[i]])) total++;
    }
    const targets: number[] = [];
    for (const id of new Set(options.locate ?? [])) {
      const no = this.numbers.get(id);
      if (no !== undefined && scores[no] > 0) targets.push(no);
    }
    const located = new Map<string, { rank: number; score: number }>();
    if (targets.length > 0) {
      const ranks = ranksAmong(matched, targets.sort(this.comparator()), scores, ids);
      for (let t = 0; t < targets.length; t++)
        located.set(ids[targets[t]], { rank: ranks[t], score: scores[targets[t]] });
    }
    const present = new Set<string>();
    for (const id of options.present ?? []) {
      const no = this.numbers.get(id);
      if (no !== undefined && scores[no] > 0) present.add(id);
    }
    const best = selectBest(this.matchedBuffer, count, scores, depth, this.idBefore);
    return { hits: this.hitsOf(best), located, present, docs: best.nos, matches: count, total };
  }

  private hitsOf(best: Selected): KeywordHit[] {
    const hits: KeywordHit[] = new Array(best.nos.length);
    for (let i = 0; i < hits.length; i++) hits[i] = { id: this.ids[best.nos[i]], score: best.scores[i] };
    return hits;
  }

  /** Zeroes the scores of the first `count` matched numbers (left zeroed for the next query). */
  private clear(count: number): void {
    const scores = this.scoreBuffer;
    const matched = this.matchedBuffer;
    for (let i = 0; i < count; i++) scores[matched[i]] = 0;
  }

  private comparator() {
    const scores = this.scoreBuffer;
    return (x: number, y: number) => scores[y] - scores[x] || (this.idBefore(x, y) ? -1 : 1);
  }

  /**
   * The index terms (stems) the query's words stand for: exact, prefix completions, typo corrections and
   * synonyms, as scoring expands them. What highlighting marks.
   */
  matchedTerms(query: string | AnalyzedQuery, options: QueryOptions = {}): Set<string> {
    const { clauses, lastIsTyped } = asQuery(query);
    const out = new Set<string>();
    clauses.forEach((word, i) => {
      for (const t of this.variants(word, options, lastIsTyped && i === clauses.length - 1).keys())
        if (this.known(t)) out.add(t);
      for (const alt of options.alternatives?.get(word) ?? []) for (const w of words(alt)) out.add(stem(w));
    });
    return out;
  }

  /**
   * Scores every matching document into `scoreBuffer` (by document number) and lists their numbers first in
   * `matchedBuffer`; returns how many. The caller reads and then zeroes those scores (`clear`, `selectBest`). A query word is
   * a clause scoring the best of its variants.
   */
  private score(query: string | AnalyzedQuery, options: QueryOptions): number {
    return this.scoreWith(this.prepare(query, options));
  }

  /** `score` of a prepared query (undefined: an empty index, no match), its clauses before `end` only. */
  private scoreWith(ctx: Prepared | undefined, end = ctx?.clauses.length ?? 0): number {
    if (!ctx) return 0;
    const scores = this.scoreBuffer;
    const best = this.bestBuffer;
    const matched = this.matchedBuffer;
    const touched = this.touchedBuffer;
    let count = 0;
    const { inBase } = this;
    // No document written or removed since the last compaction: no base posting is stale.
    const allLive = this.deltaCount === 0;
    for (let c = 0; c < end; c++) {
      const clause = ctx.clauses[c];
      let touches = 0;
      if (clause.terms.length === 1) {
        // One variant: its score is the clause's, added straight in (x + s, as through `best` below).
        const term = clause.terms[0];
        const factor = clause.factors[0];
        const docs = this.baseDocs[term];
        if (docs) {
          const part = this.contributions(term, ctx.bm25);
          if (count === 0 && allLive) {
            // Nothing scored yet and every base posting live: each document is new (a term lists it once), and
            // 0 + x is x, so the score is set as it would be added.
            for (let j = 0; j < docs.length; j++) {
              const no = docs[j];
              matched[j] = no;
              scores[no] = part[j] * factor;
            }
            count = docs.length;
          } else {
            for (let j = 0; j < docs.length; j++) {
              const no = docs[j];
              if (inBase[no] !== 1) continue;
              if (scores[no] === 0) matched[count++] = no;
              scores[no] += part[j] * factor;
            }
          }
        }
        for (const no of this.deltaDocs[term] ?? []) {
          const s = this.deltaScore(no, term, ctx.bm25);
          if (s === 0 || best[no] !== 0) continue;
          // A delta number may repeat: `best` marks the document scored for this clause.
          best[no] = 1;
          touched[touches++] = no;
          if (scores[no] === 0) matched[count++] = no;
          scores[no] += s * factor;
        }
        for (let t = 0; t < touches; t++) best[touched[t]] = 0;
        continue;
      }
      for (let v = 0; v < clause.terms.length; v++) {
        const term = clause.terms[v];
        const factor = clause.factors[v];
        const docs = this.baseDocs[term];
        if (docs) {
          const part = this.contributions(term, ctx.bm25);
          for (let j = 0; j < docs.length; j++) {
            const no = docs[j];
            if (inBase[no] !== 1) continue;
            const s = part[j] * factor;
            if (best[no] === 0) touched[touches++] = no;
            if (s > best[no]) best[no] = s;
          }
        }
        for (const no of this.deltaDocs[term] ?? []) {
          const part = this.deltaScore(no, term, ctx.bm25);
          if (part === 0) continue;
          const s = part * factor;
          if (best[no] === 0) touched[touches++] = no;
          if (s > best[no]) best[no] = s;
        }
      }
      for (let t = 0; t < touches; t++) {
        const no = touched[t];
        if (scores[no] === 0) matched[count++] = no;
        scores[no] += best[no];
        best[no] = 0;
      }
    }
    return count;
  }

  /**
   * A delta document's BM25F sum for the term, 0 when it is in the base segment or no longer has the term
   * (delta numbers may repeat or be stale: the document's current term list decides).
   */
  private deltaScore(no: number, term: number, bm25: Bm25): number {
    const own = this.docTerms[no];
    if (this.inBase[no] === 1 || !own) return 0;
    const at = own.indexOf(term);
    return at < 0 ? 0 : bm25(no, this.docTf[no]!, at * F);
  }

  /**
   * The BM25F sum (before idf) of each of the term's base postings. It depends only on the postings and the
   * average field lengths, so it is computed once and kept until a write changes those lengths (or a
   * compaction the postings): a query then costs one multiplication per posting instead of the field loop.
   */
  private contributions(term: number, bm25: Bm25): Float64Array {
    const kept = this.baseParts[term];
    if (kept && this.basePartsEpoch[term] === this.lengthEpoch) return kept;
    const docs = this.baseDocs[term]!;
    const tfs = this.baseTf[term]!;
    const part = kept ?? new Float64Array(docs.length);
    for (let j = 0; j < docs.length; j++) part[j] = bm25(docs[j], tfs, j * F);
    this.baseParts[term] = part;
    this.basePartsEpoch[term] = this.lengthEpoch;
    return part;
  }

  /**
   * What scoring a query needs: its clauses' index terms with their factors (idf × variant weight), and the
   * BM25F sum of one document's field frequencies `tf[at .. at + F)` (the same arithmetic, in the same order,
   * for base and delta postings, so a document scores the same in either). Undefined for an empty index.
   */
  private prepare(query: string | AnalyzedQuery, options: QueryOptions): Prepared | undefined {
    const { clauses: queryWords, lastIsTyped } = asQuery(query);
    const n = this.numbers.size;
    if (n === 0) return undefined;
    if (this.deltaCount > Math.max(DELTA_MAX_DOCS, n >> 3)) this.compact();
    const avg = Array.from(this.totalLength, (t) => Math.max(t / n, 1));
    // Dense arrays by document number, reused across queries (search is synchronous) and left zeroed.
    this.scoreBuffer = grow(this.scoreBuffer, this.nextNo);
    this.bestBuffer = grow(this.bestBuffer, this.nextNo);
    this.matchedBuffer = grow(this.matchedBuffer, this.nextNo);
    this.touchedBuffer = grow(this.touchedBuffer, this.nextNo);
    const { k1, b, weights, lengths } = this;
    const bm25: Bm25 = (no, tf, at) => {
      let s = 0;
      const lo = no * F;
      for (let f = 0; f < F; f++) {
        const t = tf[at + f];
        if (t === 0) continue;
        s += (weights[f] * (t * (k1 + 1))) / (t + k1 * (1 - b + (b * lengths[lo + f]) / avg[f]));
      }
      return s;
    };
    const clauses = queryWords.map((word, i) => {
      const isLast = lastIsTyped && i === queryWords.length - 1;
      const variants = this.variants(word, options, isLast);
      for (const alt of options.alternatives?.get(word) ?? [])
        for (const w of words(alt)) if (!variants.has(stem(w))) variants.set(stem(w), 1);
      const clause: Clause = { terms: [], factors: [] };
      for (const [text, weight] of variants) {
        const term = this.termNo.get(text);
        if (term === undefined || this.df[term] === 0) continue;
        const df = this.df[term];
        clause.terms.push(term);
        clause.factors.push(Math.log(1 + (n - df + 0.5) / (df + 0.5)) * weight);
      }
      return clause;
    });
    return { clauses, bm25 };
  }

  private termOf(text: string): number {
    let term = this.termNo.get(text);
    if (term === undefined) {
      term = this.terms.length;
      this.termNo.set(text, term);
      this.terms.push(text);
      this.df = grow(this.df, term + 1);
    }
    return term;
  }

  private vocabularyChanged(): void {
    this.sortedTerms = null;
    this.byLength = null;
  }

  /** True when some live document contains the term. */
  private known(text: string): boolean {
    const term = this.termNo.get(text);
    return term !== undefined && this.df[term] > 0;
  }

  private docFrequency(text: string): number {
    return this.df[this.termNo.get(text)!];
  }

  private vocabulary(): string[] {
    return this.terms.filter((t) => this.known(t));
  }

  /** The index terms a query word stands for, with a weight each (exact 1, prefix and typos less). */
  private variants(word: string, options: QueryOptions, isLast: boolean): Map<string, number> {
    const out = new Map<string, number>();
    const exact = stem(word);
    out.set(exact, 1);
    if (exact !== word && this.known(word)) out.set(word, 1);
    // A word the vocabulary knows is taken as typed: completions and corrections only for unknown words
    // (a finished word stays precise; a fragment still being typed expands).
    const known = this.known(exact) || this.known(word);
    if (isLast && !known && options.prefix !== false && word.length >= 2) {
      const sorted = this.sorted();
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < word) lo = mid + 1;
        else hi = mid;
      }
      const found: string[] = [];
      for (let i = lo; i < sorted.length && sorted[i].startsWith(word); i++) found.push(sorted[i]);
      // Most frequent completions first: they are what a shopper is most likely typing.
      found.sort((a, b) => this.docFrequency(b) - this.docFrequency(a));
      for (const t of found.slice(0, MAX_PREFIX_TERMS)) if (!out.has(t)) out.set(t, PREFIX_WEIGHT);
    }
    const max = options.typos === false || known || /\d/.test(word) ? 0 : allowedTypos(word.length);
    if (max > 0) {
      // Index terms are stems: compare both the word as typed and its stem ("headphnes" → "headphn").
      const forms = exact === word ? [word] : [word, exact];
      const buckets = this.lengthBuckets();
      const shortest = Math.min(...forms.map((f) => f.length));
      for (let len = shortest - max; len <= word.length + max; len++) {
        for (const t of buckets.get(len) ?? []) {
          if (out.has(t)) continue;
          let d = boundedDistance(forms[0], t, max);
          if (forms.length > 1 && d > 0) d = Math.min(d, boundedDistance(forms[1], t, max));
          if (d <= max) out.set(t, TYPO_WEIGHT[d]);
        }
      }
    }
    return out;
  }

  private sorted(): string[] {
    if (!this.sortedTerms) this.sortedTerms = this.vocabulary().sort();
    return this.sortedTerms;
  }

  private lengthBuckets(): Map<number, string[]> {
    if (!this.byLength) {
      this.byLength = new Map();
      for (const t of this.vocabulary()) {
        if (/\d/.test(t)) continue;
        const list = this.byLength.get(t.length) ?? [];
        list.push(t);
        this.byLength.set(t.length, list);
      }
    }
    return this.byLength;
  }
}
