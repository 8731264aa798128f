// Wire shapes of GET /v1/stats/series: request, latency, cache, batch and stream figures over recent
// windows, summed over every replica (issue 19's console overview reads them).
import { type Static, Type } from 'typebox';
import { QueryInteger } from './common.ts';

export const MAX_STATS_MINUTES = 120;

export const StatsSeriesQuerySchema = Type.Object(
  {
    minutes: Type.Optional(QueryInteger({ minimum: 1, maximum: MAX_STATS_MINUTES })),
  },
  { additionalProperties: false },
);
export type StatsSeriesQuery = Static<typeof StatsSeriesQuerySchema>;

const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

/** One window. Ratios and percentiles are null where the window saw nothing to compute them from. */
export const StatsPointSchema = Type.Object({
  /** Window start, ISO 8601. */
  at: Type.String(),
  requests: Type.Integer({ minimum: 0 }),
  requestsPerS: Type.Number({ minimum: 0 }),
  /** Answers with a 5xx status over all answers. */
  errorRate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  /** From a latency histogram (upper bound of the bucket the percentile falls in), in milliseconds. */
  p50Ms: Nullable(Type.Number({ minimum: 0 })),
  p99Ms: Nullable(Type.Number({ minimum: 0 })),
  /** Inference response cache hits over lookups; null for a tenant key (the cache figures are global). */
  cacheHitRatio: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  /** Mean rows per inference batch run in the window. */
  meanBatchSize: Nullable(Type.Number({ minimum: 0 })),
  /** Events not yet applied by the feature consumers at the window's last sample (largest replica). */
  streamLag: Nullable(Type.Number({ minimum: 0 })),
});
export type StatsPoint = Static<typeof StatsPointSchema>;

export const TenantComputeSchema = Type.Object({
  tenantId: Type.String(),
  requests: Type.Integer({ minimum: 0 }),
  /** Server time spent answering the tenant's requests over the range, in milliseconds. */
  computeMs: Type.Number({ minimum: 0 }),
});

export const StatsSeriesSchema = Type.Object({
  windowS: Type.Integer({ minimum: 1 }),
  from: Type.String(),
  to: Type.String(),
  /** `all` for the operator; a tenant key sees only its own tenant's requests. */
  scope: Type.Union([Type.Literal('all'), Type.Literal('tenant')]),
  points: Type.Array(StatsPointSchema),
  tenants: Type.Array(TenantComputeSchema),
});
export type StatsSeries = Static<typeof StatsSeriesSchema>;
