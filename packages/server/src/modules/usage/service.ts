// Per-tenant metering: each replica adds to in-memory counters of the current hour and writes them to the
// SQL port every few seconds (added to the shared rows, so replicas sum and restarts keep what was written);
// monthly quotas are checked against the month-to-date sums read back on each write.
import type { QuotaLimits, TenantQuotas, UsageGranularity, UsageQuery, UsageReport } from '@quiver/contracts';
import { MAX_USAGE_HOURS } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Clock, QuiverError, type Reader } from '../../kernel/index.ts';
import { aggregate, HOUR_MS, hourOf, METRIC, monthOf, REQUESTS_PREFIX } from './report.ts';
import { createUsageRepository, type HourAmount } from './repository.ts';

export const DEFAULT_USAGE_FLUSH_MS = 5_000;
export const DEFAULT_REPORT_HOURS = 24;

/** The counters a module adds to; requests by API are counted by the module's own HTTP hook. */
export type CountedMetric = 'events' | 'compute_s' | 'training_cpu_s';
export type QuotaKind = 'events' | 'compute';

/** Stored amounts of one tenant, sampled from shared state (see UsageDeps.levels). */
export interface TenantLevels {
  tenantId: string;
  items?: number;
  vectors?: number;
  artifactBytes?: number;
}

/** What other modules use: count what a tenant used, and ask before spending a quota. */
export interface UsageMeter {
  count(tenantId: string, metric: CountedMetric, amount: number): void;
  /**
   * Throws `quota_exceeded` when the tenant's monthly quota of `kind` is used up (events: when `amount` more
   * would pass it). Checks in memory: a quota set on another replica applies here from its next flush.
   */
  admit(tenantId: string, kind: QuotaKind, amount?: number): void;
}

export interface UsageService extends UsageMeter {
  /** Counts one answered request of the tenant to an API (a route's scope family). */
  countRequest(tenantId: string, api: string): void;
  /** Writes this replica's counts, then reloads quotas and month-to-date sums. */
  flush(): Promise<void>;
  /** Stores the current hour's stored-amount samples. */
  sampleLevels(): Promise<void>;
  /** The operator reads any tenant, a tenant key its own. */
  report(reader: Reader, query: UsageQuery): Promise<UsageReport>;
  quotas(tenantId: string): Promise<TenantQuotas>;
  setQuotas(tenantId: string, limits: QuotaLimits): Promise<TenantQuotas>;
}

export interface UsageDeps {
  db: SqlDatabase;
  clock: Clock;
  /** Throws `not_found` for an unknown tenant (quotas are set on existing tenants only). */
  tenantExists(tenantId: string): Promise<void>;
  /** Stored amounts per tenant; default none. */
  levels?: () => Promise<TenantLevels[]>;
}

const QUOTA_METRIC: Record<QuotaKind, CountedMetric> = { events: 'events', compute: 'compute_s' };
const QUOTA_FIELD = { events: 'eventsPerMonth', compute: 'computeSPerMonth' } as const;
const QUOTA_UNIT: Record<QuotaKind, string> = { events: 'events', compute: 'compute seconds' };

const monthLabel = (monthStart: number): string => new Date(monthStart).toISOString().slice(0, 7);

const field = (path: string, message: string) =>
  new QuiverError('validation_failed', message, { errors: [{ path, message }] });

export const createUsageService = (deps: UsageDeps): UsageService => {
  const repo = createUsageRepository(deps.db);
  // tenant → hour → metric → amount not yet written.
  let pending = new Map<string, HourAmount>();
  let quotas = new Map<string, QuotaLimits>();
  // Month-to-date sums as of the last flush, per tenant with a quota: metric → amount.
  let monthUsed = { month: 0, byTenant: new Map<string, Map<string, number>>() };

  // The current hour as key text, made once an hour rather than once a request.
  let hourKey = { start: Number.NaN, text: '' };
  const addAt = (hourStart: number, tenantId: string, metric: string, amount: number) => {
    if (!(amount > 0)) return;
    if (hourKey.start !== hourStart) hourKey = { start: hourStart, text: String(hourStart) };
    const key = `${tenantId}\n${hourKey.text}\n${metric}`;
    const row = pending.get(key);
    if (row) row.amount += amount;
    else pending.set(key, { tenantId, hourStart, metric, amount });
  };
  const add = (tenantId: string, metric: string, amount: number) =>
    addAt(hourOf(deps.clock.now()), tenantId, metric, amount);

  /** Month-to-date use of a metric: the last read sums plus what this replica has not written yet. */
  const usedThisMonth = (tenantId: string, metric: string): number => {
    const month = monthOf(deps.clock.now());
    let used = monthUsed.month === month ? (monthUsed.byTenant.get(tenantId)?.get(metric) ?? 0) : 0;
    for (const row of pending.values())
      if (row.tenantId === tenantId && row.metric === metric && row.hourStart >= month) used += row.amount;
    return used;
  };

  const reloadQuotas = async () => {
    const month = monthOf(deps.clock.now());
    const [stored, sums] = await Promise.all([
      repo.quotas(),
      repo.sinceForQuotas(month, Object.values(QUOTA_METRIC)),
    ]);
    quotas = new Map(stored.map((q) => [q.tenantId, q]));
    const byTenant = new Map<string, Map<string, number>>();
    for (const s of sums) {
      const m = byTenant.get(s.tenantId) ?? new Map<string, number>();
      m.set(s.metric, s.amount);
      byTenant.set(s.tenantId, m);
    }
    monthUsed = { month, byTenant };
  };

  const quotasOf = async (tenantId: string): Promise<TenantQuotas> => {
    const month = monthOf(deps.clock.now());
    const [stored, rows] = await Promise.all([
      repo.quota(tenantId),
      repo.read(month, Number.MAX_SAFE_INTEGER, tenantId),
    ]);
    const sum = (metric: string) => rows.filter((r) => r.metric === metric).reduce((n, r) => n + r.amount, 0);
    return {
      tenantId,
      eventsPerMonth: stored?.eventsPerMonth ?? null,
      computeSPerMonth: stored?.computeSPerMonth ?? null,
      month: monthLabel(month),
      used: { events: sum(METRIC.events), computeS: Math.round(sum(METRIC.computeS) * 1e6) / 1e6 },
    };
  };

  const service: UsageService = {
    count: add,
    countRequest: (tenantId, api) => add(tenantId, `${REQUESTS_PREFIX}${api}`, 1),

    admit(tenantId, kind, amount = 0) {
      const limit = quotas.get(tenantId)?.[QUOTA_FIELD[kind]];
      if (limit === null || limit === undefined) return;
      const used = usedThisMonth(tenantId, QUOTA_METRIC[kind]);
      if (kind === 'events' ? used + amount <= limit : used < limit) return;
      const month = monthLabel(monthOf(deps.clock.now()));
      const shown = Math.round(used * 1000) / 1000;
      throw new QuiverError(
        'quota_exceeded',
        `Tenant '${tenantId}' has used ${shown} of its ${limit} ${QUOTA_UNIT[kind]} for ${month}` +
          (kind === 'events' ? `; this batch holds ${amount}` : '') +
          '; the quota resets at the start of next month (UTC)',
      );
    },

    async flush() {
      const rows = [...pending.values()];
      pending = new Map();
      try {
        await repo.add(rows);
      } catch (e) {
        // Kept, in their own hours, for the next flush: a failed write loses nothing.
        for (const r of rows) addAt(r.hourStart, r.tenantId, r.metric, r.amount);
        throw e;
      }
      await reloadQuotas();
    },

    async sampleLevels() {
      if (!deps.levels) return;
      const hourStart = hourOf(deps.clock.now());
      const rows: HourAmount[] = [];
      for (const l of await deps.levels()) {
        const sample = (metric: string, amount: number | undefined) => {
          if (amount !== undefined) rows.push({ tenantId: l.tenantId, hourStart, metric, amount });
        };
        sample(METRIC.items, l.items);
        sample(METRIC.vectors, l.vectors);
        sample(METRIC.artifactBytes, l.artifactBytes);
      }
      await repo.set(rows);
    },

    async report(reader, query) {
      if (reader.kind === 'tenant' && query.tenantId !== undefined && query.tenantId !== reader.tenantId)
        throw new QuiverError('not_found', `tenant '${query.tenantId}' was not found`);
      const tenantId = reader.kind === 'tenant' ? reader.tenantId : query.tenantId;
      const granularity: UsageGranularity = query.granularity ?? 'hour';
      const to = query.to ? Date.parse(query.to) : deps.clock.now();
      const from = hourOf(query.from ? Date.parse(query.from) : to - DEFAULT_REPORT_HOURS * HOUR_MS);
      if (from >= to) throw field('/from', '`from` must be before `to`');
      if (to - from > MAX_USAGE_HOURS * HOUR_MS)
        throw field('/from', `at most ${MAX_USAGE_HOURS} hours between \`from\` and \`to\``);
      const rows = await repo.read(from, to, tenantId);
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        granularity,
        tenants: aggregate(rows, granularity),
      };
    },

    async quotas(tenantId) {
      await deps.tenantExists(tenantId);
      return quotasOf(tenantId);
    },

    async setQuotas(tenantId, limits) {
      await deps.tenantExists(tenantId);
      await repo.putQuota({ tenantId, ...limits }, deps.clock.now());
      await reloadQuotas();
      return quotasOf(tenantId);
    },
  };
  return service;
};
