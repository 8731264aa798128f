// quiver usage: what each tenant used over recent minutes (requests and server time), and the traffic's shape.
import type { StatsSeries } from '@quiver/contracts';
import { table } from '../output.ts';
import { int, parse, show } from './args.ts';
import type { Command } from './types.ts';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

const usageTable = (s: StatsSeries): string => {
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

export const usage: Command = {
  name: 'usage',
  summary: 'requests and server time per tenant over the last minutes (operator: every tenant)',
  default: 'show',
  actions: {
    show: {
      usage: 'quiver usage [show] [--minutes <1-120>]',
      summary: 'per-tenant requests and server time, summed over every replica (GET /v1/stats/series)',
      run: async (ctx) => {
        const { values } = parse(ctx, { minutes: { type: 'string' } }, [], usage.actions.show.usage);
        const res = await ctx.api().request<StatsSeries>({
          path: '/v1/stats/series',
          query: { minutes: int('minutes', values.minutes, 60) },
        });
        return show(ctx, res, usageTable);
      },
    },
  },
};
