// A search-ranker training run: the tenant's search events → click judgments per query (click-judgments.ts),
// each judged query's second-phase candidates and features from the search index as it is now, a query
// split, the fit and its offline metrics next to the current ranker's in a worker thread (ltr.ts), then
// publishing (publish-ranker.ts).
import type { StoredEvent } from '@quiver/contracts';
import { QuiverError } from '../../kernel/index.ts';
import { type SearchService, WIDE_WIDTH } from '../search/index.ts';
import { createClickJudgmentsBuilder } from './click-judgments.ts';
import {
  DEFAULT_SEARCH_RANKER,
  type LtrQuery,
  RANKER_FEATURES,
  type SearchRankerParams,
  splitQueries,
} from './ltr.ts';
import type { RankerRequest } from './protocol.ts';
import { currentRanker, publishRanker, type RankerPublishDeps } from './publish-ranker.ts';
import type { RunRow } from './repository.ts';
import type { fitRankerInWorker } from './runner.ts';

export interface RankerRunDeps extends RankerPublishDeps {
  search?: Pick<SearchService, 'rankerCandidates'>;
}

/** What the training service lends a run: reading the events, progress, interruption and the worker. */
export interface RankerRunContext {
  /** Reads every event of the run's tenant, in pages, yielding between them; the number read. */
  replay(onEvent: (event: StoredEvent) => void): Promise<number>;
  phase(name: string, fraction: number): void;
  save(force?: boolean): Promise<void>;
  /** The worker's progress: the phase, saved now and then (a failed save is reported, not thrown). */
  progress(name: string, fraction: number): void;
  /** Throws when the service is closing. */
  interrupted(): void;
  fit: typeof fitRankerInWorker;
  signal: AbortSignal;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the search-ranker kind's steps, writing the run's result and timings as it goes. */
export const runSearchRanker = async (
  deps: RankerRunDeps,
  run: RunRow,
  ctx: RankerRunContext,
): Promise<void> => {
  const started = performance.now();
  if (!deps.search) throw new QuiverError('unavailable', 'search-ranker training needs the search module');
  const params = { ...DEFAULT_SEARCH_RANKER, ...run.request.params } as SearchRankerParams;
  // η as asked, or measured on the tenant's explored searches when it has enough of them.
  const builder = createClickJudgmentsBuilder({
    ...params,
    estimateEta: run.request.params?.eta === undefined,
  });
  const users = new Set<string>();
  let from: string | null = null;
  let to: string | null = null;
  const events = await ctx.replay((e) => {
    if (!builder.add(e) || e.type !== 'search') return;
    users.add(e.userId);
    if (from === null || e.timestamp < from) from = e.timestamp;
    if (to === null || e.timestamp > to) to = e.timestamp;
  });
  const { queries: judged, counts, eta } = builder.build();
  if (judged.length === 0)
    throw new QuiverError(
      'unprocessable',
      "no search has an outcome to learn from: search-ranker training needs 'search' events with properties.searchId (and properties.items, the ids shown in order) and click, add_to_cart or purchase events naming the same searchId",
    );
  // Each judged query's candidates as the index has them now (a turn between queries).
  const queries: LtrQuery[] = [];
  const judgedItems = new Set<string>();
  for (const [i, q] of judged.entries()) {
    for (const id of q.gains.keys()) judgedItems.add(id);
    // Wide rows (search's WIDE_RANKER_FEATURES); the linear ranker reads their first three columns.
    const candidates = await deps.search.rankerCandidates(run.tenantId, q.query);
    const narrow = RANKER_FEATURES.length;
    const features = new Float32Array(candidates.length * narrow);
    const wide = new Float32Array(candidates.length * WIDE_WIDTH);
    for (const [r, c] of candidates.entries()) {
      features.set(c.features.slice(0, narrow), r * narrow);
      wide.set(c.features, r * WIDE_WIDTH);
    }
    queries.push({ query: q.query, ids: candidates.map((c) => c.id), features, wide, gains: q.gains });
    ctx.phase('reading', 0.5 + (0.5 * (i + 1)) / judged.length);
    await nextTurn();
    ctx.interrupted();
  }
  run.result.data = {
    events,
    items: judgedItems.size,
    users: users.size,
    from,
    to,
    splitAt: null,
    searches: counts.searches,
    explored: counts.explored,
    eta: eta.value,
    etaMeasured: eta.measured,
    queries: queries.length,
  };
  run.timings.readMs = Math.round(performance.now() - started);
  const current = await currentRanker(deps, run.tenantId);
  const { train, test } = splitQueries(queries, params.holdout);
  ctx.phase('evaluating', 0);
  await ctx.save(true);
  const request: RankerRequest = {
    kind: 'search-ranker',
    model: params.model === 'linear' ? 'linear' : 'trees',
    train,
    test,
    current: current.ranker,
  };
  const fitted = await ctx.fit(request, ctx.progress, ctx.signal);
  ctx.interrupted();
  run.timings.evaluateMs = Math.round(fitted.timings.evaluateMs);
  run.timings.trainMs = Math.round(fitted.timings.trainMs);
  run.result.metrics = fitted.metrics;
  run.result.baseline = fitted.baseline;
  if (fitted.params) {
    const { validNdcg, ...chosen } = fitted.params;
    run.result.data = {
      ...(run.result.data as Record<string, unknown>),
      params: { ...chosen, validNdcg: Number.isFinite(validNdcg) ? validNdcg : null },
    };
  }
  ctx.phase('publishing', 0);
  await ctx.save(true);
  const publishedAt = performance.now();
  const published = await publishRanker(deps, {
    tenantId: run.tenantId,
    runId: run.id,
    weights: fitted.weights,
    trees: fitted.trees,
    params: fitted.params,
    metrics: fitted.metrics,
    baseline: fitted.baseline,
    current,
    promote: run.request.promote,
  });
  run.result.model = published.model;
  run.result.promotion = published.promotion;
  run.result.endpoints = published.endpoints;
  run.timings.publishMs = Math.round(performance.now() - publishedAt);
};
