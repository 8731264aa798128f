// quiver endpoints: routing endpoints and their canary rollouts — list, status (live with --watch),
// rollout, pause, resume, promote, rollback, history.
import type { Endpoint, EndpointStats, Rollout } from '@quiver/contracts';
import { CliError, EXIT } from '../errors.ts';
import { table } from '../output.ts';
import { enc, int, parse, show } from './args.ts';
import type { Command, CommandContext } from './types.ts';

const DEFAULT_WATCH_S = 2;
const ACTIVE = new Set(['running', 'paused']);

const routesText = (e: Endpoint) =>
  e.routes.map((r) => `${r.variant ?? `${r.model}@${r.version ?? r.alias}`} ${r.weight}%`).join(', ');

interface Status {
  endpoint: Endpoint;
  rollout: Rollout | null;
  stats: EndpointStats;
}

const readStatus = async (ctx: CommandContext, name: string): Promise<Status> => {
  const api = ctx.api();
  const base = `/v1/endpoints/${enc(name)}`;
  const [endpoint, rollouts, stats] = await Promise.all([
    api.request<Endpoint>({ path: base }),
    api.request<{ rollouts: Rollout[] }>({ path: `${base}/rollouts` }),
    api.request<EndpointStats>({ path: `${base}/stats` }),
  ]);
  return { endpoint, rollout: rollouts.rollouts[0] ?? null, stats };
};

const statusText = ({ endpoint, rollout, stats }: Status): string => {
  const lines = [`endpoint ${endpoint.name} (revision ${endpoint.revision}): ${routesText(endpoint)}`];
  if (rollout) {
    const candidate = `${rollout.candidate.model}@${rollout.candidate.version ?? rollout.candidate.alias}`;
    lines.push(
      `rollout  ${rollout.id} ${rollout.status}: ${candidate} vs ${rollout.baseline}, step ${rollout.step + 1} of ` +
        `${rollout.steps.length} at ${rollout.percent}% (steps ${rollout.steps.join('/')}, ` +
        `${rollout.stepDurationMs / 1000} s each, this one since ${rollout.stepStartedAt})`,
      '',
      table(rollout.decisions.slice(-5), [
        { header: 'AT', value: (d) => d.at },
        { header: 'DECISION', value: (d) => d.action },
        { header: 'PERCENT', value: (d) => d.percent, right: true },
        { header: 'REASON', value: (d) => d.reason },
      ]).trimEnd(),
    );
  } else lines.push('rollout  none');
  lines.push(
    '',
    `traffic since ${stats.since}:`,
    table(stats.variants, [
      { header: 'VARIANT', value: (v) => v.variant },
      { header: 'REQUESTS', value: (v) => v.requests, right: true },
      { header: 'ERRORS', value: (v) => v.errors, right: true },
      { header: 'DEGRADED', value: (v) => v.degraded, right: true },
      { header: 'P50 MS', value: (v) => v.p50Ms, right: true },
      { header: 'P99 MS', value: (v) => v.p99Ms, right: true },
    ]).trimEnd(),
  );
  return `${lines.join('\n')}\n`;
};

/** The rollout named, or the endpoint's active one. */
const rolloutId = async (ctx: CommandContext, name: string, given: string | undefined): Promise<string> => {
  if (given) return given;
  const { rollouts } = await ctx
    .api()
    .request<{ rollouts: Rollout[] }>({ path: `/v1/endpoints/${enc(name)}/rollouts` });
  const active = rollouts.find((r) => ACTIVE.has(r.status));
  if (!active) throw new CliError(`Endpoint ${name} has no running or paused rollout`, EXIT.conflict);
  return active.id;
};

const control = (action: 'pause' | 'resume' | 'promote' | 'rollback') => ({
  usage: `quiver endpoints ${action} <endpoint> [<rollout id>]`,
  summary: `${action} the rollout (default: the active one)`,
  run: async (ctx: CommandContext) => {
    const { positionals } = parse(
      ctx,
      {},
      ['<endpoint>'],
      `quiver endpoints ${action} <endpoint> [<rollout id>]`,
    );
    const [name, given] = positionals;
    const id = await rolloutId(ctx, name, given);
    const res = await ctx
      .api()
      .request<Rollout>({ path: `/v1/endpoints/${enc(name)}/rollouts/${enc(id)}/${action}`, body: {} });
    return show(
      ctx,
      res,
      (r) => `${r.id}: ${r.status}, ${r.percent}% (${r.decisions.at(-1)?.reason ?? ''})\n`,
    );
  },
});

const parseTarget = (text: string) => {
  const at = text.lastIndexOf('@');
  if (at < 1) throw new CliError('--candidate is <model>@<version or alias>', EXIT.usage);
  const model = text.slice(0, at);
  const ref = text.slice(at + 1);
  return /^\d+$/.test(ref) ? { model, version: Number(ref) } : { model, alias: ref };
};

export const endpoints: Command = {
  name: 'endpoints',
  summary:
    'routing endpoints and canaries: list, status [--watch], rollout, pause, resume, promote, rollback, history',
  actions: {
    list: {
      usage: 'quiver endpoints list',
      summary: 'endpoints and their weights',
      run: async (ctx) => {
        const res = await ctx
          .api()
          .request<{ endpoints: Endpoint[] }>({ path: '/v1/endpoints', query: { limit: 1000 } });
        return show(ctx, res, (r) =>
          table(r.endpoints, [
            { header: 'NAME', value: (e) => e.name },
            { header: 'REVISION', value: (e) => e.revision, right: true },
            { header: 'ROUTES', value: routesText },
          ]),
        );
      },
    },
    status: {
      usage: 'quiver endpoints status <endpoint> [--watch] [--interval <seconds>]',
      summary: 'weights, the rollout with its latest decisions, traffic per variant; --watch refreshes it',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { watch: { type: 'boolean' }, interval: { type: 'string' } },
          ['<endpoint>'],
          endpoints.actions.status.usage,
        );
        const name = positionals[0];
        if (!values.watch) return show(ctx, await readStatus(ctx, name), statusText);
        const everyMs = (int('interval', values.interval, DEFAULT_WATCH_S) ?? DEFAULT_WATCH_S) * 1000;
        const clear = ctx.io.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
        while (!ctx.io.signal?.aborted) {
          const status = await readStatus(ctx, name);
          ctx.io.stdout.write(
            ctx.json
              ? `${JSON.stringify(status)}\n`
              : `${clear}${new Date().toISOString()}  (Ctrl-C to stop)\n${statusText(status)}\n`,
          );
          await new Promise((r) => setTimeout(r, everyMs));
        }
        return 0;
      },
    },
    rollout: {
      usage:
        'quiver endpoints rollout <endpoint> --candidate <model>@<version> [--steps 5,25,50,100] [--step-duration 5m] [--min-requests 50]',
      summary: 'start a canary of the candidate',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          {
            candidate: { type: 'string' },
            steps: { type: 'string' },
            'step-duration': { type: 'string' },
            'min-requests': { type: 'string' },
          },
          ['<endpoint>'],
          endpoints.actions.rollout.usage,
        );
        if (!values.candidate) throw new CliError('--candidate <model>@<version> is required', EXIT.usage);
        const minRequests = int('min-requests', values['min-requests']);
        const body = {
          candidate: parseTarget(values.candidate),
          ...(values.steps ? { steps: values.steps.split(',').map(Number) } : {}),
          ...(values['step-duration'] ? { stepDuration: values['step-duration'] } : {}),
          ...(minRequests !== undefined ? { guardrails: { minRequests } } : {}),
        };
        const res = await ctx
          .api()
          .request<Rollout>({ path: `/v1/endpoints/${enc(positionals[0])}/rollouts`, body });
        return show(
          ctx,
          res,
          (r) => `${r.id}: ${r.status} at ${r.percent}% (${r.decisions.at(-1)?.reason ?? ''})\n`,
        );
      },
    },
    pause: control('pause'),
    resume: control('resume'),
    promote: control('promote'),
    rollback: control('rollback'),
    history: {
      usage: 'quiver endpoints history <endpoint>',
      summary: 'every revision of the routes and weights',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<endpoint>'], endpoints.actions.history.usage);
        const res = await ctx.api().request<{
          revisions: { revision: number; at: string; reason: string; routes: Endpoint['routes'] }[];
        }>({
          path: `/v1/endpoints/${enc(positionals[0])}/history`,
        });
        return show(ctx, res, (r) =>
          table(r.revisions, [
            { header: 'REVISION', value: (v) => v.revision, right: true },
            { header: 'AT', value: (v) => v.at },
            { header: 'REASON', value: (v) => v.reason },
            { header: 'ROUTES', value: (v) => routesText({ routes: v.routes } as Endpoint) },
          ]),
        );
      },
    },
  },
};
