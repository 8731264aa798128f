// Endpoint definitions: validation, variant names, and a short-lived compiled cache for the request path.
import { randomBytes } from 'node:crypto';
import type { Fallback, PutEndpoint, Route } from '@quiver/contracts';
import { type Clock, type FieldError, QuiverError } from '../../kernel/index.ts';
import { cumulativeWeights } from './assignment.ts';
import type { EndpointRow, RoutingRepository } from './repository.ts';

/** How long a replica reuses an endpoint it read; its own writes drop it at once, others' show within this. */
export const DEFAULT_ENDPOINT_CACHE_TTL_MS = 1_000;

export type Target = Pick<Fallback, 'model' | 'version' | 'alias'>;

/** The registry reference of a target: its version number, its alias, or undefined (champion, else latest). */
export const refOf = (t: Target): string | undefined =>
  t.version !== undefined ? String(t.version) : t.alias;

export const targetName = (t: Target): string => `${t.model}@${refOf(t) ?? 'default'}`;
export const variantName = (r: Route): string => r.variant ?? targetName(r);
export const fallbackName = (f: Target): string => `fallback:${targetName(f)}`;

export const newSalt = (): string => randomBytes(12).toString('base64url');

/** Every target of a spec (routes, shadows, fallbacks) with its JSON pointer in the spec. */
const targetsOf = (spec: PutEndpoint): [string, Target][] => [
  ...spec.routes.map((r, i) => [`/routes/${i}`, r] as [string, Target]),
  ...(spec.shadow ?? []).map((s, i) => [`/shadow/${i}`, s] as [string, Target]),
  ...(spec.fallback ?? []).map((f, i) => [`/fallback/${i}`, f] as [string, Target]),
];

/** Checks what the schema cannot: one of version/alias, unique variant names, a positive total weight. */
export const validateSpec = (spec: PutEndpoint): void => {
  const errors: FieldError[] = [];
  for (const [path, t] of targetsOf(spec))
    if (t.version !== undefined && t.alias !== undefined)
      errors.push({ path, message: 'give either version or alias, not both' });
  const names = new Set<string>();
  spec.routes.forEach((r, i) => {
    const name = variantName(r);
    if (names.has(name)) errors.push({ path: `/routes/${i}`, message: `variant '${name}' appears twice` });
    names.add(name);
  });
  if (!(spec.routes.reduce((a, r) => a + r.weight, 0) > 0))
    errors.push({ path: '/routes', message: 'the weights must add up to more than 0' });
  if (errors.length > 0)
    throw new QuiverError('validation_failed', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
      errors,
    });
};

/** Resolves a target in the registry; throws when it does not exist (the registry's resolver). */
export type ResolveFn = (tenantId: string, model: string, ref?: string) => Promise<unknown>;

/** Throws `unprocessable` naming every target of the spec that `resolve` does not find. */
export const checkTargets = async (resolve: ResolveFn, tenantId: string, spec: PutEndpoint) => {
  const errors: FieldError[] = [];
  for (const [path, t] of targetsOf(spec)) {
    try {
      await resolve(tenantId, t.model, refOf(t));
    } catch {
      errors.push({ path, message: `model '${targetName(t)}' was not found` });
    }
  }
  if (errors.length > 0)
    throw new QuiverError('unprocessable', errors.map((e) => e.message).join('; '), { errors });
};

/** The stored endpoint, read now (not through the cache); throws `not_found` when there is none. */
export const mustGetEndpoint = async (
  repo: RoutingRepository,
  tenantId: string,
  name: string,
): Promise<EndpointRow> => {
  const row = await repo.getEndpoint(tenantId, name);
  if (!row) throw new QuiverError('not_found', `endpoint '${name}' was not found`);
  return row;
};

export interface CompiledEndpoint {
  row: EndpointRow;
  cumulative: number[];
  variants: string[];
}

export const compile = (row: EndpointRow): CompiledEndpoint => ({
  row,
  cumulative: cumulativeWeights(row.spec.routes.map((r) => r.weight)),
  variants: row.spec.routes.map(variantName),
});

export const createEndpointCache = (
  deps: { repo: RoutingRepository; clock: Clock },
  ttlMs = DEFAULT_ENDPOINT_CACHE_TTL_MS,
) => {
  const entries = new Map<string, { value: CompiledEndpoint; expires: number }>();
  return {
    async get(tenantId: string, name: string): Promise<CompiledEndpoint> {
      const key = `${tenantId}\u0000${name}`;
      const now = deps.clock.now();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value;
      const row = await deps.repo.getEndpoint(tenantId, name);
      if (!row) {
        entries.delete(key);
        throw new QuiverError('not_found', `endpoint '${name}' was not found`);
      }
      const value = compile(row);
      entries.set(key, { value, expires: now + ttlMs });
      return value;
    },
    invalidate(tenantId: string, name: string): void {
      entries.delete(`${tenantId}\u0000${name}`);
    },
  };
};

export type EndpointCache = ReturnType<typeof createEndpointCache>;
