// The search service: resolves a request once (cursor, mode, rules, the analyzed query, filter, personal
// boost), chooses the page builder that answers it — a windowed keyword or hybrid page, or the complete
// ranking (a browse's or the retrievers') in the tenant's fair queue — and answers with a searchId.
import type { Item, SearchRequest, SearchResponse, SearchRules } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import { annotate, type Clock, isoNow, newId, QuiverError } from '../../kernel/index.ts';
import { completePage } from './complete-page.ts';
import { fingerprintOf, nextCursor, offsetOf } from './cursor.ts';
import { createFairQueue } from './fair-queue.ts';
import { type Filter, matches, parseFilter } from './filters.ts';
import { DEFAULT_FUSION, type FusionConfig } from './fusion.ts';
import { hybridPage } from './hybrid-page.ts';
import { keywordPage } from './keyword-page.ts';
import type { Page, PageRequest, Retrieval } from './page.ts';
import { type OnlineFeatures, requestAffinity } from './personalize.ts';
import type { SecondPhaseScorer, VectorRetriever } from './ports.ts';
import { analyzeQuery } from './query.ts';
import { browseRanking, retrieveRanking } from './ranking.ts';
import { searchRepository as repo } from './repository.ts';
import { DEFAULT_RERANK, type RerankConfig } from './rerank.ts';
import { curationFor, EMPTY_RULES, synonymMap } from './rules.ts';
import { startIndexSync } from './sync.ts';
import { type CatalogSource, createTenantIndexes } from './tenant-index.ts';
import type { SearchService } from './types.ts';

export { VECTOR_CANDIDATES } from './page.ts';

const DEFAULT_LIMIT = 20;
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

export const createSearchService = (deps: SearchDeps, options: SearchOptions = {}): SearchService => {
  let stopped = false;
  const indexes = createTenantIndexes(deps.catalog, () => !stopped);
  const fair = createFairQueue();
  const retrieval: Retrieval = {
    vectors: deps.vectors,
    ranker: deps.ranker,
    onError: deps.onError,
    rerank: options.rerank === undefined ? DEFAULT_RERANK : options.rerank,
    fusion: options.fusion ?? DEFAULT_FUSION,
  };
  const rulesCache = new Map<string, { rules: SearchRules; at: number }>();
  let consumer: Awaited<ReturnType<typeof startIndexSync>> | undefined;

  const rulesOf = async (tenantId: string): Promise<SearchRules> => {
    const hit = rulesCache.get(tenantId);
    if (hit && deps.clock.now() - hit.at < RULES_TTL_MS) return hit.rules;
    const rules = (await repo.getRules(deps.db, tenantId)) ?? EMPTY_RULES;
    rulesCache.set(tenantId, { rules, at: deps.clock.now() });
    return rules;
  };

  /** The mode a request is answered in (hybrid falls back to keyword without a vector retriever). */
  const modeOf = (requested: SearchRequest['mode'], notices: string[]): SearchResponse['mode'] => {
    const mode = requested ?? 'hybrid';
    if (mode === 'keyword' || deps.vectors) return mode;
    if (mode === 'vector') throw new QuiverError('unavailable', 'no vector index');
    notices.push('hybrid: no vector index, keyword results only');
    return 'keyword';
  };

  const respond = (req: PageRequest, page: Page, fingerprint: string): SearchResponse => {
    const end = req.offset + page.hits.length;
    return {
      searchId: newId('srch'),
      mode: req.mode,
      total: page.total,
      hits: page.hits,
      facets: page.facets ?? {},
      nextCursor: nextCursor(end, page.total, fingerprint),
      notices: req.notices,
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
      const sort = request.sort ?? 'relevance';
      const fingerprint = fingerprintOf(request, filter, sort);
      const offset = offsetOf(request.cursor, fingerprint);
      const notices: string[] = [];
      const mode = modeOf(request.mode, notices);
      annotate({ 'quiver.tenant': tenantId, 'quiver.search.mode': mode });
      const rules = await rulesOf(tenantId);
      const index = await indexes.get(tenantId);
      // The query is analyzed once; the rules, the keyword index and the second phase all read this value.
      const query = analyzeQuery(request.query);
      const curation = curationFor(rules, query);
      const affinity =
        request.userId && request.personalize !== false && deps.features && !query.empty
          ? await requestAffinity(deps.features, tenantId, request.userId, notices, deps.onError)
          : undefined;
      const pass = (item: Item | undefined): item is Item =>
        item !== undefined && !curation.hide.has(item.id) && (!filter || matches(item, filter));
      const pins: Item[] = [];
      for (const id of new Set(curation.pin)) {
        const item = index.items.get(id);
        if (pass(item)) pins.push(item);
      }
      const req: PageRequest = {
        tenantId,
        index,
        query,
        keyword: { alternatives: synonymMap(rules, query) },
        mode,
        offset,
        limit: request.limit ?? DEFAULT_LIMIT,
        pass,
        // Every keyword match is an indexed item, so without a filter or hidden items each one passes.
        filtered: filter !== undefined || curation.hide.size > 0,
        notices,
      };
      // Relevance order without facets or a personal boost needs only the requested page of the matches
      // (and their count): no hit is built for the others.
      const windowed = sort === 'relevance' && !request.facets?.length && !affinity;
      if (windowed && pins.length === 0 && !query.empty) {
        if (mode === 'keyword') return respond(req, keywordPage(req), fingerprint);
        if (mode === 'hybrid') {
          const page = await hybridPage(retrieval, req);
          if (page) return respond(req, page, fingerprint);
        }
      }
      // The complete ranking visits every match: a heavy search, run in the tenant's own queue (fair-queue.ts).
      return fair.run(tenantId, async () => {
        const ranked = query.empty ? browseRanking(index) : await retrieveRanking(retrieval, req);
        const page = completePage(req, ranked, { pins, sort, facets: request.facets, affinity, windowed });
        return respond(req, page, fingerprint);
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
