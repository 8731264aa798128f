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
import { countFacets } from './facets.ts';
import { type Filter, matches, parseFilter } from './filters.ts';
import { DEFAULT_FUSION, type FusionConfig, fuse } from './fusion.ts';
import { categoryAffinity, type OnlineFeatures, personalFactor } from './personalize.ts';
import type { SecondPhaseScorer, VectorRetriever } from './ports.ts';
import { searchRepository as repo } from './repository.ts';
import { DEFAULT_RERANK, orderRescored, type RerankConfig, rerankCandidates, rerankScore } from './rerank.ts';
import { curationFor, EMPTY_RULES, synonymMap } from './rules.ts';
import { startIndexSync } from './sync.ts';
import { type CatalogSource, createTenantIndexes } from './tenant-index.ts';
import { words } from './tokenize.ts';

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

export const createSearchService = (deps: SearchDeps, options: SearchOptions = {}) => {
  let stopped = false;
  const indexes = createTenantIndexes(deps.catalog, () => !stopped);
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

  /** Ranked candidates of the chosen mode, and the mode actually used. */
  const retrieve = async (
    tenantId: string,
    query: string,
    requested: SearchRequest['mode'],
    rules: SearchRules,
    notices: string[],
  ): Promise<{ mode: SearchResponse['mode']; ranked: Candidate[] }> => {
    const index = await indexes.get(tenantId);
    let mode = requested ?? 'hybrid';
    if (mode !== 'keyword' && !deps.vectors) {
      if (mode === 'vector') throw new QuiverError('unavailable', 'no vector index');
      notices.push('hybrid: no vector index, keyword results only');
      mode = 'keyword';
    }
    if (words(query).length === 0) {
      // Browsing: every item, in id order, found by no retriever.
      const ids = [...index.items.keys()].sort();
      return { mode, ranked: ids.map((id) => ({ id, score: 0, retrievers: NONE })) };
    }
    const keyword =
      mode === 'vector' ? undefined : index.keyword.search(query, { alternatives: synonymMap(rules, query) });
    const vector =
      mode === 'keyword' ? undefined : await deps.vectors!.query(tenantId, query, VECTOR_CANDIDATES);
    // Single-retriever lists are passed on as they are: `retrievers` absent means the mode's one retriever.
    if (mode === 'keyword') return { mode, ranked: keyword! };
    if (mode === 'vector') return { mode, ranked: vector! };
    if (!rerankConfig) return { mode, ranked: fuse({ keyword, vector }, fusion) };
    const lists = { keyword: keyword!, vector: vector! };
    const candidates = rerankCandidates(query, lists, (id) => index.items.get(id), rerankConfig);
    const inProcess = () => candidates.map((c) => rerankScore(c, rerankConfig.weights));
    let scores: number[];
    try {
      scores = deps.ranker
        ? await deps.ranker.score(
            tenantId,
            candidates.map((c) => c.features),
          )
        : inProcess();
      if (scores.length !== candidates.length)
        throw new Error(`the ranker gave ${scores.length} scores for ${candidates.length} candidates`);
    } catch (error) {
      // A failing ranker degrades the ranking, never the answer.
      deps.onError?.(error);
      notices.push('hybrid: the ranker failed, ranked by the built-in weights');
      scores = inProcess();
    }
    return { mode, ranked: orderRescored(candidates, scores, lists) };
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
      const rules = await rulesOf(tenantId);
      const { mode, ranked } = await retrieve(tenantId, request.query, request.mode, rules, notices);
      const index = await indexes.get(tenantId);
      const curation = curationFor(rules, request.query);

      let affinity: Map<string, number> | undefined;
      if (
        request.userId &&
        request.personalize !== false &&
        deps.features &&
        words(request.query).length > 0
      ) {
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
      const single: Retriever[] = mode === 'hybrid' ? NONE : [mode];
      const retrieversOf = (r: Candidate): Retriever[] => [...(r.retrievers ?? single)];
      if (hits.length > 0) {
        const found = new Map(ranked.map((r) => [r.id, r]));
        for (const h of hits) {
          const r = found.get(h.item.id);
          if (r) h.retrievers.push(...retrieversOf(r));
        }
      }
      // Relevance order without facets or a personal boost needs only the requested page of the matches
      // (and their count): no hit is built for the others.
      const windowed = sort === 'relevance' && !request.facets?.length && !affinity;
      const from = windowed ? Math.max(0, offset - hits.length) : 0;
      const to = windowed ? offset + limit - hits.length : Number.POSITIVE_INFINITY;
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
      let all = [...hits, ...rest];
      if (sort === 'price_asc' || sort === 'price_desc') {
        const cmp = byPrice(sort === 'price_asc' ? 1 : -1);
        all = all.sort((a, b) => cmp(a.item, b.item) || (a.item.id < b.item.id ? -1 : 1));
      } else if (sort === 'newest') {
        all = all.sort((a, b) =>
          a.item.createdAt < b.item.createdAt
            ? 1
            : a.item.createdAt > b.item.createdAt
              ? -1
              : a.item.id < b.item.id
                ? -1
                : 1,
        );
      }
      const page: SearchHit[] = windowed
        ? [...hits.slice(offset, offset + limit), ...rest].slice(0, limit)
        : all.slice(offset, offset + limit);
      const end = offset + page.length;
      return {
        searchId: newId('srch'),
        mode,
        total,
        hits: page,
        facets: request.facets?.length
          ? countFacets(
              all.map((h) => h.item),
              request.facets,
            )
          : {},
        nextCursor: end < total ? encodeCursor({ o: end, f: fingerprint }) : null,
        notices,
      };
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

export type SearchService = ReturnType<typeof createSearchService>;
