// Content vectors for a catalog with little text: each item's title words, category path prefixes, brand and
// attribute values as tokens weighted by IDF, hashed into a fixed number of signed dimensions (no encoder
// model needed), for the content trainer's factors graph.
import type { ItemVectors } from './content.ts';

/** What content similarity reads of an item (a catalog Item or BatchItem fits). */
export interface ContentItem {
  id: string;
  title?: string;
  brand?: string;
  categories?: readonly string[];
  attributes?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_TEXT_DIM = 512;
const WORD = /[\p{L}\p{N}]{2,}/gu;

/** An item's distinct tokens: `w:` title words, `c:` category path prefixes, `b:` brand, `a:` attributes. */
export const contentTokens = (item: ContentItem): Set<string> => {
  const out = new Set<string>();
  for (const w of (item.title ?? '').toLowerCase().match(WORD) ?? []) out.add(`w:${w}`);
  for (const c of item.categories ?? []) {
    const parts = c.toLowerCase().split('/').filter(Boolean);
    for (let k = 1; k <= parts.length; k++) out.add(`c:${parts.slice(0, k).join('/')}`);
  }
  if (item.brand) out.add(`b:${item.brand.toLowerCase()}`);
  for (const [k, v] of Object.entries(item.attributes ?? {}))
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out.add(`a:${k}=${String(v).toLowerCase()}`);
  return out;
};

/** FNV-1a, 32 bits. */
const hash = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/**
 * Row i = Σ over item i's tokens of idf(t)·sign(t)·e_{bucket(t)}, idf(t) = ln(N / df(t)); a token every item
 * has weighs 0. Rows are not normalized (the content trainer normalizes).
 */
export const textVectors = (items: readonly ContentItem[], dim = DEFAULT_TEXT_DIM): ItemVectors => {
  const tokens = items.map(contentTokens);
  const df = new Map<string, number>();
  for (const set of tokens) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
  const vectors = new Float32Array(items.length * dim);
  tokens.forEach((set, i) => {
    for (const t of set) {
      const h = hash(t);
      const idf = Math.log(items.length / df.get(t)!);
      vectors[i * dim + (h % dim)] += (h & 0x80000000 ? -1 : 1) * idf;
    }
  });
  return { ids: items.map((it) => it.id), dim, vectors };
};
