// Authentication, authorization and rate limiting, as one onRequest hook driven by each route's `access` rule.
import type { Scope } from '@quiver/contracts';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/index.ts';
import { hasScope, type Principal, QuiverError } from '../kernel/index.ts';
import { type RateLimitStore, tenantAndKeyBuckets } from './rate-limit.ts';
import { routeConfigOf } from './route-config.ts';

/**
 * Who may call a route. `public` routes need no key. Otherwise the operator may call it when `operator`
 * is set, and a tenant key when it holds `scope`; with `tenantParam`, a tenant key may only name its own
 * tenant in that path parameter (another tenant's id answers 404, as if it did not exist).
 */
export interface AccessRule {
  public?: boolean;
  operator?: boolean;
  scope?: Scope;
  tenantParam?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Fastify's request logger (a RequestLogger, or a pino child) can add bindings in place. */
interface PinoBindable {
  setBindings(bindings: Record<string, string>): void;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The tenant the calling key belongs to; for routes whose rule admits tenant keys only. */
export const tenantOf = (request: FastifyRequest): string => {
  const p = request.principal;
  if (p?.kind !== 'tenant') throw new QuiverError('forbidden', 'This route needs a tenant API key');
  return p.tenantId;
};

/** Turns an API key into who is calling, or throws `unauthenticated` (tenancy does). */
export interface Authenticator {
  authenticate(token: string): Promise<Principal>;
}

export interface AuthDeps {
  tenancy: Authenticator;
  rateLimits: RateLimitStore;
  clock: Clock;
}

/** Routes that may omit an access rule: the docs UI's own assets. Everything else must declare one. */
const UNRULED_PREFIX = '/docs';

type Bucket = Awaited<ReturnType<RateLimitStore['takeTokens']>>;

/**
 * A tenant principal's bucket specs, made once per principal object: a cached key answers the same principal
 * on every request (until the cache drops it), so its specs and their names are not rebuilt per request.
 */
const specs = new WeakMap<Principal, ReturnType<typeof tenantAndKeyBuckets>>();
const bucketsOf = (principal: Extract<Principal, { kind: 'tenant' }>) => {
  let buckets = specs.get(principal);
  if (!buckets) {
    buckets = tenantAndKeyBuckets(principal.tenantId, principal.keyId, principal.limits);
    specs.set(principal, buckets);
  }
  return buckets;
};

/**
 * Checks an `Authorization` value against a rule: the key, the operator's and tenant's rights, the named
 * tenant (`params` holds the path parameters for `tenantParam`) and the rate limits (`onBucket` sees the
 * bucket, refused or not). Throws the error to answer; the HTTP hook and the gRPC service share it, so both
 * transports admit exactly the same keys.
 */
export const authorize = async (
  deps: AuthDeps,
  authorization: string | undefined,
  rule: AccessRule,
  params: Record<string, string> = {},
  onBucket?: (bucket: Bucket) => void,
): Promise<Principal> => {
  const match = BEARER.exec(authorization ?? '');
  if (!match) {
    throw new QuiverError('unauthenticated', 'Send an API key as `Authorization: Bearer <key>`', {
      challenge: 'credentials_required',
    });
  }
  const principal = await deps.tenancy.authenticate(match[1]);
  if (principal.kind === 'operator') {
    if (!rule.operator)
      throw new QuiverError('forbidden', 'The operator key cannot call this route; use a tenant key');
    return principal;
  }
  if (rule.tenantParam) {
    const named = params[rule.tenantParam];
    if (named !== principal.tenantId) throw new QuiverError('not_found', `tenant '${named}' was not found`);
  }
  if (!rule.scope || !hasScope(principal, rule.scope)) {
    throw new QuiverError(
      'forbidden',
      rule.scope ? `This key lacks the '${rule.scope}' scope` : 'Operator only',
    );
  }
  const buckets = bucketsOf(principal);
  const bucket = await deps.rateLimits.takeTokens(buckets, deps.clock.now());
  onBucket?.(bucket);
  if (!bucket.allowed) {
    throw new QuiverError('rate_limited', `Too many requests; retry in ${bucket.retryAfterS} s`, {
      retryAfterS: bucket.retryAfterS,
    });
  }
  return principal;
};

export const registerAuth = (app: FastifyInstance, deps: AuthDeps): void => {
  app.decorateRequest('principal', undefined);
  // Fail at start-up, not in production, when a route forgets to say who may call it.
  app.addHook('onRoute', (route) => {
    if (!route.config?.access && !route.url.startsWith(UNRULED_PREFIX)) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access rule`);
    }
  });
  // A callback hook: the promise is authorize's own, not a second one for an async hook.
  app.addHook('onRequest', (request, reply, done) => {
    const rule = routeConfigOf(request).access;
    if (!rule || rule.public) return done(); // only the docs UI's assets have no rule (checked in onRoute)
    authorize(
      deps,
      request.headers.authorization,
      rule,
      request.params as Record<string, string>,
      (bucket) => {
        reply.header('ratelimit-limit', bucket.limit);
        reply.header('ratelimit-remaining', bucket.remaining);
        reply.header('ratelimit-reset', bucket.resetS);
      },
    ).then((principal) => {
      request.principal = principal;
      // Bound in place: the request's logger keeps them until (unless) it writes a line (request-logger.ts).
      if (principal.kind === 'tenant')
        (request.log as FastifyBaseLogger & PinoBindable).setBindings({
          tenantId: principal.tenantId,
          keyId: principal.keyId,
        });
      done();
    }, done);
  });
};

/** The tenant of a key holding `scope` (for transports without routes, such as gRPC); throws as the hook does. */
export const authorizeTenant = async (
  deps: AuthDeps,
  authorization: string | undefined,
  scope: Scope,
): Promise<string> => {
  const principal = await authorize(deps, authorization, { scope });
  if (principal.kind !== 'tenant') throw new QuiverError('forbidden', 'This call needs a tenant API key');
  return principal.tenantId;
};
