// quiver usage: metered usage per tenant by hour, day or month (GET /v1/usage), monthly quotas, and the
// recent minutes' requests and server time (GET /v1/stats/series).
import type { StatsSeries, TenantQuotas, UsageFigures, UsageReport } from '@quiver/contracts';
import { CliError, EXIT } from '../errors.ts';
import { fields, table } from '../output.ts';
import { enc, int, parse, show } from './args.ts';
import type { Command } from './types.ts';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

const recentTable = (s: StatsSeries): string => {
  const tenants = table(s.tenants, [
    { header: 'TENANT', value: (t) => t.tenantId },
    { header: 'REQUESTS', value: (t) => t.requests, right: true },
    { header: 'SERVER MS', value: (t) => Math.round(t.computeMs), right: true },
    {
      header: 'MS/REQUEST',
      value: (t) => (t.requests ? (t.computeMs / t.requests).toFixed(2) : '-'),
      right: true,
    },
  ]);
  const requests = sum(s.points.map((p) => p.requests));
  const errors = sum(s.points.map((p) => (p.errorRate ?? 0) * p.requests));
  const p99 = Math.max(0, ...s.points.map((p) => p.p99Ms ?? 0));
  return (
    `${s.from} → ${s.to} (${s.scope === 'all' ? 'every tenant' : 'this tenant'}, ${s.windowS} s windows)\n` +
    `requests ${requests}, 5xx ${Math.round(errors)}, worst window p99 ${p99} ms\n\n${tenants}`
  );
};

const requestsOf = (f: UsageFigures) => sum(Object.values(f.requests));
const level = (n: number | null) => (n === null ? '-' : n);

const usageTable = (r: UsageReport): string => {
  const rows = r.tenants.flatMap((t) =>
    [...t.points, { at: 'total', ...t.total }].map((p) => ({ tenantId: t.tenantId, ...p })),
  );
  return (
    `${r.from} → ${r.to} by ${r.granularity} (UTC)\n\n` +
    table(rows, [
      { header: 'TENANT', value: (p) => p.tenantId },
      { header: 'AT', value: (p) => p.at },
      { header: 'REQUESTS', value: requestsOf, right: true },
      { header: 'EVENTS', value: (p) => p.events, right: true },
      { header: 'COMPUTE S', value: (p) => p.computeS.toFixed(3), right: true },
      { header: 'TRAINING CPU S', value: (p) => p.trainingCpuS.toFixed(1), right: true },
      { header: 'ITEMS', value: (p) => level(p.items), right: true },
      { header: 'VECTORS', value: (p) => level(p.vectors), right: true },
      { header: 'ARTIFACT BYTES', value: (p) => level(p.artifactBytes), right: true },
    ])
  );
};

const quotaFields = (q: TenantQuotas) =>
  fields([
    ['tenant', q.tenantId],
    ['month', q.month],
    ['events', `${q.used.events} of ${q.eventsPerMonth ?? 'unlimited'}`],
    ['compute s', `${q.used.computeS} of ${q.computeSPerMonth ?? 'unlimited'}`],
  ]);

/** `--events 1000` → 1000; `--events none` → null (unlimited); absent → the current value. */
const limit = (name: string, text: string | undefined, current: number | null): number | null => {
  if (text === undefined) return current;
  if (text === 'none') return null;
  const n = Number(text);
  const whole = name === 'events';
  if (text.trim() === '' || !(n >= 0) || (whole && !Number.isInteger(n)))
    throw new CliError(
      `--${name} must be ${whole ? 'a whole number' : 'a number of seconds'} or none`,
      EXIT.usage,
    );
  return n;
};

export const usage: Command = {
  name: 'usage',
  summary: 'metered usage per tenant (operator: every tenant), monthly quotas, and recent traffic',
  default: 'show',
  actions: {
    show: {
      usage:
        'quiver usage [show] [--from <ISO time>] [--to <ISO time>] [--granularity hour|day|month] [--tenant <id>]',
      summary: 'requests by API, events, compute, training CPU and stored amounts (GET /v1/usage)',
      run: async (ctx) => {
        const { values } = parse(
          ctx,
          {
            from: { type: 'string' },
            to: { type: 'string' },
            granularity: { type: 'string' },
            tenant: { type: 'string' },
          },
          [],
          usage.actions.show.usage,
        );
        const res = await ctx.api().request<UsageReport>({
          path: '/v1/usage',
          query: {
            from: values.from,
            to: values.to,
            granularity: values.granularity,
            tenantId: values.tenant,
          },
        });
        return show(ctx, res, usageTable);
      },
    },
    quotas: {
      usage: 'quiver usage quotas <tenant> [--events <n>|none] [--compute-s <seconds>|none]',
      summary:
        "a tenant's monthly quotas and use this month; with --events/--compute-s, sets them (operator)",
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { events: { type: 'string' }, 'compute-s': { type: 'string' } },
          ['<tenant>'],
          usage.actions.quotas.usage,
        );
        const path = `/v1/tenants/${enc(positionals[0])}/quotas`;
        let quotas = await ctx.api().request<TenantQuotas>({ path });
        if (values.events !== undefined || values['compute-s'] !== undefined) {
          quotas = await ctx.api().request<TenantQuotas>({
            method: 'PUT',
            path,
            body: {
              eventsPerMonth: limit('events', values.events, quotas.eventsPerMonth),
              computeSPerMonth: limit('compute-s', values['compute-s'], quotas.computeSPerMonth),
            },
          });
        }
        return show(ctx, quotas, quotaFields);
      },
    },
    recent: {
      usage: 'quiver usage recent [--minutes <1-120>]',
      summary:
        'per-tenant requests and server time over recent minutes, summed over replicas (GET /v1/stats/series)',
      run: async (ctx) => {
        const { values } = parse(ctx, { minutes: { type: 'string' } }, [], usage.actions.recent.usage);
        const res = await ctx.api().request<StatsSeries>({
          path: '/v1/stats/series',
          query: { minutes: int('minutes', values.minutes, 60) },
        });
        return show(ctx, res, recentTable);
      },
    },
  },
};
