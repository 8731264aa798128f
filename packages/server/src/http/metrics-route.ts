// GET /metrics in the Prometheus text format, and request counters/latency labelled by route and tenant.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/index.ts';
import { routeConfigOf } from './route-config.ts';

export interface MetricsRouteOptions {
  /** `operator` (the default) requires the operator key; `public` opens it (an explicit opt-in). */
  access: 'public' | 'operator';
}

export const registerMetrics = (
  app: FastifyInstance,
  metrics: Metrics,
  options: MetricsRouteOptions,
): void => {
  const requests = metrics.counter('http_requests_total', 'HTTP requests by route, status class and tenant', [
    'method',
    'route',
    'status',
    'tenant',
  ]);
  const latency = metrics.histogram('http_request_duration_seconds', 'HTTP request latency by route', [
    'method',
    'route',
  ]);
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeConfigOf(request).url ?? 'unmatched';
    if (route !== '/metrics') {
      const tenant = request.principal?.kind === 'tenant' ? request.principal.tenantId : '';
      const status = `${Math.floor(reply.statusCode / 100)}xx`;
      requests.inc({ method: request.method, route, status, tenant });
      latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    }
    done();
  });
  app.get(
    '/metrics',
    {
      config: { access: options.access === 'public' ? { public: true } : { operator: true } },
      schema: { tags: ['health'], summary: 'Prometheus metrics', hide: true },
      logLevel: 'warn',
    },
    async (_, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
};
