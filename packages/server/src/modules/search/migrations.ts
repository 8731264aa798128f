// Tables of the search module: each tenant's search rules (synonyms and curations) as one JSON document.
import type { Migration } from '../../adapters/sql/index.ts';

const script = `
CREATE TABLE search_rules (tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants(id), body TEXT NOT NULL, updated_at TEXT NOT NULL);
`;

export const searchMigrations: Migration[] = [{ version: 920, name: 'search', sql: script }];
