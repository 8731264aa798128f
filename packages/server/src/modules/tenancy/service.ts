// Tenancy: tenants, API keys (hash-only storage, constant-time checks), limits and the audit log.
import type {
  ApiKey,
  AuditEntry,
  CreatedKey,
  CreatedScopedKey,
  CreateKey,
  CreateScopedKey,
  CreateTenant,
  RateLimits,
  SearchFilter,
  Tenant,
  TenantSettings,
  TenantSettingsPatch,
} from '@quiver/contracts';
import { noTxHook, type SqlDatabase, type TxHook } from '../../adapters/sql/index.ts';
import {
  type Clock,
  decodeCursor,
  hashesEqual,
  isoNow,
  type Page,
  pageOf,
  QuiverError,
  randomSecret,
  sha256Hex,
} from '../../kernel/index.ts';
import { type AuthCaches, createAuthCaches } from './auth-cache.ts';
import { denied } from './errors.ts';
import { actorOf, type Credential, type Principal } from './principal.ts';
import { DEFAULT_TENANT_SETTINGS, tenancyRepository as repo } from './repository.ts';
import { createScopedKeys } from './scoped-keys.ts';
import { SCOPED_TOKEN_PREFIX } from './scoped-token.ts';
import { createVerifiedTokens } from './verified-tokens.ts';

const KEY_SECRET_PREFIX = 'qk_';
const OPERATOR_SECRET_PREFIX = 'qo_';
const OPERATOR_HASH_SETTING = 'operator_key_hash';
const SHOWN_PREFIX_CHARS = 12;
/** How long a tenant's settings read for a request are reused (a change here is seen at once). */
export const SETTINGS_TTL_MS = 5_000;

/** Told after a tenant's settings changed through this process. */
export type SettingsListener = (tenantId: string, settings: TenantSettings) => void;

export interface TenancyDeps {
  db: SqlDatabase;
  clock: Clock;
  defaultLimits: RateLimits;
  /** From configuration; when absent the operator key lives (hashed) in the database. */
  operatorKey?: string;
  /**
   * Caches of what authentication looks up (default: none). Changes made here drop entries at once; on a
   * shared database the auth epoch drops them on every replica (see createTenancyModule).
   */
  caches?: AuthCaches;
  /** Checks a scoped key's embedded filters with the search grammar (the search module's parser). */
  parseFilters(value: unknown): SearchFilter;
}

const newKeyId = (): string => `key_${randomSecret(9).replace(/[-_]/g, 'x')}`;

/** Splits `qk_<keyId>_<secret>`; the key id has no underscore after its own prefix. */
const parseKeySecret = (token: string): string | undefined => {
  const rest = token.slice(KEY_SECRET_PREFIX.length);
  const end = rest.indexOf('_', 'key_'.length);
  return end > 0 ? rest.slice(0, end) : undefined;
};

export const createTenancyService = (deps: TenancyDeps): TenancyService => {
  const { db, clock } = deps;
  let operatorHash = deps.operatorKey ? sha256Hex(deps.operatorKey) : undefined;
  const caches = deps.caches ?? createAuthCaches({ ttlMs: 0, clock });
  const authCache = caches.credentials;
  const verifiedTokens = createVerifiedTokens();
  const settingsCache = new Map<string, { settings: TenantSettings; at: number }>();
  const settingsListeners: SettingsListener[] = [];
  /** A key as authentication checks it, with its principal built once. */
  const loadCredential = async (keyId: string): Promise<Credential | undefined> => {
    const found = await repo.findKeyForAuth(db, keyId);
    if (!found) return undefined;
    const { key, limits } = found;
    return {
      hash: Buffer.from(found.secretHash, 'hex'),
      revoked: key.revokedAt !== null,
      expiresAtMs: key.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(key.expiresAt),
      principal: {
        kind: 'tenant',
        tenantId: key.tenantId,
        keyId: key.id,
        scopes: new Set(key.scopes),
        limits,
      },
    };
  };

  const audit = (
    tx: Parameters<typeof repo.appendAudit>[0],
    actor: Principal,
    tenantId: string | null,
    action: string,
    target: string,
    details: Record<string, unknown> = {},
  ) => repo.appendAudit(tx, { at: isoNow(clock), actor: actorOf(actor), tenantId, action, target, details });

  const scoped = createScopedKeys({
    db,
    clock,
    signing: caches.signing,
    parseFilters: deps.parseFilters,
    parentCredential: (keyId) => authCache.get(keyId, () => loadCredential(keyId)),
    audit: (tx, actor, tenantId, action, target) => audit(tx, actor, tenantId, action, target),
  });

  const requireTenant = async (tenantId: string): Promise<Tenant> => {
    const tenant = await repo.getTenant(db, tenantId);
    if (!tenant) throw new QuiverError('not_found', `tenant '${tenantId}' was not found`);
    return tenant;
  };

  return {
    /**
     * Makes sure an operator key exists. Returns the secret only when it was generated now, so the
     * caller can show it once; otherwise the configured or stored key stands.
     */
    async ensureOperatorKey(): Promise<{ generated?: string }> {
      if (operatorHash) return {};
      const candidate = `${OPERATOR_SECRET_PREFIX}${randomSecret(32)}`;
      const stored = await repo.putSettingIfAbsent(db, OPERATOR_HASH_SETTING, sha256Hex(candidate));
      operatorHash = stored;
      return stored === sha256Hex(candidate) ? { generated: candidate } : {};
    },

    /**
     * Resolves a bearer token to a principal, or throws `unauthenticated` (never saying why in detail);
     * a genuine scoped key past its expiry is `key_expired`, so a browser knows to fetch a new one.
     */
    async authenticate(token: string): Promise<Principal> {
      if (token.startsWith(SCOPED_TOKEN_PREFIX)) return scoped.authenticate(token);
      if (token.startsWith(KEY_SECRET_PREFIX)) {
        const keyId = parseKeySecret(token);
        const found = keyId ? await authCache.get(keyId, () => loadCredential(keyId)) : undefined;
        if (!found || !verifiedTokens.matches(token, found)) throw denied();
        if (found.revoked || found.expiresAtMs <= clock.now()) throw denied();
        return found.principal;
      }
      if (operatorHash && hashesEqual(sha256Hex(token), operatorHash)) return { kind: 'operator' };
      throw denied();
    },

    /** `answer` joins the write's transaction with the tenant (the idempotency record of the request). */
    async createTenant(
      actor: Principal,
      input: CreateTenant,
      answer: TxHook<Tenant> = noTxHook,
    ): Promise<Tenant> {
      const tenant: Tenant = {
        id: input.id,
        name: input.name,
        limits: input.limits ?? deps.defaultLimits,
        settings: DEFAULT_TENANT_SETTINGS,
        createdAt: isoNow(clock),
      };
      return db.transaction(async (tx) => {
        if (!(await repo.insertTenant(tx, tenant))) {
          throw new QuiverError('already_exists', `tenant '${tenant.id}' already exists`, {
            errors: [{ path: '/id', message: 'already taken' }],
          });
        }
        await audit(tx, actor, tenant.id, 'tenant.create', tenant.id, {
          name: tenant.name,
          limits: tenant.limits,
        });
        await answer(tx, tenant);
        return tenant;
      });
    },

    getTenant: requireTenant,

    async listTenants(limit: number, cursor?: string): Promise<Page<Tenant>> {
      const after = cursor ? String(decodeCursor(cursor, ['id']).id) : '';
      return pageOf(await repo.listTenants(db, after, limit + 1), limit, (t) => ({ id: t.id }));
    },

    async setLimits(actor: Principal, tenantId: string, limits: RateLimits): Promise<Tenant> {
      const tenant = await db.transaction(async (tx) => {
        if (!(await repo.updateLimits(tx, tenantId, limits))) {
          throw new QuiverError('not_found', `tenant '${tenantId}' was not found`);
        }
        await repo.bumpAuthEpoch(tx);
        await audit(tx, actor, tenantId, 'tenant.limits', tenantId, { limits });
        return (await repo.getTenant(tx, tenantId))!;
      });
      // Cached keys and signing secrets carry the tenant's limits.
      caches.clear();
      return tenant;
    },

    async settings(tenantId: string): Promise<TenantSettings> {
      const hit = settingsCache.get(tenantId);
      if (hit && clock.now() - hit.at < SETTINGS_TTL_MS) return hit.settings;
      const settings = (await repo.getSettings(db, tenantId)) ?? DEFAULT_TENANT_SETTINGS;
      settingsCache.set(tenantId, { settings, at: clock.now() });
      return settings;
    },

    async setSettings(actor: Principal, tenantId: string, patch: TenantSettingsPatch): Promise<Tenant> {
      const tenant = await db.transaction(async (tx) => {
        const current = await repo.getSettings(tx, tenantId);
        if (!current) throw new QuiverError('not_found', `tenant '${tenantId}' was not found`);
        const settings = { ...current, ...patch };
        await repo.updateSettings(tx, tenantId, settings);
        await audit(tx, actor, tenantId, 'tenant.settings', tenantId, { settings });
        return (await repo.getTenant(tx, tenantId))!;
      });
      settingsCache.set(tenantId, { settings: tenant.settings, at: clock.now() });
      for (const listener of settingsListeners) listener(tenantId, tenant.settings);
      return tenant;
    },

    onSettingsChange(listener: SettingsListener): void {
      settingsListeners.push(listener);
    },

    tenantsWithVectors: () => repo.tenantsWithVectors(db),

    async createKey(
      actor: Principal,
      tenantId: string,
      input: CreateKey,
      answer: TxHook<CreatedKey> = noTxHook,
    ): Promise<CreatedKey> {
      await requireTenant(tenantId);
      if (input.expiresAt && Date.parse(input.expiresAt) <= clock.now()) {
        throw new QuiverError('validation_failed', 'expiresAt must be in the future', {
          errors: [{ path: '/expiresAt', message: 'must be in the future' }],
        });
      }
      const id = newKeyId();
      const secret = `${KEY_SECRET_PREFIX}${id}_${randomSecret(24)}`;
      const key: ApiKey = {
        id,
        tenantId,
        name: input.name,
        scopes: [...input.scopes],
        prefix: secret.slice(0, KEY_SECRET_PREFIX.length + SHOWN_PREFIX_CHARS),
        createdAt: isoNow(clock),
        expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
        revokedAt: null,
      };
      return db.transaction(async (tx) => {
        await repo.insertKey(tx, key, sha256Hex(secret));
        await audit(tx, actor, tenantId, 'key.create', id, {
          name: key.name,
          scopes: key.scopes,
          expiresAt: key.expiresAt,
        });
        const created = { key, secret };
        await answer(tx, created);
        return created;
      });
    },

    /** Mints a scoped key (stateless: nothing is stored but the tenant's signing secret, made once). */
    createScopedKey: (
      actor: Principal,
      tenantId: string,
      input: CreateScopedKey,
    ): Promise<CreatedScopedKey> => scoped.mint(actor, tenantId, input),

    /** Ends every scoped key of the tenant by replacing its signing secret. */
    rotateScopedKeys: (actor: Principal, tenantId: string): Promise<void> => scoped.rotate(actor, tenantId),

    async listKeys(tenantId: string, limit: number, cursor?: string): Promise<Page<ApiKey>> {
      await requireTenant(tenantId);
      const after = cursor ? String(decodeCursor(cursor, ['id']).id) : '';
      return pageOf(await repo.listKeys(db, tenantId, after, limit + 1), limit, (k) => ({ id: k.id }));
    },

    async revokeKey(actor: Principal, tenantId: string, keyId: string): Promise<ApiKey> {
      const revoked = await db.transaction(async (tx) => {
        const key = await repo.getKey(tx, tenantId, keyId);
        if (!key) throw new QuiverError('not_found', `key '${keyId}' was not found`);
        if (await repo.revokeKey(tx, tenantId, keyId, isoNow(clock))) {
          await repo.bumpAuthEpoch(tx);
          await audit(tx, actor, tenantId, 'key.revoke', keyId, { name: key.name });
        }
        return (await repo.getKey(tx, tenantId, keyId))!;
      });
      // After the commit: a lookup racing the transaction may have read the key unrevoked (the cache
      // refuses to store a lookup that started before the delete).
      authCache.delete(keyId);
      return revoked;
    },

    async listAudit(tenantId: string | undefined, limit: number, cursor?: string) {
      const after = cursor ? Number(decodeCursor(cursor, ['id']).id) : 0;
      return pageOf(await repo.listAudit(db, tenantId, after, limit + 1), limit, (e) => ({ id: e.id }));
    },
  };
};

/** Tenants, their API keys and limits, authentication, and the audit log. */
export interface TenancyService {
  /**
   * Makes sure an operator key exists. Returns the secret only when it was generated now, so the
   * caller can show it once; otherwise the configured or stored key stands.
   */
  ensureOperatorKey(): Promise<{ generated?: string }>;
  /**
   * Resolves a bearer token to a principal, or throws `unauthenticated` (never saying why in detail);
   * a genuine scoped key past its expiry is `key_expired`, so a browser knows to fetch a new one.
   */
  authenticate(token: string): Promise<Principal>;
  /** Creates a tenant with the default limits unless given; audited. */
  createTenant(actor: Principal, input: CreateTenant, answer?: TxHook<Tenant>): Promise<Tenant>;
  /** The tenant; `not_found` when absent. */
  getTenant(tenantId: string): Promise<Tenant>;
  /** A page of tenants, in id order. */
  listTenants(limit: number, cursor?: string): Promise<Page<Tenant>>;
  /** Replaces the tenant's rate limits; audited. */
  setLimits(actor: Principal, tenantId: string, limits: RateLimits): Promise<Tenant>;
  /** The tenant's settings (the defaults for an unknown tenant), reused for SETTINGS_TTL_MS. */
  settings(tenantId: string): Promise<TenantSettings>;
  /** Changes some of the tenant's settings; audited; listeners are told. `not_found` when absent. */
  setSettings(actor: Principal, tenantId: string, patch: TenantSettingsPatch): Promise<Tenant>;
  /** Calls `listener` after each settings change made through this process. */
  onSettingsChange(listener: SettingsListener): void;
  /** Ids of the tenants with vectors on. */
  tenantsWithVectors(): Promise<string[]>;
  /** Creates an API key; its secret is in the answer only (the hash is stored). */
  createKey(
    actor: Principal,
    tenantId: string,
    input: CreateKey,
    answer?: TxHook<CreatedKey>,
  ): Promise<CreatedKey>;
  /** Mints a scoped key (stateless: nothing is stored but the tenant's signing secret, made once). */
  createScopedKey(actor: Principal, tenantId: string, input: CreateScopedKey): Promise<CreatedScopedKey>;
  /** Ends every scoped key of the tenant by replacing its signing secret. */
  rotateScopedKeys(actor: Principal, tenantId: string): Promise<void>;
  /** A page of the tenant's keys (never their secrets). */
  listKeys(tenantId: string, limit: number, cursor?: string): Promise<Page<ApiKey>>;
  /** Revokes a key at once; audited. */
  revokeKey(actor: Principal, tenantId: string, keyId: string): Promise<ApiKey>;
  /** A page of the audit log, oldest first; one tenant's or, without `tenantId`, everyone's. */
  listAudit(tenantId: string | undefined, limit: number, cursor?: string): Promise<Page<AuditEntry>>;
}
