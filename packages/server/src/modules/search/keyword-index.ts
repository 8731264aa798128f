// Quiver's own in-memory inverted index: BM25 with per-field weights (BM25F-style), prefix expansion of the
// last query word for search-as-you-type, and typo tolerance by bounded edit distance over the vocabulary.
import { analyze, isStopWord, stem, words } from './tokenize.ts';

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

/** Levenshtein distance when at most `max`, else max + 1 (rows stop early once every cell exceeds it). */
export const boundedDistance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
};

export class KeywordIndex {
  private readonly weights: Float64Array;
  private readonly k1: number;
  private readonly b: number;
  private readonly postings = new Map<string, Map<number, Uint16Array>>();
  private readonly docTerms = new Map<number, string[]>();
  /** Field lengths by document number (undefined for removed numbers). */
  private readonly lengths: Array<Uint16Array | undefined> = [];
  private readonly totalLength = new Float64Array(F);
  private readonly numbers = new Map<string, number>();
  private readonly ids: string[] = [];
  private nextNo = 0;
  private scoreBuffer = new Float64Array(0);
  private bestBuffer = new Float64Array(0);
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

  /** Adds or replaces a document. */
  put(id: string, doc: KeywordDoc): void {
    // A replaced document keeps its number, so updates do not grow the per-query score arrays.
    const previous = this.numbers.get(id);
    this.remove(id);
    const no = previous ?? this.nextNo++;
    this.numbers.set(id, no);
    this.ids[no] = id;
    const lengths = new Uint16Array(F);
    const terms = new Set<string>();
    FIELDS.forEach((field, f) => {
      const text = doc[field];
      if (!text) return;
      const tokens = analyze(text);
      lengths[f] = Math.min(tokens.length, 65535);
      this.totalLength[f] += lengths[f];
      for (const t of tokens) {
        let list = this.postings.get(t);
        if (!list) {
          list = new Map();
          this.postings.set(t, list);
          this.sortedTerms = null;
          this.byLength = null;
        }
        let tf = list.get(no);
        if (!tf) {
          tf = new Uint16Array(F);
          list.set(no, tf);
          terms.add(t);
        }
        if (tf[f] < 65535) tf[f]++;
      }
    });
    this.lengths[no] = lengths;
    this.docTerms.set(no, [...terms]);
  }

  remove(id: string): boolean {
    const no = this.numbers.get(id);
    if (no === undefined) return false;
    for (const t of this.docTerms.get(no) ?? []) {
      const list = this.postings.get(t);
      list?.delete(no);
      if (list && list.size === 0) {
        this.postings.delete(t);
        this.sortedTerms = null;
        this.byLength = null;
      }
    }
    const lengths = this.lengths[no];
    if (lengths) for (let f = 0; f < F; f++) this.totalLength[f] -= lengths[f];
    this.lengths[no] = undefined;
    this.docTerms.delete(no);
    this.numbers.delete(id);
    delete this.ids[no];
    return true;
  }

  /** Every document matching at least one query word, best first (unbounded; the caller filters and cuts). */
  search(query: string, options: QueryOptions = {}): KeywordHit[] {
    const raw = words(query);
    const meaningful = raw.filter((w) => !isStopWord(w));
    const qwords = meaningful.length > 0 ? meaningful : raw;
    const n = this.numbers.size;
    if (n === 0) return [];
    const avg = Array.from(this.totalLength, (t) => Math.max(t / n, 1));
    // Dense arrays by document number, far cheaper per posting than maps; reused across queries (search is
    // synchronous) and left zeroed after each.
    if (this.scoreBuffer.length < this.nextNo) {
      this.scoreBuffer = new Float64Array(this.nextNo * 2);
      this.bestBuffer = new Float64Array(this.nextNo * 2);
    }
    const scores = this.scoreBuffer;
    const best = this.bestBuffer;
    const matched: number[] = [];
    const touched: number[] = [];
    const k1 = this.k1;
    const b = this.b;
    qwords.forEach((word, i) => {
      const isLast = i === qwords.length - 1 && raw[raw.length - 1] === word;
      const variants = this.variants(word, options, isLast);
      for (const alt of options.alternatives?.get(word) ?? [])
        for (const w of words(alt)) if (!variants.has(stem(w))) variants.set(stem(w), 1);
      touched.length = 0;
      for (const [term, weight] of variants) {
        const list = this.postings.get(term);
        if (!list) continue;
        const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
        for (const [no, tf] of list) {
          const len = this.lengths[no]!;
          let s = 0;
          for (let f = 0; f < F; f++) {
            const t = tf[f];
            if (t === 0) continue;
            s += (this.weights[f] * (t * (k1 + 1))) / (t + k1 * (1 - b + (b * len[f]) / avg[f]));
          }
          s *= idf * weight;
          if (best[no] === 0) touched.push(no);
          if (s > best[no]) best[no] = s;
        }
      }
      for (const no of touched) {
        if (scores[no] === 0) matched.push(no);
        scores[no] += best[no];
        best[no] = 0;
      }
    });
    const hits: KeywordHit[] = new Array(matched.length);
    for (let j = 0; j < matched.length; j++) {
      hits[j] = { id: this.ids[matched[j]], score: scores[matched[j]] };
      scores[matched[j]] = 0;
    }
    return hits.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1));
  }

  /** The index terms a query word stands for, with a weight each (exact 1, prefix and typos less). */
  private variants(word: string, options: QueryOptions, isLast: boolean): Map<string, number> {
    const out = new Map<string, number>();
    const exact = stem(word);
    out.set(exact, 1);
    if (exact !== word && this.postings.has(word)) out.set(word, 1);
    // A word the vocabulary knows is taken as typed: completions and corrections only for unknown words
    // (a finished word stays precise; a fragment still being typed expands).
    const known = this.postings.has(exact) || this.postings.has(word);
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
      found.sort((a, b) => this.postings.get(b)!.size - this.postings.get(a)!.size);
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
          const d = Math.min(...forms.map((f) => boundedDistance(f, t, max)));
          if (d <= max) out.set(t, TYPO_WEIGHT[d]);
        }
      }
    }
    return out;
  }

  private sorted(): string[] {
    if (!this.sortedTerms) this.sortedTerms = [...this.postings.keys()].sort();
    return this.sortedTerms;
  }

  private lengthBuckets(): Map<number, string[]> {
    if (!this.byLength) {
      this.byLength = new Map();
      for (const t of this.postings.keys()) {
        if (/\d/.test(t)) continue;
        const list = this.byLength.get(t.length) ?? [];
        list.push(t);
        this.byLength.set(t.length, list);
      }
    }
    return this.byLength;
  }
}
