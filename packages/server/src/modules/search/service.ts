// The search service: resolves a request once (cursor, mode, rules, the analyzed query, filter, personal
// boost), chooses the page builder that answers it — a windowed keyword or hybrid page, or the complete
// ranking (a browse's or the retrievers') in the tenant's fair queue — and answers with a searchId.
import type { Item, SearchRequest, SearchResponse, SearchRules } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import { annotate, type Clock, isoNow, QuiverError } from '../../kernel/index.ts';
import { createSearchAnalytics } from './analytics.ts';
import { completePage } from './complete-page.ts';
import { fingerprintOf, nextCursor, pagingOf } from './cursor.ts';
import { explainHits } from './explain.ts';
import { atRanks, EXPLORE_TO, explores, ranksOf, shuffleRanks } from './explore.ts';
import { searchFacetValues } from './facets.ts';
import { createFairQueue } from './fair-queue.ts';
import { type Filter, matches, parseFilter } from './filters.ts';
import { DEFAULT_FUSION, type FusionConfig } from './fusion.ts';
import { withHighlights } from './highlight.ts';
import { hybridPage } from './hybrid-page.ts';
import { keywordPage } from './keyword-page.ts';
import type { Page, PageRequest, Retrieval } from './page.ts';
import { VECTOR_CANDIDATES } from './page.ts';
import { type OnlineFeatures, requestAffinity } from './personalize.ts';
import type { SecondPhaseScorer, VectorRetriever } from './ports.ts';
import { analyzeQuery } from './query.ts';
import { wideRows } from './ranker-features.ts';
import { browseRanking, retrieveRanking } from './ranking.ts';
import { searchRepository as repo } from './repository.ts';
import { DEFAULT_RERANK, type RerankConfig, rerankCandidates } from './rerank.ts';
import { curationFor, EMPTY_RULES, synonymMap } from './rules.ts';
import { newSearchId } from './search-id.ts';
import { suggest } from './suggest.ts';
import { startIndexSync } from './sync.ts';
import { type CatalogSource, createTenantIndexes, type IndexTotals } from './tenant-index.ts';
import type { SearchService } from './types.ts';

export { VECTOR_CANDIDATES } from './page.ts';

const RULES_TTL_MS = 5000;
/** In the answer of a vector or hybrid search of a tenant with vectors off. */
export const VECTORS_OFF_NOTICE =
  'vectors off for this tenant: keyword results only (PATCH /v1/tenants/{id}/settings {"vectors": true} turns them on)';
/** In the answer of a vector or hybrid search while the tenant's vector index is being built. */
export const VECTORS_WARMING_NOTICE =
  'vectors warming: the vector index is being built, keyword results only';
const DEFAULT_FACET_VALUES = 10;

const parseOptional = (filters: unknown): Filter | undefined =>
  filters === undefined ? undefined : parseFilter(filters);

export interface SearchDeps {
  db: SqlDatabase;
  stream: Stream;
  catalog: CatalogSource;
  clock: Clock;
  vectors?: VectorRetriever;
  /** The tenant's search settings, read once a search (the caller caches them); absent: ALL_VECTORS_NO_EXPLORATION. */
  settings?: (tenantId: string) => Promise<SearchSettings>;
  /** Scores hybrid's second phase (the ONNX ranker); absent: the linear model of `rerank` in process. */
  ranker?: SecondPhaseScorer;
  features?: OnlineFeatures;
  /** Draws for exploration (tests seed it); default Math.random. */
  random?: () => number;
  onError?: (error: unknown) => void;
  /** What this replica's indexes hold, after each build and applied change. */
  onIndexes?: (totals: IndexTotals) => void;
}

export interface SearchSettings {
  /**
   * Whether the tenant has vector retrieval on (its `vectors` setting), where there is a vector retriever.
   * Off: vector and hybrid searches retrieve by keyword only and say so.
   */
  vectors: boolean;
  /** The share of first pages the tenant explores (its `searchExploration` setting; explore.ts). */
  exploration: number;
}

/** Without tenant settings: vectors wherever there is a retriever, no exploration. */
const ALL_VECTORS_NO_EXPLORATION: SearchSettings = { vectors: true, exploration: 0 };

type PageBuilder = (req: PageRequest) => Promise<Page | undefined>;

/** Where an answer stands among its search's pages (cursor.ts). */
interface Answering {
  fingerprint: string;
  /** The page number asked for (`page`), when numbered. */
  number?: number;
  explored?: boolean;
  /**
   * After an explored first page shorter than EXPLORE_TO: the ranks it showed (cursor.ts), carried to the next
   * page, and how many of them this page was built without (0 on the explored page itself).
   */
  carried?: { ranks: number; count: number };
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
  const indexes = createTenantIndexes(deps.catalog, {
    isOpen: () => !stopped,
    onTotals: deps.onIndexes,
    onError: deps.onError,
  });
  const fair = createFairQueue();
  const retrieval: Retrieval = {
    vectors: deps.vectors,
    ranker: deps.ranker,
    onError: deps.onError,
    rerank: options.rerank === undefined ? DEFAULT_RERANK : options.rerank,
    fusion: options.fusion ?? DEFAULT_FUSION,
  };
  /** A tenant with vectors off: hybrid rescores keyword matches alone, nothing asks the vector index. */
  const keywordRetrieval: Retrieval = { ...retrieval, vectors: undefined };
  const rulesCache = new Map<string, { rules: SearchRules; at: number }>();
  let consumer: Awaited<ReturnType<typeof startIndexSync>> | undefined;
  const analytics = createSearchAnalytics(deps);

  /** Whether an item exists and passes the filter. */
  const passer =
    (filter: Filter | undefined, hide: ReadonlySet<string> = new Set()) =>
    (item: Item | undefined): item is Item =>
      item !== undefined && !hide.has(item.id) && (!filter || matches(item, filter));

  const rulesOf = async (tenantId: string): Promise<SearchRules> => {
    const hit = rulesCache.get(tenantId);
    if (hit && deps.clock.now() - hit.at < RULES_TTL_MS) return hit.rules;
    const rules = (await repo.getRules(deps.db, tenantId)) ?? EMPTY_RULES;
    rulesCache.set(tenantId, { rules, at: deps.clock.now() });
    return rules;
  };

  const random = deps.random ?? Math.random;
  /**
   * The explored page: the best max(limit, 20) built, ranks 3–20 shuffled, cut to the page again; `ranks`: the
   * ranks it kept (explore.ts ranksOf), which later pages leave out.
   */
  const explorePage = async (req: PageRequest, build: PageBuilder) => {
    const deep = await build({ ...req, limit: Math.max(req.limit, EXPLORE_TO) });
    if (!deep) return undefined;
    const hits = shuffleRanks(deep.hits, random).slice(0, req.limit);
    return { page: { ...deep, hits }, ranks: ranksOf(deep.hits, hits) };
  };

  /** The ids at `ranks` of the relevance ranking's best 20, rebuilt: what an explored first page showed. */
  const shownAt = async (req: PageRequest, build: PageBuilder, ranks: number): Promise<string[]> => {
    const top = await build({ ...req, offset: 0, limit: EXPLORE_TO });
    return top ? atRanks(top.hits, ranks).map((h) => h.item.id) : [];
  };

  const settingsOf = (tenantId: string): Promise<SearchSettings> =>
    deps.settings ? deps.settings(tenantId) : Promise.resolve(ALL_VECTORS_NO_EXPLORATION);
  const vectorsOn = async (tenantId: string): Promise<boolean> =>
    deps.vectors !== undefined && (await settingsOf(tenantId)).vectors;

  /**
   * The mode a request is answered in: without a vector retriever hybrid falls back to keyword; with the
   * tenant's vectors off, vector falls back to keyword and hybrid rescores keyword matches alone.
   */
  const modeOf = (
    requested: SearchRequest['mode'],
    on: boolean,
    notices: string[],
  ): SearchResponse['mode'] => {
    const mode = requested ?? 'hybrid';
    if (mode === 'keyword' || on) return mode;
    if (!deps.vectors) {
      if (mode === 'vector') throw new QuiverError('unavailable', 'no vector index');
      notices.push('hybrid: no vector index, keyword results only');
      return 'keyword';
    }
    notices.push(VECTORS_OFF_NOTICE);
    return mode === 'vector' ? 'keyword' : mode;
  };

  /**
   * The answer of `page`. After an explored first page (`at.carried`) the page was built without the items
   * that page showed, that many places earlier: its place and total count them back in.
   */
  const respond = (req: PageRequest, page: Page, request: SearchRequest, at: Answering): SearchResponse => {
    const { fingerprint, number, explored = false } = at;
    const before = at.carried?.count ?? 0;
    const total = page.total + before;
    const end = req.offset + before + page.hits.length;
    const terms = request.highlight ? req.index.keyword.matchedTerms(req.query, req.keyword) : undefined;
    return {
      searchId: newSearchId(total, req.served?.token, explored),
      mode: req.mode,
      total,
      hits: terms ? page.hits.map((h) => withHighlights(h, terms)) : page.hits,
      facets: page.facets ?? {},
      ...(page.facetStats ? { facetStats: page.facetStats } : {}),
      ...(req.served
        ? {
            ranker: {
              endpoint: req.served.endpoint,
              variant: req.served.variant,
              model: req.served.model,
              version: req.served.version,
            },
          }
        : {}),
      ...(explored ? { explored } : {}),
      nextCursor: nextCursor(end, total, fingerprint, at.carried?.ranks),
      ...(number === undefined
        ? {}
        : { page: number, hitsPerPage: req.limit, totalPages: Math.ceil(total / req.limit) }),
      notices: req.notices,
    };
  };

  /** The page with each hit's score parts when the request asks to explain. */
  const explained = async (
    r: Retrieval,
    req: PageRequest,
    page: Page,
    request: SearchRequest,
    affinity?: ReadonlyMap<string, number>,
  ): Promise<Page> =>
    request.explain ? { ...page, hits: await explainHits(r, req, page.hits, affinity) } : page;

  return {
    async start(): Promise<void> {
      consumer = await startIndexSync(
        { stream: deps.stream, indexes, onError: deps.onError },
        { consumerName: options.consumerName },
      );
    },
    work: () => analytics.start(),
    async stop(): Promise<void> {
      stopped = true;
      await consumer?.stop();
      consumer = undefined;
      await analytics.stop();
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
      const { offset, limit, page: number, shownRanks } = pagingOf(request, fingerprint);
      let at: Answering = { fingerprint, number };
      const notices: string[] = [];
      const settings = await settingsOf(tenantId);
      const on = request.mode !== 'keyword' && deps.vectors !== undefined && settings.vectors;
      const mode = modeOf(request.mode, on, notices);
      const r = on ? retrieval : keywordRetrieval;
      annotate({ 'quiver.tenant': tenantId, 'quiver.search.mode': mode });
      // A vector index that does not answer yet is said, not silently missing (a query starts a cold build).
      const vectorState = on && mode !== 'keyword' ? deps.vectors?.indexState?.(tenantId).state : undefined;
      if (vectorState && vectorState !== 'ready') notices.push(VECTORS_WARMING_NOTICE);
      const rules = await rulesOf(tenantId);
      const index = await indexes.get(tenantId);
      // The query is analyzed once; the rules, the keyword index and the second phase all read this value.
      const query = analyzeQuery(request.query);
      const curation = curationFor(rules, query);
      const affinity =
        request.userId && request.personalize !== false && deps.features && !query.empty
          ? await requestAffinity(deps.features, tenantId, request.userId, notices, deps.onError)
          : undefined;
      const pass = passer(filter, curation.hide);
      const pins: Item[] = [];
      for (const id of new Set(curation.pin)) {
        const item = index.items.get(id);
        if (pass(item)) pins.push(item);
      }
      let req: PageRequest = {
        tenantId,
        index,
        query,
        keyword: { alternatives: synonymMap(rules, query) },
        mode,
        offset,
        limit,
        pass,
        // Every keyword match is an indexed item, so without a filter or hidden items each one passes.
        filtered: filter !== undefined || curation.hide.size > 0,
        notices,
        userId: request.userId,
        now: deps.clock.now(),
      };
      // Relevance order without facets or a personal boost needs only the requested page of the matches
      // (and their count): no hit is built for the others.
      const windowed =
        sort === 'relevance' && !request.facets?.length && !request.facetStats?.length && !affinity;
      const build: PageBuilder = async (p) => (mode === 'keyword' ? keywordPage(p) : hybridPage(r, p));
      if (shownRanks !== undefined && !query.empty && mode !== 'vector') {
        // After an explored first page: without what it showed (cursor.ts), starting that much earlier.
        const shown = await shownAt(req, build, shownRanks);
        const hide = new Set([...curation.hide, ...shown]);
        req = {
          ...req,
          pass: passer(filter, hide),
          filtered: true,
          offset: Math.max(0, offset - shown.length),
        };
        at = { ...at, carried: { ranks: shownRanks, count: shown.length } };
      }
      if (windowed && pins.length === 0 && !query.empty && mode !== 'vector') {
        // A relevance-ordered first page (these windowed pages) is explored at the tenant's rate.
        const exploring = offset === 0 && explores(random, settings.exploration);
        const explored = exploring ? await explorePage(req, build) : undefined;
        if (explored) {
          const carried = req.limit < EXPLORE_TO ? { ranks: explored.ranks, count: 0 } : undefined;
          const page = await explained(r, req, explored.page, request);
          return respond(req, page, request, { ...at, explored: true, carried });
        }
        const page = await build(req);
        if (page) return respond(req, await explained(r, req, page, request), request, at);
      }
      // The complete ranking visits every match: a heavy search, run in the tenant's own queue (fair-queue.ts).
      return fair.run(tenantId, async () => {
        const ranked = query.empty ? browseRanking(index) : await retrieveRanking(r, req);
        const page = completePage(req, ranked, {
          pins,
          sort,
          facets: request.facets,
          facetStats: request.facetStats,
          affinity,
          windowed,
        });
        return respond(req, await explained(r, req, page, request, affinity), request, at);
      });
    },

    /**
     * The tenant's items by id: its in-memory index, kept current by the catalog sync (read it, do not
     * change it). Builds the index on first use, like a search.
     */
    async items(tenantId: string): Promise<ReadonlyMap<string, Item>> {
      return (await indexes.get(tenantId)).items;
    },

    async facetValues(tenantId, request, filter = parseOptional(request.filters)) {
      const rules = await rulesOf(tenantId);
      const index = await indexes.get(tenantId);
      const query = analyzeQuery(request.query ?? '');
      const pass = passer(filter, curationFor(rules, query).hide);
      const items = query.empty
        ? [...index.items.values()].filter(pass)
        : index.keyword
            .search(query, { alternatives: synonymMap(rules, query) })
            .map((h) => index.items.get(h.id))
            .filter(pass);
      const limit = request.limit ?? DEFAULT_FACET_VALUES;
      return {
        facet: request.facet,
        values: searchFacetValues(items, request.facet, request.facetQuery, limit),
      };
    },

    async suggest(tenantId, text, limit, filter) {
      const rules = await rulesOf(tenantId);
      const index = await indexes.get(tenantId);
      const query = analyzeQuery(text);
      if (query.empty) return { suggestions: [] };
      const pastQueries = await analytics.popularQueries(tenantId, query.words.join(' '), limit * 4);
      const suggestions = suggest({
        index,
        text,
        limit,
        keyword: { alternatives: synonymMap(rules, query) },
        pass: passer(filter),
        pastQueries,
      });
      return { suggestions };
    },

    analytics: (tenantId, query) => analytics.read(tenantId, query),

    async status(tenantId) {
      const index = await indexes.get(tenantId);
      if (!deps.vectors) return { items: index.items.size, vectors: null };
      const vectors = (await vectorsOn(tenantId))
        ? (deps.vectors.indexState?.(tenantId) ?? null)
        : { state: 'off' as const, items: 0 };
      return { items: index.items.size, vectors };
    },

    async rankerCandidates(tenantId, text) {
      const query = analyzeQuery(text);
      if (query.empty) return [];
      const rules = await rulesOf(tenantId);
      const index = await indexes.get(tenantId);
      const windows = retrieval.rerank ?? DEFAULT_RERANK;
      const vector =
        deps.vectors && (await vectorsOn(tenantId))
          ? await deps.vectors.query(tenantId, query.text, VECTOR_CANDIDATES)
          : [];
      const head = index.keyword.head(query, windows.keywordWindow, {
        alternatives: synonymMap(rules, query),
        present: vector.map((v) => v.id),
      });
      const candidates = rerankCandidates(
        query,
        { keyword: head.hits, keywordDocs: head.docs, vector },
        index.coverageOf,
        windows,
      );
      const rows = wideRows(query, candidates, index, deps.clock.now());
      return candidates.map((c, i) => ({ id: c.id, features: rows[i] }));
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
