// quiver trainers | search | recommend: training runs, and the two read paths a shop calls.
import type { RecommendationResponse, SearchResponse, TrainingRun } from '@quiver/contracts';
import { CliError, EXIT } from '../errors.ts';
import { table } from '../output.ts';
import { enc, int, jsonArg, parse, show } from './args.ts';
import type { Command } from './types.ts';

const WAIT_POLL_MS = 1000;
const KINDS = ['cooccurrence', 'als', 'popularity', 'content', 'search-ranker'];

const runTable = (rows: TrainingRun[]) =>
  table(rows, [
    { header: 'ID', value: (r) => r.id },
    { header: 'KIND', value: (r) => r.kind },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'PHASE', value: (r) => `${r.progress.phase} ${Math.round(r.progress.fraction * 100)}%` },
    { header: 'NDCG@10', value: (r) => r.metrics?.['ndcg@10'], right: true },
    { header: 'MODEL', value: (r) => (r.model ? `${r.model.name}@${r.model.version}` : undefined) },
    { header: 'PROMOTION', value: (r) => r.promotion?.decision },
    { header: 'ERROR', value: (r) => r.error },
  ]);

export const trainers: Command = {
  name: 'trainers',
  summary: 'recommender and search-ranker training: run KIND [--wait], runs, get',
  actions: {
    run: {
      usage: `quiver trainers run <${KINDS.join('|')}> [--wait] [--promote always|if-better|never] [--params '<json>']`,
      summary: 'start a run; --wait follows it to the end (exit 1 if it fails)',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { wait: { type: 'boolean' }, promote: { type: 'string' }, params: { type: 'string' } },
          ['<kind>'],
          trainers.actions.run.usage,
        );
        const body = {
          ...(values.promote ? { promote: values.promote } : {}),
          ...(values.params ? { params: jsonArg('params', values.params) } : {}),
        };
        const api = ctx.api();
        let run = await api.request<TrainingRun>({ path: `/v1/trainers/${enc(positionals[0])}/runs`, body });
        while (
          values.wait &&
          (run.status === 'queued' || run.status === 'running') &&
          !ctx.io.signal?.aborted
        ) {
          await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
          run = await api.request<TrainingRun>({ path: `/v1/trainers/runs/${enc(run.id)}` });
        }
        show(ctx, run, (r) => runTable([r]));
        return run.status === 'failed' ? EXIT.software : 0;
      },
    },
    runs: {
      usage: 'quiver trainers runs [--kind <kind>] [--limit <n>]',
      summary: 'recent runs',
      run: async (ctx) => {
        const { values } = parse(
          ctx,
          { kind: { type: 'string' }, limit: { type: 'string' } },
          [],
          trainers.actions.runs.usage,
        );
        const res = await ctx.api().request<{ runs: TrainingRun[] }>({
          path: '/v1/trainers/runs',
          query: { kind: values.kind, limit: int('limit', values.limit, 20) },
        });
        return show(ctx, res, (r) => runTable(r.runs));
      },
    },
    get: {
      usage: 'quiver trainers get <run id>',
      summary: 'one run with its metrics',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<run id>'], trainers.actions.get.usage);
        const res = await ctx
          .api()
          .request<TrainingRun>({ path: `/v1/trainers/runs/${enc(positionals[0])}` });
        return show(ctx, res, (r) => runTable([r]));
      },
    },
  },
};

export const search: Command = {
  name: 'search',
  summary: 'search the catalog: quiver search <query> [--limit n] [--mode keyword|vector|hybrid]',
  default: 'query',
  actions: {
    query: {
      usage:
        "quiver search <query> [--limit <n>] [--mode keyword|vector|hybrid] [--filters '<json>'] [--user <id>]",
      summary: 'ranked hits',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          {
            limit: { type: 'string' },
            mode: { type: 'string' },
            filters: { type: 'string' },
            user: { type: 'string' },
          },
          ['<query>'],
          search.actions.query.usage,
        );
        const body = {
          query: positionals.join(' '),
          limit: int('limit', values.limit, 10),
          ...(values.mode ? { mode: values.mode } : {}),
          ...(values.filters ? { filters: jsonArg('filters', values.filters) } : {}),
          ...(values.user ? { userId: values.user } : {}),
        };
        const res = await ctx.api().request<SearchResponse>({ path: '/v1/search', body });
        return show(
          ctx,
          res,
          (r) =>
            `${r.total} matches (${r.mode})${r.notices.length ? `; ${r.notices.join('; ')}` : ''}\n` +
            table(r.hits, [
              { header: 'ID', value: (h) => h.item.id },
              { header: 'TITLE', value: (h) => h.item.title },
              { header: 'SCORE', value: (h) => h.score, right: true },
              { header: 'RETRIEVERS', value: (h) => h.retrievers.join('+') },
            ]),
        );
      },
    },
  },
};

const SCENARIOS = ['for-user', 'similar-items', 'bought-together', 'trending'];

export const recommend: Command = {
  name: 'recommend',
  summary: 'recommendations: for-user <user>, similar-items <item>, bought-together <item…>, trending',
  actions: Object.fromEntries(
    SCENARIOS.map((scenario) => [
      scenario,
      {
        usage: `quiver recommend ${scenario}${scenario === 'for-user' ? ' <user id>' : scenario === 'trending' ? ' [--category <path>]' : ' <item id>…'} [--limit <n>] [--explain]`,
        summary: scenario,
        run: async (ctx) => {
          const { values, positionals } = parse(
            ctx,
            { limit: { type: 'string' }, explain: { type: 'boolean' }, category: { type: 'string' } },
            scenario === 'trending' ? [] : ['<id>'],
            `quiver recommend ${scenario} …`,
          );
          const context =
            scenario === 'for-user'
              ? { userId: positionals[0] }
              : scenario === 'trending'
                ? values.category
                  ? { category: values.category }
                  : {}
                : positionals.length === 1
                  ? { itemId: positionals[0] }
                  : { itemIds: positionals };
          if (scenario === 'trending' && positionals.length > 0)
            throw new CliError('trending takes no ids (--category narrows it)', EXIT.usage);
          const body = {
            scenario,
            ...context,
            limit: int('limit', values.limit, 10),
            explain: values.explain ?? false,
          };
          const res = await ctx.api().request<RecommendationResponse>({ path: '/v1/recommendations', body });
          return show(
            ctx,
            res,
            (r) =>
              `${r.variant}${r.degraded ? ' (degraded)' : ''}${r.notices.length ? `; ${r.notices.join('; ')}` : ''}\n` +
              table(r.items, [
                { header: 'ID', value: (i) => i.id },
                { header: 'TITLE', value: (i) => i.title },
                { header: 'SCORE', value: (i) => i.score, right: true },
                { header: 'WHY', value: (i) => i.reasons?.[0]?.text },
              ]),
          );
        },
      },
    ]),
  ),
};
