// Deprecation of /v1 routes: a route marked `config.deprecated` answers with `Deprecation` (RFC 9745),
// `Sunset` (RFC 8594) and a `Link` to the changelog that explains the change and names the successor;
// its OpenAPI operation says `deprecated: true`. /v1 only grows: a route is removed only after its sunset.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, onSendHookHandler } from 'fastify';

/** Where the `Link` header points: the changelog, served by this server (registerChangelog). */
export const CHANGELOG_PATH = '/changelog';
const CHANGELOG_FILE = new URL('../../../../CHANGELOG.md', import.meta.url);

export interface RouteDeprecation {
  /** When it was deprecated (ISO date or date-time). */
  since: string;
  /** When it may stop answering (ISO date or date-time); at least six months after `since`. */
  sunset: string;
  /** The route that replaces it, for a `Link: <…>; rel="successor-version"`. */
  successor?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    deprecated?: RouteDeprecation;
  }
}

const MIN_NOTICE_MS = 180 * 86_400_000;

/** The headers a deprecated route answers with (also on its errors). */
export const deprecationHeaders = (d: RouteDeprecation): Record<string, string> => {
  const since = Date.parse(d.since);
  const sunset = Date.parse(d.sunset);
  const links = [`<${CHANGELOG_PATH}>; rel="deprecation"; type="text/markdown"`];
  if (d.successor) links.push(`<${d.successor}>; rel="successor-version"`);
  return {
    deprecation: `@${Math.floor(since / 1000)}`,
    sunset: new Date(sunset).toUTCString(),
    link: links.join(', '),
  };
};

/**
 * Register before the routes (and before OpenAPI, which reads their schemas): checks each deprecation when
 * the route is added (a bad date or a notice shorter than six months fails the start), marks the operation
 * deprecated, and adds the headers to every answer of the route.
 */
export const registerDeprecation = (app: FastifyInstance): void => {
  app.addHook('onRoute', (route) => {
    const d = route.config?.deprecated;
    if (!d) return;
    const since = Date.parse(d.since);
    const sunset = Date.parse(d.sunset);
    if (Number.isNaN(since) || Number.isNaN(sunset) || sunset - since < MIN_NOTICE_MS)
      throw new Error(`${route.method} ${route.url}: a deprecation needs dates and six months' notice`);
    route.schema = { ...(route.schema ?? {}), deprecated: true } as typeof route.schema;
    // A hook on the deprecated routes only: every other answer skips it.
    const headers = deprecationHeaders(d);
    const onSend: onSendHookHandler = (_request, reply, payload, done) => {
      reply.headers(headers);
      done(null, payload);
    };
    route.onSend = [...(route.onSend === undefined ? [] : [route.onSend].flat()), onSend];
  });
};

/** GET /changelog: the changelog the deprecation links point at (404 when the file is not shipped). */
export const registerChangelog = (app: FastifyInstance): void => {
  app.get(
    CHANGELOG_PATH,
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_, reply) => {
      let text: string;
      try {
        text = readFileSync(CHANGELOG_FILE, 'utf8');
      } catch {
        return reply.code(404).type('text/plain').send('no changelog in this build');
      }
      return reply.type('text/markdown; charset=utf-8').send(text);
    },
  );
};
