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
  {
    // A claim is leased by its owner and renewed while the request runs; a dead owner's lease runs out.
    version: 301,
    name: 'idempotency_lease',
    sql: `
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until BIGINT;
`,
  },
];
