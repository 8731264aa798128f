// The only SQL of the stats module: a replica writes its open windows (replacing what it wrote before),
// and a read sums every replica's rows over a range.
import { type SqlDatabase, type SqlValue, valuesList } from '../../adapters/sql/index.ts';
import type { WindowFigures } from './window.ts';

export interface WindowRow {
  windowStart: number;
  tenantId: string;
  figures: WindowFigures;
}

interface DbRow {
  window_start: number;
  tenant_id: string;
  requests: number;
  errors: number;
  latency: string;
  compute_ms: number;
  cache_hits: number;
  cache_misses: number;
  batches: number;
  batch_rows: number;
  stream_lag: number | null;
}

const COLUMNS = 12;

export interface StatsRepository {
  /** Writes this replica's figures for each (window, tenant), replacing its earlier write of the same key. */
  write(replica: string, rows: readonly WindowRow[]): Promise<void>;
  /** Every replica's rows with window_start in [from, to), optionally one tenant's. */
  read(from: number, to: number, tenantId?: string): Promise<WindowRow[]>;
  /** Drops rows of windows that started before `before`. */
  prune(before: number): Promise<number>;
}

export const createStatsRepository = (db: SqlDatabase): StatsRepository => ({
  async write(replica, rows) {
    if (rows.length === 0) return;
    const params: SqlValue[] = [];
    for (const { windowStart, tenantId, figures: f } of rows) {
      params.push(
        replica,
        windowStart,
        tenantId,
        f.requests,
        f.errors,
        JSON.stringify(f.latency),
        f.computeMs,
        f.cacheHits,
        f.cacheMisses,
        f.batches,
        f.batchRows,
        f.streamLag,
      );
    }
    await db.execute(
      `INSERT INTO stats_windows (replica, window_start, tenant_id, requests, errors, latency, compute_ms, cache_hits, cache_misses, batches, batch_rows, stream_lag)
       VALUES ${valuesList(rows.length, COLUMNS)}
       ON CONFLICT (replica, window_start, tenant_id) DO UPDATE SET requests = excluded.requests, errors = excluded.errors, latency = excluded.latency, compute_ms = excluded.compute_ms, cache_hits = excluded.cache_hits, cache_misses = excluded.cache_misses, batches = excluded.batches, batch_rows = excluded.batch_rows, stream_lag = excluded.stream_lag`,
      params,
    );
  },
  async read(from, to, tenantId) {
    const rows = await db.query<DbRow>(
      `SELECT window_start, tenant_id, requests, errors, latency, compute_ms, cache_hits, cache_misses, batches, batch_rows, stream_lag
       FROM stats_windows WHERE window_start >= $1 AND window_start < $2${tenantId === undefined ? '' : ' AND tenant_id = $3'}
       ORDER BY window_start`,
      tenantId === undefined ? [from, to] : [from, to, tenantId],
    );
    return rows.map((r) => ({
      windowStart: Number(r.window_start),
      tenantId: r.tenant_id,
      figures: {
        requests: Number(r.requests),
        errors: Number(r.errors),
        latency: JSON.parse(r.latency) as number[],
        computeMs: Number(r.compute_ms),
        cacheHits: Number(r.cache_hits),
        cacheMisses: Number(r.cache_misses),
        batches: Number(r.batches),
        batchRows: Number(r.batch_rows),
        streamLag: r.stream_lag === null ? null : Number(r.stream_lag),
      },
    }));
  },
  prune: (before) => db.execute('DELETE FROM stats_windows WHERE window_start < $1', [before]),
});
