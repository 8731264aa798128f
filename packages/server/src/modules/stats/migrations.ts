// The stats module's table: one row per replica, window and tenant, so replicas share the series.
import type { Migration } from '../../adapters/sql/index.ts';

export const statsMigrations: Migration[] = [
  {
    version: 1900,
    name: 'stats-windows',
    // tenant_id '' holds requests without a tenant (operator, anonymous) and the replica's global figures.
    sql: `
CREATE TABLE stats_windows (replica TEXT NOT NULL, window_start BIGINT NOT NULL, tenant_id TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, latency TEXT NOT NULL, compute_ms DOUBLE PRECISION NOT NULL, cache_hits INTEGER NOT NULL, cache_misses INTEGER NOT NULL, batches INTEGER NOT NULL, batch_rows INTEGER NOT NULL, stream_lag DOUBLE PRECISION, PRIMARY KEY (replica, window_start, tenant_id));
CREATE INDEX stats_windows_start ON stats_windows (window_start);
`,
  },
];
