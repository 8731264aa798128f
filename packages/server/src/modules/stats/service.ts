// Recent request, latency, cache, batch and stream figures in fixed windows: each replica counts in memory,
// writes its open windows to the SQL port every few seconds, and a read sums every replica's rows.
import type { StatsPoint, StatsSeries } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Clock, newId, type Reader } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { delta, type GlobalReading, readGlobals } from './gauges.ts';
import { createStatsRepository } from './repository.ts';
import { emptyFigures, mergeInto, observeRequest, quantileMs, type WindowFigures } from './window.ts';

export const DEFAULT_STATS_WINDOW_S = 10;
export const DEFAULT_STATS_FLUSH_MS = 2_000;
export const DEFAULT_STATS_RETENTION_S = 3 * 3600;
export const DEFAULT_STATS_MINUTES = 60;
/** Requests of the console, the stats route itself, health, metrics and docs are not traffic. */
const UNCOUNTED_PREFIXES = ['/console', '/v1/stats', '/metrics', '/livez', '/readyz', '/docs'];
/** The row of requests without a tenant and of the replica's global figures. */
const GLOBAL_ROW = '';

export interface StatsDeps {
  db: SqlDatabase;
  metrics: Metrics;
  clock: Clock;
}

export interface StatsOptions {
  windowS?: number;
  retentionS?: number;
}

export interface ObservedRequest {
  /** The route pattern (not the raw URL); undefined for unmatched requests. */
  route: string | undefined;
  tenantId: string | undefined;
  statusCode: number;
  elapsedMs: number;
}

export interface StatsService {
  readonly windowS: number;
  observe(request: ObservedRequest): void;
  /** Writes this replica's open windows (and the global figures since the last flush). */
  flush(): Promise<void>;
  /** The operator reads every tenant and the global figures, a tenant only its own requests. */
  series(reader: Reader, minutes?: number): Promise<StatsSeries>;
  /** Drops windows older than the retention; done on every flush that opens a new window. */
  prune(): Promise<number>;
}

export const createStatsService = (deps: StatsDeps, options: StatsOptions = {}): StatsService => {
  const windowS = options.windowS ?? DEFAULT_STATS_WINDOW_S;
  const retentionMs = (options.retentionS ?? DEFAULT_STATS_RETENTION_S) * 1000;
  const windowMs = windowS * 1000;
  const repo = createStatsRepository(deps.db);
  const replica = newId('rep');
  // window start → tenant → figures; holds the open window and any window not yet written.
  const open = new Map<number, Map<string, WindowFigures>>();
  // The registry counts from process start, as this service does.
  let lastGlobals: GlobalReading = {
    cacheHits: 0,
    cacheMisses: 0,
    batches: 0,
    batchRows: 0,
    streamLag: null,
  };
  let lastPruned = 0;

  const windowOf = (ms: number) => Math.floor(ms / windowMs) * windowMs;
  const figuresFor = (windowStart: number, tenantId: string): WindowFigures => {
    let tenants = open.get(windowStart);
    if (!tenants) {
      tenants = new Map<string, WindowFigures>();
      open.set(windowStart, tenants);
    }
    let f = tenants.get(tenantId);
    if (!f) {
      f = emptyFigures();
      tenants.set(tenantId, f);
    }
    return f;
  };
  // Whether a route pattern counts as traffic, worked out once per pattern (a bounded set: the app's routes).
  const counted = new Map<string, boolean>();
  const isCounted = (route: string): boolean => {
    let yes = counted.get(route);
    if (yes === undefined) {
      yes = !UNCOUNTED_PREFIXES.some((p) => route.startsWith(p));
      counted.set(route, yes);
    }
    return yes;
  };

  const service: StatsService = {
    windowS,
    observe({ route, tenantId, statusCode, elapsedMs }) {
      if (route && !isCounted(route)) return;
      const f = figuresFor(windowOf(deps.clock.now()), tenantId ?? GLOBAL_ROW);
      observeRequest(f, elapsedMs, statusCode >= 500);
    },
    async flush() {
      const current = windowOf(deps.clock.now());
      const now = await readGlobals(deps.metrics);
      const since = delta(now, lastGlobals);
      lastGlobals = now;
      const global = figuresFor(current, GLOBAL_ROW);
      global.cacheHits += since.cacheHits;
      global.cacheMisses += since.cacheMisses;
      global.batches += since.batches;
      global.batchRows += since.batchRows;
      if (since.streamLag !== null) global.streamLag = since.streamLag;
      const rows = [...open].flatMap(([windowStart, tenants]) =>
        [...tenants].map(([tenantId, figures]) => ({ windowStart, tenantId, figures })),
      );
      await repo.write(replica, rows);
      for (const windowStart of [...open.keys()]) if (windowStart < current) open.delete(windowStart);
      if (current !== lastPruned) {
        lastPruned = current;
        await service.prune();
      }
    },
    prune: () => repo.prune(deps.clock.now() - retentionMs),
    async series(reader, minutes = DEFAULT_STATS_MINUTES) {
      const nowMs = deps.clock.now();
      const current = windowOf(nowMs);
      const from = current - (Math.ceil((minutes * 60) / windowS) - 1) * windowMs;
      const rows = await repo.read(
        from,
        current + windowMs,
        reader.kind === 'tenant' ? reader.tenantId : undefined,
      );
      const byWindow = new Map<number, WindowFigures>();
      const byTenant = new Map<string, { requests: number; computeMs: number }>();
      for (const row of rows) {
        const sum = byWindow.get(row.windowStart) ?? emptyFigures();
        byWindow.set(row.windowStart, sum);
        mergeInto(sum, row.figures);
        if (row.tenantId === GLOBAL_ROW) continue;
        const t = byTenant.get(row.tenantId) ?? { requests: 0, computeMs: 0 };
        t.requests += row.figures.requests;
        t.computeMs += row.figures.computeMs;
        byTenant.set(row.tenantId, t);
      }
      const points: StatsPoint[] = [];
      for (let start = from; start <= current; start += windowMs) {
        const f = byWindow.get(start) ?? emptyFigures();
        const spanS = start === current ? Math.max(1, (nowMs - start) / 1000) : windowS;
        const global = reader.kind === 'operator';
        const lookups = f.cacheHits + f.cacheMisses;
        points.push({
          at: new Date(start).toISOString(),
          requests: f.requests,
          requestsPerS: f.requests / spanS,
          errorRate: f.requests > 0 ? f.errors / f.requests : null,
          p50Ms: quantileMs(f.latency, 0.5),
          p99Ms: quantileMs(f.latency, 0.99),
          cacheHitRatio: global && lookups > 0 ? f.cacheHits / lookups : null,
          meanBatchSize: global && f.batches > 0 ? f.batchRows / f.batches : null,
          streamLag: global ? f.streamLag : null,
        });
      }
      return {
        windowS,
        from: new Date(from).toISOString(),
        to: new Date(nowMs).toISOString(),
        scope: reader.kind === 'operator' ? 'all' : 'tenant',
        points,
        tenants: [...byTenant]
          .map(([tenantId, t]) => ({
            tenantId,
            requests: t.requests,
            computeMs: Math.round(t.computeMs * 1000) / 1000,
          }))
          .sort((a, b) => b.computeMs - a.computeMs),
      };
    },
  };
  return service;
};
