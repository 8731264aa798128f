// Tables of the features module: each tenant's feature view and feature service definitions.
import type { Migration } from '../../adapters/sql/index.ts';

const script = `
CREATE TABLE feature_views (tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, spec TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, name));
CREATE TABLE feature_services (tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, spec TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, name));
`;

export const featuresMigrations: Migration[] = [{ version: 650, name: 'features', sql: script }];
