// Tables of the recommend module: each known customer's whole item history as the last training run saw it
// (for-user's long-term context, whatever its age), tenant-scoped.
import type { Migration } from '../../adapters/sql/index.ts';

export const recommendMigrations: Migration[] = [
  {
    // 1100 is the cluster leases' (adapters/sql/lease.ts): the two branches met at integration.
    version: 1200,
    name: 'recommend-user-history',
    sql: `
CREATE TABLE recommend_user_history (tenant_id TEXT NOT NULL REFERENCES tenants(id), user_id TEXT NOT NULL, items TEXT NOT NULL, trained_at TEXT NOT NULL, PRIMARY KEY (tenant_id, user_id));
`,
  },
];
