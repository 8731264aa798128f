// The second phase's wide feature rows (ranker input contract v2): the three features every ranker reads
// (keyword, vector, coverage) followed by cheap text and item features, computed only for the candidates and
// only when the tenant's ranker reads them. The text is analyzed once per item at index time (`FieldTerms`):
// its title's terms in order, its brand's and categories' terms, as ids of one dictionary.
import type { Item } from '@quiver/contracts';
import type { AnalyzedQuery } from './query.ts';
import type { CoverageOf } from './rerank.ts';
import { analyze } from './tokenize.ts';

/** The wide rows' columns, in order; a v2 ranker version names them in `metadata.ranker.features`. */
export const WIDE_RANKER_FEATURES = [
  'keyword',
  'vector',
  'coverage',
  /** Share of the query's terms in the title. */
  'title_coverage',
  /** Share of the query's adjacent term pairs found adjacent in the title (0 for one-term queries). */
  'title_phrase',
  /** The title starts with the query's first term. */
  'title_prefix',
  /** The title's distinct terms are exactly the query's. */
  'title_exact',
  /** Share of the query's terms holding a digit (model numbers) found in the title; 0 without any. */
  'model_number',
  /** The query holds a term with a digit (a query feature: lets trees treat model-number queries apart). */
  'query_has_number',
  /** The query's distinct terms, / 10 (a query feature). */
  'query_terms',
  /** The item has a brand and every brand term is in the query. */
  'brand_match',
  /** Share of the query's terms in the item's category paths. */
  'category_match',
  /** 1 / log2(2 + title terms): shorter titles are more specific. */
  'title_length',
  /** The item's price's place among the priced candidates, 0 (cheapest) to 1; −1 without a price. */
  'price_position',
  /** exp(−days since the item was created / 90); 0 when unknown. */
  'freshness',
  // Appended later (a version names its columns, so versions fitted before these read the first 15).
  /** BM25 of the query's terms over the titles alone (k1 1.2, b 0.75), ÷ the best among the candidates. */
  'title_bm25',
  /** Share of the query's terms holding a digit found in the title, brand or description start; 0 without. */
  'model_number_text',
  /** 1 / log2(2 + the candidate's place in the keyword list); 0 for a candidate keyword did not find. */
  'keyword_rank',
] as const;
export const WIDE_WIDTH = WIDE_RANKER_FEATURES.length;
/** How many leading columns the narrow (v1) ranker input holds. */
export const NARROW_WIDTH = 3;

const NONE = new Uint32Array(0);

/** BM25's parameters for `title_bm25`. */
const TITLE_K1 = 1.2;
const TITLE_B = 0.75;

interface ItemTerms {
  title: Uint32Array;
  brand: Uint32Array;
  categories: Uint32Array;
}

/** Each item's title, brand and category terms as dictionary ids, analyzed when the item is put. */
export class FieldTerms {
  private readonly dictionary = new Map<string, number>();
  private readonly byItem = new Map<string, ItemTerms>();
  /** How many titles hold each term id (distinct per title), and all titles' terms: `title_bm25`'s statistics. */
  private readonly titleDf = new Map<number, number>();
  private titleTerms = 0;

  private ids(text: string | undefined): Uint32Array {
    if (!text) return NONE;
    const terms = analyze(text);
    const out = new Uint32Array(terms.length);
    terms.forEach((t, i) => {
      let at = this.dictionary.get(t);
      if (at === undefined) {
        at = this.dictionary.size;
        this.dictionary.set(t, at);
      }
      out[i] = at;
    });
    return out;
  }

  private count(title: Uint32Array, by: 1 | -1): void {
    this.titleTerms += by * title.length;
    for (const t of new Set(title)) {
      const n = (this.titleDf.get(t) ?? 0) + by;
      if (n > 0) this.titleDf.set(t, n);
      else this.titleDf.delete(t);
    }
  }

  put(id: string, item: Pick<Item, 'title' | 'brand' | 'categories'>): void {
    this.remove(id);
    const terms = {
      title: this.ids(item.title),
      brand: this.ids(item.brand),
      categories: this.ids(item.categories?.join(' ').replaceAll('/', ' ')),
    };
    this.byItem.set(id, terms);
    this.count(terms.title, 1);
  }

  remove(id: string): void {
    const had = this.byItem.get(id);
    if (!had) return;
    this.count(had.title, -1);
    this.byItem.delete(id);
  }

  /** BM25 of the query's term ids over this title (the titles' own document frequencies and mean length). */
  titleBm25(q: Int32Array, title: Uint32Array): number {
    const n = this.byItem.size;
    if (n === 0 || title.length === 0) return 0;
    const norm = TITLE_K1 * (1 - TITLE_B + (TITLE_B * title.length) / (this.titleTerms / n));
    let score = 0;
    for (const t of new Set(q)) {
      if (t < 0) continue;
      let tf = 0;
      for (const x of title) if (x === t) tf++;
      if (tf === 0) continue;
      const df = this.titleDf.get(t) ?? 0;
      score += Math.log(1 + (n - df + 0.5) / (df + 0.5)) * ((tf * (TITLE_K1 + 1)) / (tf + norm));
    }
    return score;
  }

  get(id: string): ItemTerms | undefined {
    return this.byItem.get(id);
  }

  /** The query's terms as ids (−1: a term no item has). */
  termIds(terms: readonly string[]): Int32Array {
    return Int32Array.from(terms, (t) => this.dictionary.get(t) ?? -1);
  }
}

const share = (q: Int32Array, has: (t: number) => boolean): number => {
  if (q.length === 0) return 0;
  let n = 0;
  for (const t of q) if (t >= 0 && has(t)) n++;
  return n / q.length;
};

const DAY_MS = 86_400_000;

/** A candidate as the wide rows read it: its id and its three narrow features. */
export interface NarrowCandidate {
  id: string;
  features: readonly number[];
}

/** What the wide rows read of a tenant's index (search's TenantIndex). */
export interface WideSource {
  fields: FieldTerms;
  /** The stored items (price, createdAt). */
  items: ReadonlyMap<string, Pick<Item, 'price' | 'createdAt'>>;
  /** Coverage of the item's title, brand and description start (rerank.ts): `model_number_text`. */
  coverageOf: CoverageOf;
}

/**
 * The candidates' wide rows (WIDE_RANKER_FEATURES order), in the candidates' order: the one definition of
 * them, for the rows a ranker is trained on and the rows it is served. `now` is in ms.
 */
export const wideRows = (
  query: AnalyzedQuery,
  candidates: readonly NarrowCandidate[],
  source: WideSource,
  now: number,
): number[][] => {
  const { fields, items } = source;
  const q = fields.termIds(query.terms);
  const qSet = new Set(q);
  const numeric = query.terms.map((t) => /\d/.test(t));
  const modelIds = q.filter((_, i) => numeric[i]);
  const queryFeatures = [modelIds.length > 0 ? 1 : 0, Math.min(query.terms.length, 10) / 10];
  const modelTerms = query.terms.filter((_, i) => numeric[i]);
  const modelInText = modelTerms.length > 0 ? source.coverageOf(modelTerms) : () => 0;
  const titleBm25 = candidates.map((c) => fields.titleBm25(q, fields.get(c.id)?.title ?? NONE));
  const bestTitle = Math.max(0, ...titleBm25);
  // Price places among the priced candidates.
  const prices = candidates
    .map((c) => items.get(c.id)?.price?.amount)
    .filter((p): p is number => p !== undefined)
    .sort((a, b) => a - b);
  const pricePlace = (p: number | undefined): number => {
    if (p === undefined) return -1;
    if (prices.length < 2) return 0.5;
    let lo = 0;
    let hi = prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prices[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    return lo / (prices.length - 1);
  };
  return candidates.map((c, r) => {
    const f = fields.get(c.id);
    const item = items.get(c.id);
    const title = f?.title ?? NONE;
    const titleSet = new Set(title);
    let pairs = 0;
    for (let i = 1; i < q.length; i++) {
      const [a, b] = [q[i - 1], q[i]];
      if (a < 0 || b < 0) continue;
      for (let k = 1; k < title.length; k++)
        if (title[k - 1] === a && title[k] === b) {
          pairs++;
          break;
        }
    }
    const brand = f?.brand ?? NONE;
    const categories = new Set(f?.categories ?? NONE);
    const created = item?.createdAt ? Date.parse(item.createdAt) : Number.NaN;
    return [
      c.features[0],
      c.features[1],
      c.features[2],
      share(q, (t) => titleSet.has(t)),
      q.length > 1 ? pairs / (q.length - 1) : 0,
      q.length > 0 && title.length > 0 && title[0] === q[0] ? 1 : 0,
      titleSet.size > 0 && titleSet.size === qSet.size && [...titleSet].every((t) => qSet.has(t)) ? 1 : 0,
      share(modelIds, (t) => titleSet.has(t)) * (modelIds.length > 0 ? 1 : 0),
      ...queryFeatures,
      brand.length > 0 && brand.every((t) => qSet.has(t)) ? 1 : 0,
      share(q, (t) => categories.has(t)),
      1 / Math.log2(2 + title.length),
      pricePlace(item?.price?.amount),
      Number.isFinite(created) ? Math.exp(-Math.max(0, now - created) / DAY_MS / 90) : 0,
      bestTitle > 0 ? titleBm25[r] / bestTitle : 0,
      modelInText(c.id) ?? 0,
      // Keyword candidates come first, in the keyword list's order (rerankCandidates).
      c.features[0] > 0 ? 1 / Math.log2(2 + r) : 0,
    ];
  });
};

/**
 * The columns a ranker version reads, from its metadata: `ranker.features` when it names them (every name a
 * wide column), else the width of its sample input (3: the narrow rows; more: the first that many wide
 * columns); undefined when neither says (an uploaded ranker without a sample reads the narrow rows).
 */
export const rankerColumns = (metadata: Record<string, unknown>): readonly string[] | undefined => {
  const named = (metadata.ranker as { features?: unknown } | undefined)?.features;
  if (Array.isArray(named) && named.every((n) => typeof n === 'string')) return named as string[];
  const sample = metadata.sampleInput as Array<{ shape?: unknown }> | undefined;
  const width = Array.isArray(sample) && Array.isArray(sample[0]?.shape) ? sample[0].shape[1] : undefined;
  return typeof width === 'number' && width >= 1 && width <= WIDE_WIDTH
    ? WIDE_RANKER_FEATURES.slice(0, width)
    : undefined;
};

/** Each of `columns`' place among the wide columns; throws naming a column the wide rows do not have. */
export const wideIndexes = (columns: readonly string[]): Int32Array =>
  Int32Array.from(columns, (c) => {
    const at = (WIDE_RANKER_FEATURES as readonly string[]).indexOf(c);
    if (at < 0) throw new Error(`the ranker reads a column the wide rows do not have: '${c}'`);
    return at;
  });

/** The wide rows' `indexes` columns, in that order. */
export const pickColumns = (rows: readonly (readonly number[])[], indexes: Int32Array): number[][] =>
  rows.map((row) => Array.from(indexes, (i) => row[i]));
