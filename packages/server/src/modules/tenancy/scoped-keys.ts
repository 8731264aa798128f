// Scoped keys: short-lived, browser-safe tokens that may only search and recommend, with embedded filters
// the caller cannot remove. Stateless (HMAC-signed with a per-tenant secret), like Algolia's secured keys.
import type { CreatedScopedKey, CreateScopedKey, RateLimits, SearchFilter } from '@quiver/contracts';
import {
  DEFAULT_SCOPED_KEY_TTL_S,
  MAX_SCOPED_KEY_TTL_S,
  SCOPED_KEY_SCOPES,
  TENANT_ID_PATTERN,
} from '@quiver/contracts';
import type { SqlDatabase, SqlExecutor } from '../../adapters/sql/index.ts';
import { type Clock, isoNow, notFound, QuiverError, randomSecret } from '../../kernel/index.ts';
import type { AuthCache, SigningEntry } from './auth-cache.ts';
import { denied, expired, invalid } from './errors.ts';
import type { Credential, Principal, TenantPrincipal } from './principal.ts';
import { tenancyRepository as repo } from './repository.ts';
import {
  encodeScopedToken,
  MAX_SCOPED_TOKEN_CHARS,
  openScopedToken,
  type ScopedClaims,
} from './scoped-token.ts';

const SECRET_BYTES = 32;
const ALLOWED = new Set<string>(SCOPED_KEY_SCOPES);
const TENANT_ID = new RegExp(TENANT_ID_PATTERN);

export interface ScopedKeyDeps {
  db: SqlDatabase;
  clock: Clock;
  /** Tenants' signing secrets and limits (the auth caches' rules). */
  signing: AuthCache<SigningEntry>;
  /** The stored key that minted a scoped key: its revocation or expiry ends the scoped key too. */
  parentCredential(keyId: string): Promise<Credential | undefined>;
  /** The search filter grammar (wired by the composition root); throws validation_failed naming the path. */
  parseFilters(value: unknown): SearchFilter;
  /** Records a change in the audit log, inside the caller's transaction. */
  audit(tx: SqlExecutor, actor: Principal, tenantId: string, action: string, target: string): Promise<void>;
}

const newSecret = () => Buffer.from(randomSecret(SECRET_BYTES), 'base64url').toString('hex');

/** The key's own bucket, never above the tenant's per-key limits (which may have changed since minting). */
const limitsOf = (tenant: RateLimits, own: ScopedClaims['r']): RateLimits =>
  own
    ? {
        ...tenant,
        keyPerSecond: Math.min(own[0], tenant.keyPerSecond),
        keyBurst: Math.min(own[1], tenant.keyBurst),
      }
    : tenant;

/** Each field of a scoped key's rate limit and the per-key limit it may not exceed. */
const RATE_LIMIT_CAPS = [
  ['perSecond', 'keyPerSecond'],
  ['burst', 'keyBurst'],
] as const;

/**
 * A requested bucket above the minting key's is refused rather than silently clamped, so the caller learns
 * what the key will really get. Every key of a tenant has the tenant's per-key limits, the operator's mints too.
 */
const checkRateLimit = (asked: NonNullable<CreateScopedKey['rateLimit']>, limits: RateLimits) => {
  const errors = RATE_LIMIT_CAPS.filter(([field, cap]) => asked[field] > limits[cap]).map(([field, cap]) => ({
    path: `/rateLimit/${field}`,
    message: `must be at most ${limits[cap]}, the per-key limit`,
  }));
  if (errors.length > 0) {
    throw new QuiverError(
      'validation_failed',
      `rateLimit is above the minting key's: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      { errors },
    );
  }
};

export const createScopedKeys = (deps: ScopedKeyDeps) => {
  const { db, clock } = deps;
  const { signing } = deps;
  const signingOf = (tenantId: string) => signing.get(tenantId, () => repo.findScopedSigning(db, tenantId));

  /** Expiry in epoch ms from `expiresInS` or `expiresAt`, bounded to 24 h. */
  const expiryOf = (input: CreateScopedKey, now: number): number => {
    if (input.expiresAt === undefined) return now + (input.expiresInS ?? DEFAULT_SCOPED_KEY_TTL_S) * 1000;
    if (input.expiresInS !== undefined) throw invalid('/expiresAt', 'give expiresAt or expiresInS, not both');
    const at = Date.parse(input.expiresAt);
    if (at <= now) throw invalid('/expiresAt', 'must be in the future');
    if (at > now + MAX_SCOPED_KEY_TTL_S * 1000)
      throw invalid('/expiresAt', `must be at most ${MAX_SCOPED_KEY_TTL_S} s ahead`);
    return at;
  };

  return {
    async mint(actor: Principal, tenantId: string, input: CreateScopedKey): Promise<CreatedScopedKey> {
      const now = clock.now();
      let exp = expiryOf(input, now);
      const filters = input.filters === undefined ? undefined : deps.parseFilters(input.filters);
      let parent: string | null = null;
      if (actor.kind === 'tenant') {
        // The auth hook already refuses another tenant's id; a key never mints outside its own tenant.
        if (actor.tenantId !== tenantId) throw notFound('tenant', tenantId);
        const minter = await deps.parentCredential(actor.keyId);
        if (!minter) throw denied();
        parent = actor.keyId;
        exp = Math.min(exp, minter.expiresAtMs);
      }
      const tenant = await repo.getTenant(db, tenantId);
      if (!tenant) throw notFound('tenant', tenantId);
      if (input.rateLimit) checkRateLimit(input.rateLimit, tenant.limits);
      const secret =
        (await signingOf(tenantId))?.secret ??
        (await repo.ensureScopedSecret(db, tenantId, newSecret(), isoNow(clock)));
      const scopes = [...(input.scopes ?? SCOPED_KEY_SCOPES)];
      const claims: ScopedClaims = {
        v: 1,
        id: `sk_${randomSecret(9).replace(/[-_]/g, 'x')}`,
        t: tenantId,
        p: parent,
        s: scopes,
        exp,
        ...(filters ? { f: filters } : {}),
        ...(input.userId !== undefined ? { u: input.userId } : {}),
        ...(input.rateLimit ? { r: [input.rateLimit.perSecond, input.rateLimit.burst] } : {}),
      };
      const token = encodeScopedToken(claims, Buffer.from(secret, 'hex'));
      if (token.length > MAX_SCOPED_TOKEN_CHARS)
        throw invalid('/filters', `are too large: the key would exceed ${MAX_SCOPED_TOKEN_CHARS} characters`);
      return {
        secret: token,
        id: claims.id,
        tenantId,
        scopes,
        filters: filters ?? null,
        userId: input.userId ?? null,
        expiresAt: new Date(exp).toISOString(),
      };
    },

    /** Resolves a `qs_` token to its principal; forged, tampered or orphaned tokens are `unauthenticated`. */
    async authenticate(token: string): Promise<TenantPrincipal> {
      const opened = openScopedToken(token);
      if (!opened || !TENANT_ID.test(opened.tenantId)) throw denied();
      const found = await signingOf(opened.tenantId);
      const claims = found && opened.verify(Buffer.from(found.secret, 'hex'));
      if (!found || !claims) throw denied();
      const now = clock.now();
      if (claims.exp <= now) throw expired();
      if (claims.p !== null) {
        const minter = await deps.parentCredential(claims.p);
        if (!minter || minter.revoked || minter.expiresAtMs <= now || minter.principal.tenantId !== claims.t)
          throw denied();
      }
      return {
        kind: 'tenant',
        tenantId: claims.t,
        keyId: claims.id,
        // Defence in depth: whatever was signed, a scoped key never holds more than search and recommend.
        scopes: new Set(claims.s.filter((s) => ALLOWED.has(s))),
        limits: limitsOf(found.limits, claims.r),
        ...(claims.f ? { embeddedFilters: claims.f } : {}),
        ...(claims.u !== undefined ? { pinnedUserId: claims.u } : {}),
      };
    },

    /** A new signing secret: every scoped key the tenant has handed out stops working at once. */
    async rotate(actor: Principal, tenantId: string): Promise<void> {
      if (!(await repo.getTenant(db, tenantId))) throw notFound('tenant', tenantId);
      await db.transaction(async (tx) => {
        await repo.replaceScopedSecret(tx, tenantId, newSecret(), isoNow(clock));
        await repo.bumpAuthEpoch(tx);
        await deps.audit(tx, actor, tenantId, 'key.scoped.rotate', tenantId);
      });
      signing.delete(tenantId);
    },
  };
};

export type ScopedKeys = ReturnType<typeof createScopedKeys>;
