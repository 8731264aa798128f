// Tables of the tenancy module: tenants, API keys, the audit log and server settings.
import type { Migration } from '../../adapters/sql/index.ts';

export const tenancyMigrations: Migration[] = [
  {
    version: 100,
    name: 'tenancy',
    sql: {
      sqlite: `
CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, limits TEXT NOT NULL, change_seq BIGINT NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, secret_hash TEXT NOT NULL, prefix TEXT NOT NULL, scopes TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, tenant_id TEXT, action TEXT NOT NULL, target TEXT NOT NULL, details TEXT NOT NULL);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
      postgres: `
CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, limits TEXT NOT NULL, change_seq BIGINT NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, secret_hash TEXT NOT NULL, prefix TEXT NOT NULL, scopes TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, tenant_id TEXT, action TEXT NOT NULL, target TEXT NOT NULL, details TEXT NOT NULL);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
    },
  },
  {
    version: 101,
    name: 'scoped-key-secrets',
    // One HMAC secret per tenant signs its scoped keys; rotating it ends them all. Same SQL on both dialects.
    sql: 'CREATE TABLE scoped_key_secrets (tenant_id TEXT PRIMARY KEY REFERENCES tenants(id), secret TEXT NOT NULL, created_at TEXT NOT NULL);',
  },
  {
    version: 102,
    name: 'auth-epoch',
    // One counter, bumped with every change authentication caches depend on; replicas poll it (auth-epoch.ts).
    sql: 'CREATE TABLE auth_epoch (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL);\nINSERT INTO auth_epoch (id, epoch) VALUES (1, 0);',
  },
  {
    version: 103,
    name: 'tenant-settings',
    // Per-tenant switches (TenantSettings) as JSON; '{}' means every default. Same SQL on both dialects.
    sql: "ALTER TABLE tenants ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';",
  },
];
