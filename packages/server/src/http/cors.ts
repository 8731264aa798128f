// CORS for browsers calling the routes a scoped key may use (search, recommendations); off unless configured.
import type { FastifyInstance } from 'fastify';

/** The only routes a browser holding a scoped key can call; every other route stays same-origin only. */
export const BROWSER_ROUTES: ReadonlySet<string> = new Set(['/v1/search', '/v1/recommendations']);
const PREFLIGHT_MAX_AGE_S = 600;
const ALLOW_HEADERS = 'authorization, content-type, x-request-id';
/** What a browser script may read: the request id, rate limits and why a key was refused. */
const EXPOSE_HEADERS =
  'x-request-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after, www-authenticate';

/**
 * `origins` is a comma-separated list of exact origins (`https://shop.example`) or `*`; empty turns CORS
 * off. Bearer keys, never cookies: no `Access-Control-Allow-Credentials`, so `*` is safe to allow.
 */
export const parseCorsOrigins = (origins: string): string[] =>
  origins
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);

export const registerCors = (app: FastifyInstance, origins: readonly string[]): void => {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  // Registered before the auth hook, so a 401 or 403 problem also carries the headers a browser needs to read it.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !BROWSER_ROUTES.has(request.url.split('?')[0])) return;
    reply.header('vary', 'origin');
    if (!any && !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', any ? '*' : origin);
    if (request.method !== 'OPTIONS') {
      reply.header('access-control-expose-headers', EXPOSE_HEADERS);
      return;
    }
    // A preflight: no route answers OPTIONS, so it is answered here.
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', ALLOW_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .send();
  });
};
