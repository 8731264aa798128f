// Who is calling: the operator, or a key of one tenant with its scopes and limits.
import type { RateLimits, Scope } from '@quiver/contracts';

export type Principal =
  | { kind: 'operator' }
  | { kind: 'tenant'; tenantId: string; keyId: string; scopes: ReadonlySet<Scope>; limits: RateLimits };

export const actorOf = (p: Principal): string => (p.kind === 'operator' ? 'operator' : `key:${p.keyId}`);

/** `admin` grants every scope within its tenant. */
export const hasScope = (p: Principal, scope: Scope): boolean =>
  p.kind === 'tenant' && (p.scopes.has(scope) || p.scopes.has('admin'));
