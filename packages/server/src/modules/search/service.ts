// The search service: retrieves (keyword, vector or both fused), applies rules, filters, personal boost,
// sorting, facets and paging over a tenant's in-memory index, and answers with a searchId.
import type {
  Item,
  Retriever,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchRules,
} from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import {
  type Clock,
  decodeCursor,
  encodeCursor,
  isoNow,
  newId,
  QuiverError,
  sha256Hex,
} from '../../kernel/index.ts';
import { TopK } from '../../kernel/top-k.ts';
import { createFairQueue } from './fair-queue.ts';
import { type Filter, matches, parseFilter } from './filters.ts';
import { fusedWindow } from './fused-window.ts';
import { DEFAULT_FUSION, type FusionConfig, fuse, type Ranked } from './fusion.ts';
import { categoryAffinity, type OnlineFeatures, personalFactor } from './personalize.ts';
import type { SecondPhaseScorer, VectorRetriever } from './ports.ts';
import { type AnalyzedQuery, analyzeQuery } from './query.ts';
import { searchRepository as repo } from './repository.ts';
import { DEFAULT_RERANK, type RerankConfig } from './rerank.ts';
import { curationFor, EMPTY_RULES, synonymMap } from './rules.ts';
import { rescore } from './second-phase.ts';
import { startIndexSync } from './sync.ts';
import { type CatalogSource, createTenantIndexes, type TenantIndex } from './tenant-index.ts';
import type { SearchService } from './types.ts';

/** How many nearest items a vector search asks for (before filters). */
export const VECTOR_CANDIDATES = 200;
const DEFAULT_LIMIT = 20;
const NONE: Retriever[] = [];

/** A ranked candidate; without `retrievers`, found by the mode's only retriever. */
type Candidate = { id: string; score: number; retrievers?: Retriever[] };
const RULES_TTL_MS = 5000;

export interface SearchDeps {
  db: SqlDatabase;
  stream: Stream;
  catalog: CatalogSource;
  clock: Clock;
  vectors?: VectorRetriever;
  /** Scores hybrid's second phase (the ONNX ranker); absent: the linear model of `rerank` in process. */
  ranker?: SecondPhaseScorer;
  features?: OnlineFeatures;
  onError?: (error: unknown) => void;
}

export interface SearchOptions {
  /**
   * Hybrid's second phase (rerank.ts); on by default. `null` ranks hybrid hits by `fusion` alone, the first
   * phase (reciprocal rank fusion unless set).
   */
  rerank?: RerankConfig | null;
  fusion?: FusionConfig;
  /** Durable stream consumer name; each process holding its own index needs its own. */
  consumerName?: string;
}

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
const sortOrder = (sort: NonNullable<SearchRequest['sort']>): ((a: Item, b: Item) => number) | undefined => {
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

export const createSearchService = (deps: SearchDeps, options: SearchOptions = {}): SearchService => {
  let stopped = false;
  const indexes = createTenantIndexes(deps.catalog, () => !stopped);
  const fair = createFairQueue();
  const fusion = options.fusion ?? DEFAULT_FUSION;
  const rerankConfig = options.rerank === undefined ? DEFAULT_RERANK : options.rerank;
  const rulesCache = new Map<string, { rules: SearchRules; at: number }>();
  let consumer: Awaited<ReturnType<typeof startIndexSync>> | undefined;

  const rulesOf = async (tenantId: string): Promise<SearchRules> => {
    const hit = rulesCache.get(tenantId);
    if (hit && deps.clock.now() - hit.at < RULES_TTL_MS) return hit.rules;
    const rules = (await repo.getRules(deps.db, tenantId)) ?? EMPTY_RULES;
    rulesCache.set(tenantId, { rules, at: deps.clock.now() });
    return rules;
  };

  const secondPhase = (
    tenantId: string,
    query: AnalyzedQuery,
    index: TenantIndex,
    lists: { keyword: Ranked[]; vector: Ranked[] },
    notices: string[],
  ) => rescore(deps, rerankConfig!, tenantId, query, lists, (terms) => index.coverage.scorer(terms), notices);

  /** The mode a request is answered in (hybrid falls back to keyword without a vector retriever). */
  const modeOf = (requested: SearchRequest['mode'], notices: string[]): SearchResponse['mode'] => {
    const mode = requested ?? 'hybrid';
    if (mode === 'keyword' || deps.vectors) return mode;
    if (mode === 'vector') throw new QuiverError('unavailable', 'no vector index');
    notices.push('hybrid: no vector index, keyword results only');
    return 'keyword';
  };

  /** Ranked candidates of the mode: every match, best first. */
  const retrieve = async (
    tenantId: string,
    index: TenantIndex,
    query: AnalyzedQuery,
    mode: SearchResponse['mode'],
    rules: SearchRules,
    notices: string[],
  ): Promise<Candidate[]> => {
    if (query.empty) {
      // Browsing: every item, in id order, found by no retriever.
      const ids = index.sortedIds();
      return ids.map((id) => ({ id, score: 0, retrievers: NONE }));
    }
    // The vector query (encoder on a worker thread, then HNSW) is started first and runs while the keyword
    // index scores on this thread.
    const vectorHits =
      mode === 'keyword' ? undefined : deps.vectors!.query(tenantId, query.text, VECTOR_CANDIDATES);
    const keyword =
      mode === 'vector' ? undefined : index.keyword.search(query, { alternatives: synonymMap(rules, query) });
    const vector = await vectorHits;
    // Single-retriever lists are passed on as they are: `retrievers` absent means the mode's one retriever.
    if (mode === 'keyword') return keyword!;
    if (mode === 'vector') return vector!;
    if (!rerankConfig) return fuse({ keyword, vector }, fusion);
    const lists = { keyword: keyword!, vector: vector! };
    const { candidates, rest } = await secondPhase(tenantId, query, index, lists, notices);
    return [...candidates, ...rest()];
  };

  const respond = (
    mode: SearchResponse['mode'],
    page: SearchHit[],
    total: number,
    offset: number,
    fingerprint: string,
    notices: string[],
    facets: SearchResponse['facets'] = {},
  ): SearchResponse => {
    const end = offset + page.length;
    return {
      searchId: newId('srch'),
      mode,
      total,
      hits: page,
      facets,
      nextCursor: end < total ? encodeCursor({ o: end, f: fingerprint }) : null,
      notices,
    };
  };

  return {
    async start(): Promise<void> {
      consumer = await startIndexSync(
        { stream: deps.stream, indexes, onError: deps.onError },
        { consumerName: options.consumerName },
      );
    },
    async stop(): Promise<void> {
      stopped = true;
      await consumer?.stop();
      consumer = undefined;
    },
    /** Builds these tenants' indexes now rather than on their first search, one after another. */
    async warm(tenantIds: Iterable<string>): Promise<void> {
      for (const t of tenantIds) if (!stopped) await indexes.get(t);
    },

    /**
     * `filter` is the request's filters already parsed and combined with a scoped key's (see
     * withEmbeddedFilters); by default the request's own.
     */
    async search(
      tenantId: string,
      request: SearchRequest,
      filter: Filter | undefined = request.filters === undefined ? undefined : parseFilter(request.filters),
    ): Promise<SearchResponse> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const sort = request.sort ?? 'relevance';
      // The effective filter, not the request's: a cursor from a search with other embedded filters is refused.
      const fingerprint = sha256Hex(
        JSON.stringify([request.query, filter, sort, request.mode, request.userId]),
      ).slice(0, 16);
      let offset = 0;
      if (request.cursor) {
        const c = decodeCursor(request.cursor, ['o', 'f']);
        if (c.f !== fingerprint || typeof c.o !== 'number' || c.o < 0)
          throw new QuiverError('invalid_cursor', 'The cursor belongs to a different search', {
            errors: [{ path: '/cursor', message: 'not from this query' }],
          });
        offset = c.o;
      }
      const notices: string[] = [];
      const mode = modeOf(request.mode, notices);
      const rules = await rulesOf(tenantId);
      const index = await indexes.get(tenantId);
      // The query is analyzed once; the rules, the keyword index and the second phase all read this value.
      const query = analyzeQuery(request.query);
      const curation = curationFor(rules, query);

      let affinity: Map<string, number> | undefined;
      if (request.userId && request.personalize !== false && deps.features && !query.empty) {
        try {
          affinity = await categoryAffinity(deps.features, tenantId, request.userId);
        } catch (error) {
          deps.onError?.(error);
          notices.push('personalization unavailable: features could not be read');
        }
      }

      const pass = (item: Item | undefined): item is Item =>
        item !== undefined && !curation.hide.has(item.id) && (!filter || matches(item, filter));
      const pinned = new Set<string>();
      const hits: Array<{ item: Item; score: number; retrievers: Retriever[] }> = [];
      for (const id of curation.pin) {
        const item = index.items.get(id);
        if (pinned.has(id) || !pass(item)) continue;
        pinned.add(id);
        hits.push({ item, score: 0, retrievers: ['pinned'] });
      }
      // Relevance order without facets or a personal boost needs only the requested page of the matches
      // (and their count): no hit is built for the others.
      const windowed = sort === 'relevance' && !request.facets?.length && !affinity;
      const from = windowed ? Math.max(0, offset - hits.length) : 0;
      const to = windowed ? offset + limit - hits.length : Number.POSITIVE_INFINITY;
      // Every keyword match is an indexed item, so without a filter or hidden items each one passes.
      const filtered = filter !== undefined || curation.hide.size > 0;
      const passes = (id: string) => pass(index.items.get(id));
      if (windowed && mode === 'keyword' && hits.length === 0 && !query.empty) {
        // The keyword index selects the page itself (a bounded heap, filters applied as it counts).
        const accept = filtered ? passes : undefined;
        const found = index.keyword.top(query, Math.max(to, 1), {
          alternatives: synonymMap(rules, query),
          accept,
        });
        const page = found.hits
          .slice(from, to)
          .map((h) => ({ item: index.items.get(h.id)!, score: h.score, retrievers: [mode] }));
        return respond(mode, page, found.total, offset, fingerprint, notices);
      }
      if (windowed && mode === 'hybrid' && hits.length === 0 && !query.empty) {
        const vector = await deps.vectors!.query(tenantId, query.text, VECTOR_CANDIDATES);
        if (rerankConfig) {
          // The second phase rescores the keyword head and the vector candidates; a page within the accepted
          // candidates is final. Deeper pages (or a filter that leaves too few) take the complete ranking below.
          const accept = filtered ? passes : (id: string) => index.items.has(id);
          const head = index.keyword.head(query, rerankConfig.keywordWindow, {
            alternatives: synonymMap(rules, query),
            accept: filtered ? passes : undefined,
            present: vector.map((v) => v.id),
          });
          const { candidates } = await secondPhase(
            tenantId,
            query,
            index,
            { keyword: head.hits, vector },
            notices,
          );
          const accepted = candidates.filter((r) => accept(r.id));
          if (accepted.length >= to) {
            let total = head.total;
            for (const id of new Set(vector.map((v) => v.id)))
              if (!head.present.has(id) && accept(id)) total++;
            const page = accepted.slice(from, to).map((r) => ({
              item: index.items.get(r.id)!,
              score: r.score,
              retrievers: [...r.retrievers],
            }));
            return respond(mode, page, total, offset, fingerprint, notices);
          }
        } else {
          const found = fusedWindow(
            index.keyword,
            query,
            { alternatives: synonymMap(rules, query) },
            vector,
            fusion,
            { from, to },
            filtered ? passes : (id) => index.items.has(id),
            filtered ? passes : undefined,
          );
          const page = found.page.map((r) => ({
            item: index.items.get(r.id)!,
            score: r.score,
            retrievers: [...r.retrievers],
          }));
          return respond(mode, page, found.total, offset, fingerprint, notices);
        }
      }
      // The complete ranking visits every match: a heavy search, run in the tenant's own queue (fair-queue.ts).
      return fair.run(tenantId, async () => {
        const ranked = await retrieve(tenantId, index, query, mode, rules, notices);
        const single: Retriever[] = mode === 'hybrid' ? NONE : [mode];
        const retrieversOf = (r: Candidate): Retriever[] => [...(r.retrievers ?? single)];
        if (hits.length > 0) {
          const found = new Map(ranked.map((r) => [r.id, r]));
          for (const h of hits) {
            const r = found.get(h.item.id);
            if (r) h.retrievers.push(...retrieversOf(r));
          }
        }
        const rest: typeof hits = [];
        let matched = 0;
        let top = 0;
        for (const r of ranked) {
          const item = index.items.get(r.id);
          if (pinned.has(r.id) || !pass(item)) continue;
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
        const total = hits.length + matched;
        const all = [...hits, ...rest];
        const order = sortOrder(sort);
        // A sort needs only the entries up to the page's end, best first: a bounded heap, not a sort of all.
        const sorted = order
          ? topOf(all.length, offset + limit, (i, j) => order(all[i].item, all[j].item) > 0).map(
              (i) => all[i],
            )
          : all;
        const page: SearchHit[] = windowed
          ? [...hits.slice(offset, offset + limit), ...rest].slice(0, limit)
          : sorted.slice(offset, offset + limit);
        return respond(
          mode,
          page,
          total,
          offset,
          fingerprint,
          notices,
          request.facets?.length
            ? index.facets.count(
                all.map((h) => h.item),
                request.facets,
              )
            : {},
        );
      });
    },

    /**
     * The tenant's items by id: its in-memory index, kept current by the catalog sync (read it, do not
     * change it). Builds the index on first use, like a search.
     */
    async items(tenantId: string): Promise<ReadonlyMap<string, Item>> {
      return (await indexes.get(tenantId)).items;
    },

    async getRules(tenantId: string): Promise<SearchRules> {
      return rulesOf(tenantId);
    },

    async putRules(tenantId: string, rules: SearchRules): Promise<SearchRules> {
      await repo.putRules(deps.db, tenantId, rules, isoNow(deps.clock));
      rulesCache.set(tenantId, { rules, at: deps.clock.now() });
      return rules;
    },
  };
};

export type { SearchService } from './types.ts';
