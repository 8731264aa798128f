// createQuiver: the full client (every /v1 route and /v2 inference), for servers, scripts and tools.

import { changesResource, itemsResource } from './resources/catalog.ts';
import {
  recommendationsResource,
  searchAdminResource,
  searchResource,
  searchRulesResource,
} from './resources/discovery.ts';
import { endpointsResource } from './resources/endpoints.ts';
import { eventsResource } from './resources/events.ts';
import { featuresResource } from './resources/features.ts';
import { inferenceResource } from './resources/inference.ts';
import { modelsResource } from './resources/models.ts';
import { auditResource, keysResource, tenantsResource, usageResource } from './resources/tenancy.ts';
import { trainersResource } from './resources/trainers.ts';
import {
  type CallOptions,
  createTransport,
  type HttpAnswer,
  type HttpRequest,
  type TransportOptions,
} from './transport.ts';
import type { DemoStatus } from './types.ts';

export type QuiverOptions = TransportOptions;

export const createQuiver = (options: QuiverOptions) => {
  const t = createTransport(options);
  return {
    tenants: tenantsResource(t),
    keys: keysResource(t),
    audit: auditResource(t),
    usage: usageResource(t),
    items: itemsResource(t),
    changes: changesResource(t),
    events: eventsResource(t),
    features: featuresResource(t),
    models: modelsResource(t),
    inference: inferenceResource(t),
    endpoints: endpointsResource(t),
    search: { ...searchResource(t), ...searchAdminResource(t), rules: searchRulesResource(t) },
    recommendations: recommendationsResource(t),
    trainers: trainersResource(t),
    health: {
      /** `GET /livez`. */
      live: (o?: CallOptions) => t.call<{ status: string }>({ method: 'GET', path: '/livez' }, o),
      /** `GET /readyz`: a 503 (not ready, draining) is a QuiverError; not retried unless asked. */
      ready: (o?: CallOptions) =>
        t.call<{ status: string; degraded?: string[] }>(
          { method: 'GET', path: '/readyz' },
          { maxRetries: 0, ...o },
        ),
      /** `GET /v1/demo`: the demo shop's bootstrap (loading with its step, ready, failed, or off). */
      demo: (o?: CallOptions) => t.call<DemoStatus>({ method: 'GET', path: '/v1/demo' }, o),
    },
    /** Any route, with the same retries, idempotency, timeout and errors: for what the typed methods lack. */
    request: <T>(request: HttpRequest, o?: CallOptions): Promise<HttpAnswer<T>> => t.send<T>(request, o),
  };
};

export type Quiver = ReturnType<typeof createQuiver>;
