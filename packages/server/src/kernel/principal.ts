// Who is calling: the operator, or a key of one tenant with its scopes and limits (tenancy authenticates
// keys into principals; the HTTP layer and the modules check them).
import type { RateLimits, Scope, SearchFilter } from '@quiver/contracts';
import { QuiverError } from './errors.ts';

export type TenantPrincipal = {
  kind: 'tenant';
  tenantId: string;
  keyId: string;
  scopes: ReadonlySet<Scope>;
  limits: RateLimits;
  /**
   * Set for scoped keys: a filter tree every search and recommendation of this caller must satisfy, AND-ed
   * with the request's own filters (it cannot be removed or widened by the caller).
   */
  embeddedFilters?: SearchFilter;
  /** Set for scoped keys minted for one user: personalization may only be for this user. */
  pinnedUserId?: string;
};

export type Principal = { kind: 'operator' } | TenantPrincipal;

/** Whose figures a caller may read (stats, usage): the operator's (every tenant's) or one tenant's own. */
export type Reader = { kind: 'operator' } | { kind: 'tenant'; tenantId: string };

export const readerOf = (p: Principal | undefined): Reader =>
  p?.kind === 'tenant' ? { kind: 'tenant', tenantId: p.tenantId } : { kind: 'operator' };

export const actorOf = (p: Principal): string => (p.kind === 'operator' ? 'operator' : `key:${p.keyId}`);

/**
 * The read scopes came after keys that read with their write scope (or, for features, with `infer`); those
 * keys keep reading.
 */
const GRANTED_BY: Partial<Record<Scope, Scope>> = {
  'events:read': 'events:write',
  'models:read': 'models:write',
  'features:read': 'infer',
};

/** `admin` grants every scope within its tenant; see GRANTED_BY for the others that imply a read scope. */
export const hasScope = (p: Principal, scope: Scope): boolean => {
  if (p.kind !== 'tenant') return false;
  const implied = GRANTED_BY[scope];
  return p.scopes.has(scope) || p.scopes.has('admin') || (implied !== undefined && p.scopes.has(implied));
};

/**
 * The user a request may personalize for: the pinned user of a scoped key (when the request names none or
 * the same one), otherwise whatever the request asks. Naming another user than the pinned one is a 403.
 */
export const userIdFor = (p: Principal | undefined, requested: string | undefined): string | undefined => {
  const pinned = p?.kind === 'tenant' ? p.pinnedUserId : undefined;
  if (pinned === undefined || requested === undefined || requested === pinned) return pinned ?? requested;
  throw new QuiverError('forbidden', 'This key is pinned to another user', {
    errors: [{ path: '/userId', message: 'must be the pinned user or absent' }],
  });
};
