// The scoped key's token: a signed, unencrypted payload `qs_<base64url JSON>.<base64url HMAC-SHA256>`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Scope, SearchFilter } from '@quiver/contracts';

export const SCOPED_TOKEN_PREFIX = 'qs_';
/** Long enough for 64 filter leaves; short enough for any HTTP server's header limits. */
export const MAX_SCOPED_TOKEN_CHARS = 6000;
const VERSION = 1;

/** What a scoped key carries. Short names keep the token small; it is read by browsers, so no secrets. */
export interface ScopedClaims {
  v: typeof VERSION;
  /** Token id (`sk_…`): the key id in logs and rate limits. */
  id: string;
  /** Tenant. */
  t: string;
  /** The key that minted it; `null` for the operator. Revoking that key ends this one too. */
  p: string | null;
  s: Scope[];
  /** Expiry, epoch ms. */
  exp: number;
  f?: SearchFilter;
  u?: string;
  /** Own rate limit: per second and burst. */
  r?: [number, number];
}

const sign = (secret: Buffer, body: string): Buffer =>
  createHmac('sha256', secret).update(`${SCOPED_TOKEN_PREFIX}${body}`).digest();

export const encodeScopedToken = (claims: ScopedClaims, secret: Buffer): string => {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${SCOPED_TOKEN_PREFIX}${body}.${sign(secret, body).toString('base64url')}`;
};

/**
 * Reads the tenant a token claims, before its signature is checked (to find that tenant's secret), and
 * later verifies it. Nothing in the payload may be trusted until `verify` returns the claims.
 */
export const openScopedToken = (token: string) => {
  if (!token.startsWith(SCOPED_TOKEN_PREFIX) || token.length > MAX_SCOPED_TOKEN_CHARS) return undefined;
  const dot = token.lastIndexOf('.');
  if (dot < 0) return undefined;
  const body = token.slice(SCOPED_TOKEN_PREFIX.length, dot);
  const signature = Buffer.from(token.slice(dot + 1));
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || typeof (claims as ScopedClaims).t !== 'string')
    return undefined;
  return {
    tenantId: (claims as ScopedClaims).t,
    verify(secret: Buffer): ScopedClaims | undefined {
      // Compared as text, so only the one canonical encoding of the signature is accepted.
      const expected = Buffer.from(sign(secret, body).toString('base64url'));
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
      const c = claims as ScopedClaims;
      return c.v === VERSION && typeof c.exp === 'number' && Array.isArray(c.s) ? c : undefined;
    },
  };
};
