// Tables of the model registry: models, immutable versions, aliases.
import type { Migration } from '../../adapters/sql/index.ts';

export const registryMigrations: Migration[] = [
  {
    version: 700,
    name: 'registry',
    sql: `
CREATE TABLE models (tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, description TEXT, task TEXT, next_version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, name));
CREATE TABLE model_versions (tenant_id TEXT NOT NULL, model TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, blob_key TEXT NOT NULL, tokenizer_key TEXT, signature TEXT NOT NULL, metadata TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, model, version), FOREIGN KEY (tenant_id, model) REFERENCES models (tenant_id, name));
CREATE INDEX model_versions_sha ON model_versions (tenant_id, model, sha256);
CREATE TABLE model_aliases (tenant_id TEXT NOT NULL, model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, model, alias), FOREIGN KEY (tenant_id, model, version) REFERENCES model_versions (tenant_id, model, version));
`,
  },
];
