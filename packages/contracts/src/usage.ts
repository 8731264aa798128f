// Wire shapes of per-tenant metering (GET /v1/usage) and monthly quotas (GET/PUT /v1/tenants/{id}/quotas).
import { type Static, Type } from 'typebox';
import { TenantIdSchema, TimestampSchema } from './common.ts';

export const USAGE_GRANULARITIES = ['hour', 'day', 'month'] as const;
export type UsageGranularity = (typeof USAGE_GRANULARITIES)[number];
/** At most this many hours between `from` and `to` (about 13 months). */
export const MAX_USAGE_HOURS = 9_600;

export const UsageQuerySchema = Type.Object(
  {
    /** Start, inclusive, rounded down to the hour; default 24 hours before `to`. */
    from: Type.Optional(TimestampSchema),
    /** End, exclusive; default now. */
    to: Type.Optional(TimestampSchema),
    granularity: Type.Optional(Type.Enum([...USAGE_GRANULARITIES], { default: 'hour' })),
    /** The operator's choice of one tenant (default every tenant); a tenant key may name only its own. */
    tenantId: Type.Optional(TenantIdSchema),
  },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuerySchema>;

/** What a tenant used over a period (UTC buckets). */
const usageFields = {
  /** Answered requests by API (the route's scope family: search, infer, events, catalog, admin, …). */
  requests: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  /** Events accepted (duplicates and rejected events are not counted). */
  events: Type.Integer({ minimum: 0 }),
  /** Inference compute: each batch's wall time in its worker thread, split across its requests by rows. */
  computeS: Type.Number({ minimum: 0 }),
  /** Busy time of training worker threads (the training math is single-threaded and synchronous). */
  trainingCpuS: Type.Number({ minimum: 0 }),
  /** Stored amounts, the largest sampled in the period (sampled about once a minute); null when unsampled. */
  items: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  vectors: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  artifactBytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
};
export const UsageFiguresSchema = Type.Object(usageFields);
export type UsageFigures = Static<typeof UsageFiguresSchema>;

export const UsagePointSchema = Type.Object({ at: TimestampSchema, ...usageFields });
export type UsagePoint = Static<typeof UsagePointSchema>;

export const TenantUsageSchema = Type.Object({
  tenantId: Type.String(),
  total: UsageFiguresSchema,
  /** One per bucket with any usage, oldest first. */
  points: Type.Array(UsagePointSchema),
});
export type TenantUsage = Static<typeof TenantUsageSchema>;

export const UsageReportSchema = Type.Object({
  from: TimestampSchema,
  to: TimestampSchema,
  granularity: Type.Enum([...USAGE_GRANULARITIES]),
  tenants: Type.Array(TenantUsageSchema),
});
export type UsageReport = Static<typeof UsageReportSchema>;

/** Monthly limits (UTC calendar month); null: unlimited. */
export const QuotaLimitsSchema = Type.Object(
  {
    eventsPerMonth: Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]),
    computeSPerMonth: Type.Union([Type.Number({ minimum: 0, maximum: 1e12 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type QuotaLimits = Static<typeof QuotaLimitsSchema>;

export const TenantQuotasSchema = Type.Object({
  tenantId: Type.String(),
  ...QuotaLimitsSchema.properties,
  /** The month `used` counts, `YYYY-MM` (UTC). */
  month: Type.String(),
  used: Type.Object({ events: Type.Integer({ minimum: 0 }), computeS: Type.Number({ minimum: 0 }) }),
});
export type TenantQuotas = Static<typeof TenantQuotasSchema>;
