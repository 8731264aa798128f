// The usage module's tables: hourly counters per tenant (shared by replicas, which add to them) and quotas.
import type { Migration } from '../../adapters/sql/index.ts';

export const usageMigrations: Migration[] = [
  {
    version: 2000,
    name: 'usage-hours',
    // metric: 'requests:<api>', 'events', 'compute_s', 'training_cpu_s' (added to by every replica), or
    // 'items', 'vectors', 'artifact_bytes' (the hour's latest sample, replaced).
    sql: `
CREATE TABLE usage_hours (tenant_id TEXT NOT NULL, hour_start BIGINT NOT NULL, metric TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, PRIMARY KEY (tenant_id, hour_start, metric));
CREATE INDEX usage_hours_start ON usage_hours (hour_start);
`,
  },
  {
    version: 2001,
    name: 'usage-quotas',
    // NULL: no limit on that figure.
    sql: `
CREATE TABLE usage_quotas (tenant_id TEXT PRIMARY KEY, events_per_month BIGINT, compute_s_per_month DOUBLE PRECISION, updated_at BIGINT NOT NULL);
`,
  },
];
