// The table of remembered POST answers, keyed by caller scope and Idempotency-Key.
import type { Migration } from '../../adapters/sql/index.ts';

export const idempotencyMigrations: Migration[] = [
  {
    version: 300,
    name: 'idempotency',
    sql: `
CREATE TABLE idempotency_keys (scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL, status INTEGER, headers TEXT, body TEXT, PRIMARY KEY (scope, key));
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
`,
  },
];
