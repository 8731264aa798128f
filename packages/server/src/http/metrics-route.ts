// GET /metrics in the Prometheus text format, and request counters/latency labelled by route and tenant.
import type { FastifyInstance } from 'fastify';
import type { CounterSeries, HistogramSeries, Metrics } from '../metrics/index.ts';
import { observeResponses } from './response-observers.ts';
import { routeConfigOf } from './route-config.ts';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export interface MetricsRouteOptions {
  /** `operator` (the default) requires the operator key; `public` opens it (an explicit opt-in). */
  access: 'public' | 'operator';
}

export const registerMetrics = (
  app: FastifyInstance,
  metrics: Metrics,
  options: MetricsRouteOptions,
): void => {
  const requests = metrics.seriesCounter(
    'http_requests_total',
    'HTTP requests by route, status class and tenant',
    ['method', 'route', 'status', 'tenant'],
  );
  const latency = metrics.seriesHistogram('http_request_duration_seconds', 'HTTP request latency by route', [
    'method',
    'route',
  ]);
  /** The two series of one (method, route, status class, tenant), resolved on its first request. */
  const seen = new Map<string, { count: CounterSeries; latency: HistogramSeries }>();
  observeResponses(app, (request, reply) => {
    const route = routeConfigOf(request).url ?? 'unmatched';
    if (route !== '/metrics') {
      const tenant = request.principal?.kind === 'tenant' ? request.principal.tenantId : '';
      const status =
        STATUS_CLASSES[Math.floor(reply.statusCode / 100)] ?? `${Math.floor(reply.statusCode / 100)}xx`;
      const key = `${request.method} ${route} ${status} ${tenant}`;
      let series = seen.get(key);
      if (!series) {
        const method = request.method;
        series = {
          count: requests.series({ method, route, status, tenant }),
          latency: latency.series({ method, route }),
        };
        seen.set(key, series);
      }
      series.count.inc();
      series.latency.observe(reply.elapsedTime / 1000);
    }
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
