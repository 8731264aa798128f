// Endpoint telemetry: per variant and per shadow pair, counted in memory in 10 s buckets and flushed to SQL
// (each replica replaces its own rows, so replicas never contend), plus exposures and Prometheus metrics.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import type { ExposureRow, RoutingRepository, StatsCounts, StatsKey, StatsRow } from './repository.ts';
import { LATENCY_BOUNDS_MS, latencyBucket } from './stats.ts';

export const STATS_BUCKET_MS = 10_000;
export const DEFAULT_FLUSH_MS = 1_000;
/** Exposures already written are remembered up to this many, so a returning unit costs no write. */
const SEEN_EXPOSURES_MAX = 200_000;

export interface Observation extends StatsKey {
  /** For a shadow: the model@version that answered the caller. */
  peer?: string;
  ok: boolean;
  degraded?: boolean;
  /** Absent when nothing ran (the breaker skipped the target). */
  latencyMs?: number;
  meanAbsDiff?: number;
  topKOverlap?: number;
}

export const bucketStart = (ms: number): number => Math.floor(ms / STATS_BUCKET_MS) * STATS_BUCKET_MS;

/** Counts of nothing yet: the start of a bucket's row, and of an aggregate over rows. */
export const emptyCounts = (): StatsCounts => ({
  requests: 0,
  errors: 0,
  degraded: 0,
  latency: LATENCY_BOUNDS_MS.map(() => 0),
  divSum: 0,
  divN: 0,
  overlapSum: 0,
  overlapN: 0,
});

export const createTelemetry = (deps: { repo: RoutingRepository; clock: Clock; metrics: Metrics }) => {
  const replica = randomBytes(6).toString('hex');
  const rows = new Map<string, StatsRow>();
  const dirty = new Set<string>();
  let exposures: ExposureRow[] = [];
  const seen = new Set<string>();
  const labels = ['tenant', 'endpoint', 'variant', 'model', 'version'] as const;
  const requests = deps.metrics.counter('endpoint_requests_total', 'Endpoint attempts by target', labels);
  const failures = deps.metrics.counter('endpoint_failures_total', 'Failed endpoint attempts', labels);
  const fallbacks = deps.metrics.counter('endpoint_degraded_total', 'Answers given by a fallback', labels);
  const latency = deps.metrics.histogram(
    'endpoint_request_seconds',
    'Endpoint attempts that ran, by variant: latency (the per-endpoint latency SLO)',
    ['tenant', 'endpoint', 'variant'],
  );
  const transitions = deps.metrics.counter(
    'rollout_transitions_total',
    'Rollout decisions applied (promote, complete, rollback, pause, resume)',
    ['tenant', 'endpoint', 'action'],
  );
  const shadowLabels = ['tenant', 'endpoint', 'primary', 'shadow'] as const;
  const shadows = deps.metrics.counter('endpoint_shadow_requests_total', 'Mirrored requests', shadowLabels);
  const shadowErrors = deps.metrics.counter(
    'endpoint_shadow_errors_total',
    'Failed mirrored requests',
    shadowLabels,
  );
  const divergence = deps.metrics.histogram(
    'endpoint_shadow_divergence',
    'Shadow output divergence: mean absolute difference of scores',
    shadowLabels,
    [0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5],
  );
  const overlap = deps.metrics.histogram(
    'endpoint_shadow_topk_overlap',
    'Shadow output agreement: top-k overlap of rankings',
    shadowLabels,
    [0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1],
  );

  const record = (o: Observation) => {
    const bucket = bucketStart(deps.clock.now());
    const peer = o.peer ?? '';
    const key = [o.tenantId, o.endpoint, o.kind, o.variant, o.model, o.version, peer, bucket].join('\u0000');
    let row = rows.get(key);
    if (!row) {
      row = {
        tenantId: o.tenantId,
        endpoint: o.endpoint,
        kind: o.kind,
        variant: o.variant,
        model: o.model,
        version: o.version,
        peer,
        bucket,
        ...emptyCounts(),
      };
      rows.set(key, row);
    }
    row.requests++;
    if (!o.ok) row.errors++;
    if (o.degraded) row.degraded++;
    if (o.latencyMs !== undefined) row.latency[latencyBucket(o.latencyMs)]++;
    if (o.meanAbsDiff !== undefined) {
      row.divSum += o.meanAbsDiff;
      row.divN++;
    }
    if (o.topKOverlap !== undefined) {
      row.overlapSum += o.topKOverlap;
      row.overlapN++;
    }
    dirty.add(key);
    if (o.kind === 'serve') {
      const l = {
        tenant: o.tenantId,
        endpoint: o.endpoint,
        variant: o.variant,
        model: o.model,
        version: o.version,
      };
      requests.inc(l);
      if (o.latencyMs !== undefined)
        latency.observe({ tenant: l.tenant, endpoint: l.endpoint, variant: l.variant }, o.latencyMs / 1000);
      if (!o.ok) failures.inc(l);
      if (o.degraded) fallbacks.inc(l);
    } else {
      const l = {
        tenant: o.tenantId,
        endpoint: o.endpoint,
        primary: peer,
        shadow: `${o.model}@${o.version}`,
      };
      shadows.inc(l);
      if (!o.ok) shadowErrors.inc(l);
      if (o.meanAbsDiff !== undefined) divergence.observe(l, o.meanAbsDiff);
      if (o.topKOverlap !== undefined) overlap.observe(l, o.topKOverlap);
    }
  };

  const expose = (e: ExposureRow) => {
    const key = `${e.tenantId}\u0000${e.endpoint}\u0000${e.unit}\u0000${e.variant}`;
    if (seen.has(key)) return;
    if (seen.size >= SEEN_EXPOSURES_MAX) seen.clear();
    seen.add(key);
    exposures.push(e);
  };

  let flushing: Promise<void> = Promise.resolve();
  const flushNow = async () => {
    const batch = [...dirty].map((k) => rows.get(k)).filter((r): r is StatsRow => r !== undefined);
    dirty.clear();
    const pending = exposures;
    exposures = [];
    // Buckets older than the previous one are complete once written: forget them.
    const keep = bucketStart(deps.clock.now()) - STATS_BUCKET_MS;
    for (const [k, r] of rows) if (r.bucket < keep && !dirty.has(k)) rows.delete(k);
    try {
      if (batch.length > 0)
        await deps.repo.writeStats(
          replica,
          batch.map((r) => ({ ...r, latency: [...r.latency] })),
        );
      if (pending.length > 0) await deps.repo.writeExposures(pending);
    } catch (error) {
      // Written again on the next flush: rows are replaced whole, exposures are insert-if-absent.
      for (const r of batch) {
        const key = [r.tenantId, r.endpoint, r.kind, r.variant, r.model, r.version, r.peer, r.bucket].join(
          '\u0000',
        );
        rows.set(key, rows.get(key) ?? r);
        dirty.add(key);
      }
      exposures.push(...pending);
      throw error;
    }
  };

  return {
    record,
    expose,
    /** A rollout decision that was applied (the rollback alert counts these). */
    transition(tenant: string, endpoint: string, action: string): void {
      transitions.inc({ tenant, endpoint, action });
    },
    /** Writes what changed since the last flush; serialized so two flushes never interleave. */
    flush(): Promise<void> {
      flushing = flushing.catch(() => undefined).then(flushNow);
      return flushing;
    },
  };
};

export type Telemetry = ReturnType<typeof createTelemetry>;
