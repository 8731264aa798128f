// Hourly rows → a tenant's figures per hour, day or month (UTC): counters summed, stored levels the largest.
import type { TenantUsage, UsageFigures, UsageGranularity } from '@quiver/contracts';
import type { HourAmount } from './repository.ts';

export const HOUR_MS = 3_600_000;

/** Metric names in the usage_hours table. */
export const METRIC = {
  events: 'events',
  computeS: 'compute_s',
  trainingCpuS: 'training_cpu_s',
  items: 'items',
  vectors: 'vectors',
  artifactBytes: 'artifact_bytes',
} as const;
export const REQUESTS_PREFIX = 'requests:';

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

export const monthOf = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

export const bucketOf = (ms: number, granularity: UsageGranularity): number => {
  if (granularity === 'hour') return hourOf(ms);
  if (granularity === 'month') return monthOf(ms);
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
};

export const emptyFigures = (): UsageFigures => ({
  requests: {},
  events: 0,
  computeS: 0,
  trainingCpuS: 0,
  items: null,
  vectors: null,
  artifactBytes: null,
});

const LEVELS = {
  [METRIC.items]: 'items',
  [METRIC.vectors]: 'vectors',
  [METRIC.artifactBytes]: 'artifactBytes',
} as const;
const COUNTERS = {
  [METRIC.events]: 'events',
  [METRIC.computeS]: 'computeS',
  [METRIC.trainingCpuS]: 'trainingCpuS',
} as const;

const addTo = (f: UsageFigures, metric: string, amount: number): void => {
  if (metric.startsWith(REQUESTS_PREFIX)) {
    const api = metric.slice(REQUESTS_PREFIX.length);
    f.requests[api] = (f.requests[api] ?? 0) + amount;
  } else if (metric in COUNTERS) {
    const key = COUNTERS[metric as keyof typeof COUNTERS];
    f[key] += amount;
  } else if (metric in LEVELS) {
    const key = LEVELS[metric as keyof typeof LEVELS];
    f[key] = Math.max(f[key] ?? 0, Math.round(amount));
  }
};

/** Seconds kept to the microsecond, so sums of many small shares stay readable. */
const tidy = (f: UsageFigures): UsageFigures => ({
  ...f,
  computeS: Math.round(f.computeS * 1e6) / 1e6,
  trainingCpuS: Math.round(f.trainingCpuS * 1e6) / 1e6,
});

/** Rows of any tenants (sorted by tenant, then hour) → one entry per tenant, its non-empty buckets in order. */
export const aggregate = (rows: readonly HourAmount[], granularity: UsageGranularity): TenantUsage[] => {
  const tenants = new Map<string, { total: UsageFigures; buckets: Map<number, UsageFigures> }>();
  for (const row of rows) {
    let t = tenants.get(row.tenantId);
    if (!t) {
      t = { total: emptyFigures(), buckets: new Map() };
      tenants.set(row.tenantId, t);
    }
    const at = bucketOf(row.hourStart, granularity);
    const bucket = t.buckets.get(at) ?? emptyFigures();
    t.buckets.set(at, bucket);
    addTo(bucket, row.metric, row.amount);
    addTo(t.total, row.metric, row.amount);
  }
  return [...tenants].map(([tenantId, t]) => ({
    tenantId,
    total: tidy(t.total),
    points: [...t.buckets]
      .sort(([a], [b]) => a - b)
      .map(([at, f]) => ({ at: new Date(at).toISOString(), ...tidy(f) })),
  }));
};
