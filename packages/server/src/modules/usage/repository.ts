// The only SQL of the usage module: hourly amounts added to (counters) or replaced (levels), read back by
// range, month-to-date sums for quotas, and the quotas themselves. Every statement names its tenant(s).
import { type SqlDatabase, type SqlValue, valuesList } from '../../adapters/sql/index.ts';

export interface HourAmount {
  tenantId: string;
  hourStart: number;
  metric: string;
  amount: number;
}

export interface StoredQuota {
  tenantId: string;
  eventsPerMonth: number | null;
  computeSPerMonth: number | null;
}

const COLUMNS = 4;

const paramsOf = (rows: readonly HourAmount[]): SqlValue[] =>
  rows.flatMap((r) => [r.tenantId, r.hourStart, r.metric, r.amount]);

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface UsageRepository {
  /** Adds each amount to the stored one (replicas add their own counts to the same rows). */
  add(rows: readonly HourAmount[]): Promise<void>;
  /** Replaces the stored amounts (levels sampled from shared state: every replica sees the same). */
  set(rows: readonly HourAmount[]): Promise<void>;
  /** Rows with hour_start in [from, to), of one tenant or all. */
  read(from: number, to: number, tenantId?: string): Promise<HourAmount[]>;
  /** Sums of the given metrics since `from`, per tenant, for the tenants that have a quota. */
  sinceForQuotas(from: number, metrics: readonly string[]): Promise<HourAmount[]>;
  quotas(): Promise<StoredQuota[]>;
  quota(tenantId: string): Promise<StoredQuota | undefined>;
  putQuota(quota: StoredQuota, now: number): Promise<void>;
}

export const createUsageRepository = (db: SqlDatabase): UsageRepository => ({
  async add(rows) {
    if (rows.length === 0) return;
    await db.execute(
      `INSERT INTO usage_hours (tenant_id, hour_start, metric, amount) VALUES ${valuesList(rows.length, COLUMNS)}
       ON CONFLICT (tenant_id, hour_start, metric) DO UPDATE SET amount = usage_hours.amount + excluded.amount`,
      paramsOf(rows),
    );
  },
  async set(rows) {
    if (rows.length === 0) return;
    await db.execute(
      `INSERT INTO usage_hours (tenant_id, hour_start, metric, amount) VALUES ${valuesList(rows.length, COLUMNS)}
       ON CONFLICT (tenant_id, hour_start, metric) DO UPDATE SET amount = excluded.amount`,
      paramsOf(rows),
    );
  },
  async read(from, to, tenantId) {
    const rows = await db.query<{ tenant_id: string; hour_start: unknown; metric: string; amount: unknown }>(
      `SELECT tenant_id, hour_start, metric, amount FROM usage_hours
       WHERE hour_start >= $1 AND hour_start < $2${tenantId === undefined ? '' : ' AND tenant_id = $3'}
       ORDER BY tenant_id, hour_start`,
      tenantId === undefined ? [from, to] : [from, to, tenantId],
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      hourStart: Number(r.hour_start),
      metric: r.metric,
      amount: Number(r.amount),
    }));
  },
  async sinceForQuotas(from, metrics) {
    const rows = await db.query<{ tenant_id: string; metric: string; amount: unknown }>(
      `SELECT h.tenant_id, h.metric, SUM(h.amount) AS amount FROM usage_hours h
       JOIN usage_quotas q ON q.tenant_id = h.tenant_id
       WHERE h.hour_start >= $1 AND h.metric IN (${metrics.map((_, i) => `$${i + 2}`).join(', ')})
       GROUP BY h.tenant_id, h.metric`,
      [from, ...metrics],
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      hourStart: from,
      metric: r.metric,
      amount: Number(r.amount),
    }));
  },
  async quotas() {
    const rows = await db.query<{
      tenant_id: string;
      events_per_month: unknown;
      compute_s_per_month: unknown;
    }>('SELECT tenant_id, events_per_month, compute_s_per_month FROM usage_quotas');
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      eventsPerMonth: num(r.events_per_month),
      computeSPerMonth: num(r.compute_s_per_month),
    }));
  },
  async quota(tenantId) {
    const [r] = await db.query<{ events_per_month: unknown; compute_s_per_month: unknown }>(
      'SELECT events_per_month, compute_s_per_month FROM usage_quotas WHERE tenant_id = $1',
      [tenantId],
    );
    return r
      ? { tenantId, eventsPerMonth: num(r.events_per_month), computeSPerMonth: num(r.compute_s_per_month) }
      : undefined;
  },
  async putQuota(q, now) {
    await db.execute(
      `INSERT INTO usage_quotas (tenant_id, events_per_month, compute_s_per_month, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET events_per_month = excluded.events_per_month, compute_s_per_month = excluded.compute_s_per_month, updated_at = excluded.updated_at`,
      [q.tenantId, q.eventsPerMonth, q.computeSPerMonth, now],
    );
  },
});
