// The matched route's config (its access rule, pattern and method), read once per request. Fastify's
// `request.routeOptions` builds a new thirteen-field object on every read; the app-wide hooks (auth, metrics,
// stats, usage, logging) each used to read it, so every request paid for four or five of them.
import type { FastifyContextConfig, FastifyRequest } from 'fastify';

/** What Fastify keeps per route: the route's own `config`, plus its pattern and method. */
export type RouteConfig = FastifyContextConfig & { url?: string; method?: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by routeConfigOf on first use. */
    quiverRoute?: RouteConfig;
  }
}

/** Declared on the instance so every request object has the same shape. */
export const decorateRouteConfig = (app: {
  decorateRequest(name: string, value: unknown): unknown;
}): void => {
  app.decorateRequest('quiverRoute', undefined);
};

/** The route's config (`url` undefined for unmatched requests); the same object for every hook of a request. */
export const routeConfigOf = (request: FastifyRequest): RouteConfig => {
  let config = request.quiverRoute;
  if (config === undefined) {
    config = request.routeOptions.config as RouteConfig;
    request.quiverRoute = config;
  }
  return config;
};
