// Tables of the search module: each tenant's search rules (synonyms and curations) as one JSON document,
// and the search analytics.
import type { Migration } from '../../adapters/sql/index.ts';

const script = `
CREATE TABLE search_rules (tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants(id), body TEXT NOT NULL, updated_at TEXT NOT NULL);
`;

// Search analytics, from the events stream: one row per 'search' event (keyed by its searchId) and one per
// click, add_to_cart or purchase naming a searchId; both idempotent under redelivery.
const analytics = `
CREATE TABLE search_log (tenant_id TEXT NOT NULL REFERENCES tenants(id), search_id TEXT NOT NULL, query TEXT NOT NULL, day TEXT NOT NULL, results INTEGER, PRIMARY KEY (tenant_id, search_id));
CREATE INDEX search_log_day ON search_log (tenant_id, day);
CREATE INDEX search_log_query ON search_log (tenant_id, query);
CREATE TABLE search_outcomes (tenant_id TEXT NOT NULL REFERENCES tenants(id), event_id TEXT NOT NULL, search_id TEXT NOT NULL, type TEXT NOT NULL, item_id TEXT, PRIMARY KEY (tenant_id, event_id));
CREATE INDEX search_outcomes_search ON search_outcomes (tenant_id, search_id);
`;

export const searchMigrations: Migration[] = [
  { version: 920, name: 'search', sql: script },
  { version: 921, name: 'search-analytics', sql: analytics },
];
