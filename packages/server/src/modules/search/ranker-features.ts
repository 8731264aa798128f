// The second phase's wide feature rows (ranker input contract v2): the three features every ranker reads
// (keyword, vector, coverage) followed by cheap text and item features, computed only for the candidates and
// only when the tenant's ranker reads them. The text is analyzed once per item at index time (`FieldTerms`):
// its title's terms in order, its brand's and categories' terms, as ids of one dictionary.
import type { Item } from '@quiver/contracts';
import type { AnalyzedQuery } from './query.ts';
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
] as const;
export const WIDE_WIDTH = WIDE_RANKER_FEATURES.length;
/** How many leading columns the narrow (v1) ranker input holds. */
export const NARROW_WIDTH = 3;

const NONE = new Uint32Array(0);

interface ItemTerms {
  title: Uint32Array;
  brand: Uint32Array;
  categories: Uint32Array;
}

/** Each item's title, brand and category terms as dictionary ids, analyzed when the item is put. */
export class FieldTerms {
  private readonly dictionary = new Map<string, number>();
  private readonly byItem = new Map<string, ItemTerms>();

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

  put(id: string, item: Pick<Item, 'title' | 'brand' | 'categories'>): void {
    this.byItem.set(id, {
      title: this.ids(item.title),
      brand: this.ids(item.brand),
      categories: this.ids(item.categories?.join(' ').replaceAll('/', ' ')),
    });
  }

  remove(id: string): void {
    this.byItem.delete(id);
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

/**
 * The candidates' wide rows (WIDE_RANKER_FEATURES order), in the candidates' order. `items` gives the stored
 * item (price, createdAt); `now` is in ms.
 */
export const wideRows = (
  query: AnalyzedQuery,
  candidates: readonly NarrowCandidate[],
  fields: FieldTerms,
  items: ReadonlyMap<string, Pick<Item, 'price' | 'createdAt'>>,
  now: number,
): number[][] => {
  const q = fields.termIds(query.terms);
  const qSet = new Set(q);
  const numeric = query.terms.map((t) => /\d/.test(t));
  const modelIds = q.filter((_, i) => numeric[i]);
  const queryFeatures = [modelIds.length > 0 ? 1 : 0, Math.min(query.terms.length, 10) / 10];
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
  return candidates.map((c) => {
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
    ];
  });
};
