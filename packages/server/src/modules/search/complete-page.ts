// A page of the complete ranking (every match visited): pinned items first, the personal boost, a sort other
// than relevance, facets over all matches. The service runs it in the tenant's fair queue (fair-queue.ts).
import type { Item, Retriever, SearchRequest, SearchResponse } from '@quiver/contracts';
import { TopK } from '../../kernel/top-k.ts';
import { facetStats } from './facets.ts';
import type { Page, PageRequest } from './page.ts';
import { personalFactor } from './personalize.ts';
import { type Candidate, NO_RETRIEVERS } from './ranking.ts';

export interface CompleteOptions {
  /** The curation's pinned items that pass, in order, each once. */
  pins: readonly Item[];
  sort: NonNullable<SearchRequest['sort']>;
  facets?: SearchRequest['facets'];
  /** Numeric fields to summarize over all matches. */
  facetStats?: SearchRequest['facetStats'];
  /** The user's category shares: the personal boost. */
  affinity?: ReadonlyMap<string, number>;
  /** Relevance order without facets or a personal boost: hits are built for the requested page only. */
  windowed: boolean;
}

type Hit = { item: Item; score: number; retrievers: Retriever[] };

const byPrice = (dir: 1 | -1) => (a: Item, b: Item) => {
  const x = a.price?.amount;
  const y = b.price?.amount;
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  return dir * (x - y);
};
const byId = (a: Item, b: Item) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const newestFirst = (a: Item, b: Item) =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;

/** A sort's total order over items (ties by id), or undefined for relevance (the ranking's own order). */
const sortOrder = (sort: CompleteOptions['sort']): ((a: Item, b: Item) => number) | undefined => {
  const first =
    sort === 'price_asc'
      ? byPrice(1)
      : sort === 'price_desc'
        ? byPrice(-1)
        : sort === 'newest'
          ? newestFirst
          : undefined;
  return first && ((a, b) => first(a, b) || byId(a, b));
};

/** The best `k` of entries 0…n−1, best first (`worse(i, j)`: i ranks below j). */
const topOf = (n: number, k: number, worse: (i: number, j: number) => boolean): number[] => {
  const heap = new TopK(k, worse);
  for (let i = 0; i < n; i++) heap.offer(i);
  return heap.drain();
};

/** The page of `ranked` (the complete ranking, best first) that the request asks for. */
export const completePage = (
  req: PageRequest,
  ranked: readonly Candidate[],
  options: CompleteOptions,
): Page => {
  const { offset, limit } = req;
  const { affinity, windowed } = options;
  const pinned = new Set(options.pins.map((item) => item.id));
  const hits: Hit[] = options.pins.map((item) => ({ item, score: 0, retrievers: ['pinned'] }));
  const from = windowed ? Math.max(0, offset - hits.length) : 0;
  const to = windowed ? offset + limit - hits.length : Number.POSITIVE_INFINITY;
  const single: Retriever[] = req.mode === 'hybrid' ? NO_RETRIEVERS : [req.mode];
  const retrieversOf = (r: Candidate): Retriever[] => [...(r.retrievers ?? single)];
  if (hits.length > 0) {
    const found = new Map(ranked.map((r) => [r.id, r]));
    for (const h of hits) {
      const r = found.get(h.item.id);
      if (r) h.retrievers.push(...retrieversOf(r));
    }
  }
  const rest: Hit[] = [];
  let matched = 0;
  let top = 0;
  for (const r of ranked) {
    const item = req.index.items.get(r.id);
    if (pinned.has(r.id) || !req.pass(item)) continue;
    if (matched === 0) top = r.score;
    if (matched >= from && matched < to)
      rest.push({
        item,
        score: affinity ? r.score * personalFactor(item, affinity) : r.score,
        retrievers: retrieversOf(r),
      });
    matched++;
  }
  if (affinity) {
    rest.sort((a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : 1));
    top = rest[0]?.score ?? 0;
  }
  // Pinned items lead a relevance ranking with scores above every other hit.
  hits.forEach((h, i) => {
    h.score = top + hits.length - i;
  });
  const all = [...hits, ...rest];
  const order = sortOrder(options.sort);
  // A sort needs only the entries up to the page's end, best first: a bounded heap, not a sort of all.
  const sorted = order
    ? topOf(all.length, offset + limit, (i, j) => order(all[i].item, all[j].item) > 0).map((i) => all[i])
    : all;
  const page = windowed
    ? [...hits.slice(offset, offset + limit), ...rest].slice(0, limit)
    : sorted.slice(offset, offset + limit);
  const facets: SearchResponse['facets'] = options.facets?.length
    ? req.index.facets.count(
        all.map((h) => h.item),
        options.facets,
      )
    : {};
  const stats = options.facetStats?.length
    ? facetStats(
        all.map((h) => h.item),
        options.facetStats,
      )
    : undefined;
  return { hits: page, total: hits.length + matched, facets, ...(stats ? { facetStats: stats } : {}) };
};
