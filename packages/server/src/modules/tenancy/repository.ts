// The only file of the tenancy module with SQL. Every key query names its tenant.
import type { ApiKey, AuditEntry, RateLimits, Scope, Tenant, TenantSettings } from '@quiver/contracts';
import type { SqlExecutor } from '../../adapters/sql/index.ts';

interface TenantRow {
  id: string;
  name: string;
  limits: string;
  settings: string;
  created_at: string;
  [k: string]: unknown;
}

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: string;
  prefix: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  [k: string]: unknown;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  tenant_id: string | null;
  action: string;
  target: string;
  details: string;
  [k: string]: unknown;
}

/** What authentication needs to know about a key, read in one query. */
export interface KeyForAuth {
  key: ApiKey;
  secretHash: string;
  limits: RateLimits;
}

/** What a tenant that never changed a setting has. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = { vectors: false };

const settingsOf = (json: string): TenantSettings => ({
  ...DEFAULT_TENANT_SETTINGS,
  ...(JSON.parse(json) as Partial<TenantSettings>),
});

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  limits: JSON.parse(r.limits) as RateLimits,
  settings: settingsOf(r.settings),
  createdAt: r.created_at,
});

const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  scopes: r.scopes.split(' ') as Scope[],
  prefix: r.prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

const toAudit = (r: AuditRow): AuditEntry => ({
  id: Number(r.id),
  at: r.at,
  actor: r.actor,
  tenantId: r.tenant_id,
  action: r.action,
  target: r.target,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export const tenancyRepository = {
  /** Inserts a tenant; returns false when the id is taken. */
  async insertTenant(db: SqlExecutor, t: Tenant): Promise<boolean> {
    const changed = await db.execute(
      'INSERT INTO tenants (id, name, limits, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [t.id, t.name, JSON.stringify(t.limits), t.createdAt],
    );
    return changed === 1;
  },

  async getTenant(db: SqlExecutor, id: string): Promise<Tenant | undefined> {
    const [row] = await db.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
    return row && toTenant(row);
  },

  async listTenants(db: SqlExecutor, afterId: string, limit: number): Promise<Tenant[]> {
    const rows = await db.query<TenantRow>('SELECT * FROM tenants WHERE id > $1 ORDER BY id LIMIT $2', [
      afterId,
      limit,
    ]);
    return rows.map(toTenant);
  },

  async updateLimits(db: SqlExecutor, id: string, limits: RateLimits): Promise<boolean> {
    return (
      (await db.execute('UPDATE tenants SET limits = $2 WHERE id = $1', [id, JSON.stringify(limits)])) === 1
    );
  },

  async updateSettings(db: SqlExecutor, id: string, settings: TenantSettings): Promise<boolean> {
    return (
      (await db.execute('UPDATE tenants SET settings = $2 WHERE id = $1', [id, JSON.stringify(settings)])) ===
      1
    );
  },

  async getSettings(db: SqlExecutor, id: string): Promise<TenantSettings | undefined> {
    const [row] = await db.query<{ settings: string }>('SELECT settings FROM tenants WHERE id = $1', [id]);
    return row && settingsOf(row.settings);
  },

  /** Ids of the tenants whose settings turn vectors on (a JSON text column: filtered here, tenants are few). */
  async tenantsWithVectors(db: SqlExecutor): Promise<string[]> {
    const rows = await db.query<{ id: string; settings: string }>(
      "SELECT id, settings FROM tenants WHERE settings <> '{}' ORDER BY id",
    );
    return rows.filter((r) => settingsOf(r.settings).vectors).map((r) => r.id);
  },

  async insertKey(db: SqlExecutor, key: ApiKey, secretHash: string): Promise<void> {
    await db.execute(
      `INSERT INTO api_keys (id, tenant_id, name, secret_hash, prefix, scopes, created_at, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)`,
      [
        key.id,
        key.tenantId,
        key.name,
        secretHash,
        key.prefix,
        key.scopes.join(' '),
        key.createdAt,
        key.expiresAt,
      ],
    );
  },

  async listKeys(db: SqlExecutor, tenantId: string, afterId: string, limit: number): Promise<ApiKey[]> {
    const rows = await db.query<KeyRow>(
      'SELECT * FROM api_keys WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [tenantId, afterId, limit],
    );
    return rows.map(toKey);
  },

  async getKey(db: SqlExecutor, tenantId: string, keyId: string): Promise<ApiKey | undefined> {
    const [row] = await db.query<KeyRow>('SELECT * FROM api_keys WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      keyId,
    ]);
    return row && toKey(row);
  },

  async revokeKey(db: SqlExecutor, tenantId: string, keyId: string, at: string): Promise<boolean> {
    const changed = await db.execute(
      'UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL',
      [tenantId, keyId, at],
    );
    return changed === 1;
  },

  /** The one lookup not scoped by a tenant: the key id itself tells which tenant it belongs to. */
  async findKeyForAuth(db: SqlExecutor, keyId: string): Promise<KeyForAuth | undefined> {
    const [row] = await db.query<KeyRow & { limits: string }>(
      'SELECT k.*, t.limits FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = $1',
      [keyId],
      { prepare: true },
    );
    if (!row) return undefined;
    return { key: toKey(row), secretHash: row.secret_hash, limits: JSON.parse(row.limits) as RateLimits };
  },

  async appendAudit(db: SqlExecutor, e: NewAuditEntry): Promise<void> {
    await db.execute(
      'INSERT INTO audit_log (at, actor, tenant_id, action, target, details) VALUES ($1, $2, $3, $4, $5, $6)',
      [e.at, e.actor, e.tenantId, e.action, e.target, JSON.stringify(e.details)],
    );
  },

  async listAudit(db: SqlExecutor, tenantId: string | undefined, afterId: number, limit: number) {
    const rows = tenantId
      ? await db.query<AuditRow>(
          'SELECT * FROM audit_log WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
          [tenantId, afterId, limit],
        )
      : await db.query<AuditRow>('SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2', [
          afterId,
          limit,
        ]);
    return rows.map(toAudit);
  },

  /** A tenant's scoped-key signing secret and its limits, in one query; undefined before the first mint. */
  async findScopedSigning(
    db: SqlExecutor,
    tenantId: string,
  ): Promise<{ secret: string; limits: RateLimits } | undefined> {
    const [row] = await db.query<{ secret: string; limits: string }>(
      'SELECT s.secret, t.limits FROM scoped_key_secrets s JOIN tenants t ON t.id = s.tenant_id WHERE s.tenant_id = $1',
      [tenantId],
      { prepare: true },
    );
    return row && { secret: row.secret, limits: JSON.parse(row.limits) as RateLimits };
  },

  /** Stores a tenant's signing secret unless one exists (concurrent first mints agree); returns the stored one. */
  async ensureScopedSecret(db: SqlExecutor, tenantId: string, secret: string, at: string): Promise<string> {
    await db.execute(
      'INSERT INTO scoped_key_secrets (tenant_id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING',
      [tenantId, secret, at],
    );
    const [row] = await db.query<{ secret: string }>(
      'SELECT secret FROM scoped_key_secrets WHERE tenant_id = $1',
      [tenantId],
    );
    return row?.secret ?? secret;
  },

  async replaceScopedSecret(db: SqlExecutor, tenantId: string, secret: string, at: string): Promise<void> {
    await db.execute(
      `INSERT INTO scoped_key_secrets (tenant_id, secret, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`,
      [tenantId, secret, at],
    );
  },

  /** The auth epoch: moves whenever a key, a tenant's limits or a signing secret changes. */
  async readAuthEpoch(db: SqlExecutor): Promise<number> {
    const [row] = await db.query<{ epoch: number }>('SELECT epoch FROM auth_epoch WHERE id = 1', [], {
      prepare: true,
    });
    return Number(row.epoch);
  },

  /** Moves the auth epoch, inside the transaction of the change (so no replica sees one without the other). */
  async bumpAuthEpoch(tx: SqlExecutor): Promise<void> {
    await tx.execute('UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1');
  },

  async getSetting(db: SqlExecutor, key: string): Promise<string | undefined> {
    const [row] = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return row?.value;
  },

  /** Stores a setting unless one exists; returns the value that is now stored. */
  async putSettingIfAbsent(db: SqlExecutor, key: string, value: string): Promise<string> {
    await db.execute('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      key,
      value,
    ]);
    return (await tenancyRepository.getSetting(db, key)) ?? value;
  },
};
