// Tables of the catalog module: items and the per-tenant change feed.
import type { Migration } from '../../adapters/sql/index.ts';

const script = `
CREATE TABLE items (tenant_id TEXT NOT NULL REFERENCES tenants(id), id TEXT NOT NULL, doc TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE item_changes (tenant_id TEXT NOT NULL REFERENCES tenants(id), seq BIGINT NOT NULL, item_id TEXT NOT NULL, op TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (tenant_id, seq));
`;

export const catalogMigrations: Migration[] = [
  { version: 200, name: 'catalog', sql: script },
  {
    version: 201,
    name: 'catalog relay',
    sql: 'CREATE TABLE catalog_relay (tenant_id TEXT PRIMARY KEY REFERENCES tenants(id), last_seq BIGINT NOT NULL);',
  },
];
