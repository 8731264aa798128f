// What an endpoint reports: served and shadow telemetry (stats), experiment results with statistics, and
// the numbers of each side of a rollout that the controller decides on.
import type { EndpointStats, ExperimentResults, PutEndpoint } from '@quiver/contracts';
import type { Clock } from '../../kernel/index.ts';
import { mustGetEndpoint, variantName } from './endpoints.ts';
import type { RoutingRepository, StatsCounts, StatsRow } from './repository.ts';
import type { SideNumbers } from './rollout.ts';
import { histogramQuantile, relativeLift, sampleRatioMismatch, wilsonInterval } from './stats.ts';
import { bucketStart, emptyCounts, type Telemetry } from './telemetry.ts';

/** Default window of GET …/stats: the last 15 minutes. */
export const DEFAULT_STATS_WINDOW_MS = 15 * 60_000;

export type Aggregate = StatsCounts;

/** Sums rows (of every replica and bucket) by a key. */
export const aggregate = (rows: readonly StatsRow[], keyOf: (r: StatsRow) => string) => {
  const out = new Map<string, Aggregate & { sample: StatsRow }>();
  for (const r of rows) {
    const k = keyOf(r);
    let a = out.get(k);
    if (!a) {
      a = { ...emptyCounts(), sample: r };
      out.set(k, a);
    }
    a.requests += r.requests;
    a.errors += r.errors;
    a.degraded += r.degraded;
    r.latency.forEach((c, i) => {
      a.latency[i] += c;
    });
    a.divSum += r.divSum;
    a.divN += r.divN;
    a.overlapSum += r.overlapSum;
    a.overlapN += r.overlapN;
  }
  return out;
};

const round = (x: number | null, digits = 3): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;

export const endpointStats = (
  rows: readonly StatsRow[],
  since: number,
  breakers: EndpointStats['breakers'],
): EndpointStats => {
  const serve = aggregate(
    rows.filter((r) => r.kind === 'serve'),
    (r) => `${r.variant}\u0000${r.model}\u0000${r.version}`,
  );
  const shadow = aggregate(
    rows.filter((r) => r.kind === 'shadow'),
    (r) => `${r.peer}\u0000${r.model}@${r.version}`,
  );
  return {
    since: new Date(since).toISOString(),
    variants: [...serve.values()].map((a) => ({
      variant: a.sample.variant,
      model: a.sample.model,
      version: a.sample.version,
      requests: a.requests,
      errors: a.errors,
      errorRate: a.requests ? round(a.errors / a.requests, 6) : null,
      degraded: a.degraded,
      p50Ms: round(histogramQuantile(a.latency, 0.5)),
      p99Ms: round(histogramQuantile(a.latency, 0.99)),
    })),
    shadows: [...shadow.values()].map((a) => ({
      primary: a.sample.peer,
      shadow: `${a.sample.model}@${a.sample.version}`,
      requests: a.requests,
      errors: a.errors,
      p50Ms: round(histogramQuantile(a.latency, 0.5)),
      p99Ms: round(histogramQuantile(a.latency, 0.99)),
      meanAbsDiff: a.divN ? round(a.divSum / a.divN, 6) : null,
      topKOverlap: a.overlapN ? round(a.overlapSum / a.overlapN, 6) : null,
    })),
    breakers,
  };
};

export interface ResultsOptions {
  metric: string;
  from?: string;
  to?: string;
  confidence: number;
}

/** Per variant: exposures, conversions, rate with a Wilson interval, lift against the first route (control). */
export const experimentResults = async (
  repo: RoutingRepository,
  tenantId: string,
  name: string,
  spec: PutEndpoint,
  o: ResultsOptions,
): Promise<ExperimentResults> => {
  const from = o.from ? Date.parse(o.from) : 0;
  const to = o.to ? Date.parse(o.to) : Number.MAX_SAFE_INTEGER;
  const exposures = await repo.exposureCounts(tenantId, name, from, to);
  const conversions = await repo.conversionCounts(tenantId, name, o.metric, from, to);
  const names = spec.routes.map(variantName);
  const n = names.map((v) => exposures.get(v) ?? 0);
  const c = names.map((v) => Math.min(conversions.get(v) ?? 0, exposures.get(v) ?? 0));
  const srm = sampleRatioMismatch(
    n,
    spec.routes.map((r) => r.weight),
  );
  return {
    metric: o.metric,
    from: o.from ?? null,
    to: o.to ?? null,
    control: names[0],
    confidence: o.confidence,
    variants: names.map((variant, i) => {
      const lift = i === 0 ? null : relativeLift(c[0], n[0], c[i], n[i], o.confidence);
      return {
        variant,
        weight: spec.routes[i].weight,
        exposures: n[i],
        conversions: c[i],
        rate: n[i] ? c[i] / n[i] : null,
        rateInterval: wilsonInterval(c[i], n[i], o.confidence),
        lift: lift?.lift ?? null,
        liftInterval: lift?.interval ?? null,
      };
    }),
    srm,
  };
};

/** One side of a rollout from the aggregated serve rows and attributed events; zeros when it had no traffic. */
export const sideNumbers = (
  agg: ReturnType<typeof aggregate>,
  variant: string,
  clicks: Map<string, number>,
  conversions: Map<string, number>,
): SideNumbers => {
  const a = agg.get(variant);
  const requests = a?.requests ?? 0;
  const errors = a?.errors ?? 0;
  return {
    requests,
    errors,
    p99Ms: a ? histogramQuantile(a.latency, 0.99) : null,
    served: requests - errors,
    clicks: clicks.get(variant) ?? 0,
    conversions: conversions.get(variant) ?? 0,
  };
};

export interface ReportDeps {
  repo: RoutingRepository;
  telemetry: Telemetry;
  clock: Clock;
  breakerStates(tenantId: string, name: string): EndpointStats['breakers'];
}

/** Both reads flush this replica's telemetry first, so they include its own traffic up to the call. */
export const createReports = ({ repo, telemetry, clock, breakerStates }: ReportDeps) => ({
  /** Since `sinceIso`, else the last `DEFAULT_STATS_WINDOW_MS`; at the 10 s bucket granularity. */
  async stats(tenantId: string, name: string, sinceIso?: string): Promise<EndpointStats> {
    await mustGetEndpoint(repo, tenantId, name);
    await telemetry.flush();
    const since = sinceIso ? Date.parse(sinceIso) : clock.now() - DEFAULT_STATS_WINDOW_MS;
    const rows = await repo.readStats(tenantId, name, bucketStart(since));
    return endpointStats(rows, since, breakerStates(tenantId, name));
  },

  /** Compares the endpoint's current routes; the first one is the control. */
  async results(tenantId: string, name: string, o: ResultsOptions): Promise<ExperimentResults> {
    const row = await mustGetEndpoint(repo, tenantId, name);
    await telemetry.flush();
    return experimentResults(repo, tenantId, name, row.spec, o);
  },
});
