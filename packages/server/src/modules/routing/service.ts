// The routing service: endpoints (CRUD, history), serving through them, stats, experiment results, and
// the rollout controller; composed from the files per concern beside it.
import type {
  CreateRollout,
  Endpoint,
  EndpointStats,
  ExperimentResults,
  PutEndpoint,
  Rollout,
} from '@quiver/contracts';
import { noTxHook, type SqlDatabase, type TxHook } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import { type Clock, isoNow, newId, QuiverError, systemClock } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import type { InferRequestBody } from '../inference/index.ts';
import { createAttributionConsumer } from './attribution.ts';
import { createEndpointCache, newSalt, refOf, type Target, targetName, validateSpec } from './endpoints.ts';
import { aggregate, endpointStats, experimentResults, type ResultsOptions } from './reports.ts';
import { createRoutingRepository, type EndpointRow, type RolloutRow } from './repository.ts';
import {
  type Action,
  DEFAULT_TICK_MS,
  decide,
  planRollout,
  type RolloutSpec,
  routesAt,
  type SideNumbers,
} from './rollout.ts';
import { createServer, type EndpointAnswer, type InferCallOptions, type InferFn } from './serve.ts';
import { histogramQuantile } from './stats.ts';
import { bucketStart, createTelemetry, DEFAULT_FLUSH_MS } from './telemetry.ts';

export interface RoutingDeps {
  db: SqlDatabase;
  stream: Stream;
  metrics: Metrics;
  infer: InferFn;
  /** Checks a target exists (the registry's resolver); throws `not_found` when it does not. */
  resolve(tenantId: string, model: string, ref?: string): Promise<unknown>;
  clock?: Clock;
  onError?(error: unknown, what: string): void;
}

export interface RoutingOptions {
  endpointCacheTtlMs?: number;
  flushMs?: number;
  tickMs?: number;
}

/** Default window of GET …/stats: the last 15 minutes. */
export const DEFAULT_STATS_WINDOW_MS = 15 * 60_000;
const ACTIVE = ['running', 'paused'];

interface Decided {
  at: string;
  action: string;
  step: number;
  percent: number;
  reason: string;
  numbers: Record<string, number | null>;
}

const toEndpoint = (r: EndpointRow): Endpoint => ({
  name: r.name,
  ...r.spec,
  revision: r.revision,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toRollout = (r: RolloutRow): Rollout => {
  const s = r.spec as RolloutSpec;
  return {
    id: r.id,
    endpoint: r.endpoint,
    candidate: s.candidate,
    baseline: s.baseline,
    steps: s.steps,
    stepDurationMs: s.stepDurationMs,
    guardrails: s.guardrails,
    status: r.status as Rollout['status'],
    step: r.step,
    percent: s.steps[Math.min(r.step, s.steps.length - 1)],
    stepStartedAt: new Date(r.stepStartedAt).toISOString(),
    createdAt: r.createdAt,
    decisions: r.decisions as Decided[],
  };
};

export const createRoutingService = (deps: RoutingDeps, options: RoutingOptions = {}) => {
  const clock = deps.clock ?? systemClock;
  const repo = createRoutingRepository(deps.db);
  const cache = createEndpointCache({ repo, clock }, options.endpointCacheTtlMs);
  const telemetry = createTelemetry({ repo, clock, metrics: deps.metrics });
  const onError = deps.onError ?? (() => undefined);
  const server = createServer({
    cache,
    infer: deps.infer,
    telemetry,
    clock,
    onShadowError: (e) => onError(e, 'shadow request failed'),
  });
  const attribution = createAttributionConsumer({
    stream: deps.stream,
    repo,
    onError: (e) => onError(e, 'attribution consumer failed'),
  });
  const timers: NodeJS.Timeout[] = [];

  const mustGet = async (tenantId: string, name: string) => {
    const row = await repo.getEndpoint(tenantId, name);
    if (!row) throw new QuiverError('not_found', `endpoint '${name}' was not found`);
    return row;
  };

  const checkTargets = async (tenantId: string, spec: PutEndpoint) => {
    const targets: [string, Target][] = [
      ...spec.routes.map((r, i) => [`/routes/${i}`, r] as [string, Target]),
      ...(spec.shadow ?? []).map((s, i) => [`/shadow/${i}`, s] as [string, Target]),
      ...(spec.fallback ?? []).map((f, i) => [`/fallback/${i}`, f] as [string, Target]),
    ];
    const errors: { path: string; message: string }[] = [];
    for (const [path, t] of targets) {
      try {
        await deps.resolve(tenantId, t.model, refOf(t));
      } catch {
        errors.push({ path, message: `model '${targetName(t)}' was not found` });
      }
    }
    if (errors.length > 0)
      throw new QuiverError('unprocessable', errors.map((e) => e.message).join('; '), { errors });
  };

  const sideNumbers = (
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

  /**
   * Applies an action to a rollout read at `r.seq`: the conditional update and the endpoint's new routes
   * commit together, and only if no other replica (or request) moved the rollout meanwhile.
   */
  const apply = async (
    r: RolloutRow,
    action: Exclude<Action, 'wait'> | 'pause' | 'resume',
    reason: string,
    numbers: Record<string, number | null> = {},
  ): Promise<boolean> => {
    const spec = r.spec as RolloutSpec;
    const now = clock.now();
    let { status, step, stepStartedAt } = r;
    let routes: PutEndpoint['routes'] | undefined;
    if (action === 'promote') {
      step += 1;
      stepStartedAt = now;
      routes = routesAt(spec, spec.steps[step]);
    } else if (action === 'complete') {
      status = 'completed';
      step = spec.steps.length - 1;
      routes = routesAt(spec, 100);
    } else if (action === 'rollback') {
      status = 'rolled_back';
      routes = spec.baseRoutes;
    } else if (action === 'pause') status = 'paused';
    else if (action === 'resume') {
      status = 'running';
      stepStartedAt = now;
    }
    const percent =
      routes && status === 'rolled_back' ? 0 : spec.steps[Math.min(step, spec.steps.length - 1)];
    const decision: Decided = { at: new Date(now).toISOString(), action, step, percent, reason, numbers };
    const won = await deps.db.transaction(async (tx) => {
      const ok = await repo.advanceRollout(
        tx,
        {
          tenantId: r.tenantId,
          id: r.id,
          status,
          step,
          stepStartedAt,
          decisions: [...r.decisions, decision],
        },
        r.seq,
      );
      if (!ok || !routes) return ok;
      const current = await repo.getEndpointIn(tx, r.tenantId, r.endpoint);
      if (!current) return ok;
      await repo.saveSpec(
        tx,
        r.tenantId,
        r.endpoint,
        { ...current.spec, routes },
        `rollout ${r.id}: ${action} (candidate ${percent}%)`,
        isoNow(clock),
        current.salt,
      );
      return ok;
    });
    if (won) cache.invalidate(r.tenantId, r.endpoint);
    return won;
  };

  const evaluate = async (r: RolloutRow): Promise<void> => {
    const spec = r.spec as RolloutSpec;
    const since = r.stepStartedAt;
    const rows = (await repo.readStats(r.tenantId, r.endpoint, bucketStart(since))).filter(
      (x) => x.kind === 'serve',
    );
    const agg = aggregate(rows, (x) => x.variant);
    const clicks = await repo.servedEventCounts(r.tenantId, r.endpoint, 'click', since);
    const conversions = await repo.servedEventCounts(r.tenantId, r.endpoint, 'purchase', since);
    const d = decide(
      spec,
      r.step,
      clock.now() - since,
      sideNumbers(agg, targetName(spec.candidate), clicks, conversions),
      sideNumbers(agg, spec.baseline, clicks, conversions),
    );
    if (d.action === 'wait') return;
    const last = r.decisions.at(-1) as Decided | undefined;
    if (d.action === 'hold' && last?.action === 'hold' && last.step === r.step) return;
    await apply(r, d.action, d.reason, d.numbers);
  };

  const mustRollout = async (tenantId: string, name: string, id: string) => {
    const r = await repo.rollout(deps.db, tenantId, name, id);
    if (!r) throw new QuiverError('not_found', `rollout '${id}' was not found`);
    return r;
  };

  const control = async (
    tenantId: string,
    name: string,
    id: string,
    action: 'pause' | 'resume' | 'complete' | 'rollback',
    allowed: string[],
  ): Promise<Rollout> => {
    const r = await mustRollout(tenantId, name, id);
    if (!allowed.includes(r.status))
      throw new QuiverError('conflict', `rollout '${id}' is ${r.status}; cannot ${action} it`);
    if (!(await apply(r, action, 'manual')))
      throw new QuiverError('conflict', `rollout '${id}' changed meanwhile; read it and retry`);
    return toRollout(await mustRollout(tenantId, name, id));
  };

  let tickChain: Promise<void> = Promise.resolve();
  let pendingTicks = 0;
  const tickNow = async () => {
    await telemetry.flush();
    for (const r of await repo.runningRollouts()) {
      try {
        await evaluate(r);
      } catch (error) {
        onError(error, `rollout ${r.id} evaluation failed`);
      }
    }
  };

  return {
    async put(
      tenantId: string,
      name: string,
      spec: PutEndpoint,
    ): Promise<{ endpoint: Endpoint; created: boolean }> {
      validateSpec(spec);
      await checkTargets(tenantId, spec);
      const result = await deps.db.transaction(async (tx) => {
        const active = (await repo.rollouts(tx, tenantId, name)).find((r) => ACTIVE.includes(r.status));
        if (active)
          throw new QuiverError(
            'conflict',
            `rollout '${active.id}' is ${active.status}; finish or roll it back first`,
          );
        return repo.saveSpec(tx, tenantId, name, spec, 'put', isoNow(clock), newSalt());
      });
      cache.invalidate(tenantId, name);
      return { endpoint: toEndpoint(result.row), created: result.created };
    },

    get: async (tenantId: string, name: string) => toEndpoint(await mustGet(tenantId, name)),

    async list(tenantId: string, after: string, limit: number) {
      const rows = await repo.listEndpoints(tenantId, after, limit + 1);
      return {
        endpoints: rows.slice(0, limit).map(toEndpoint),
        more: rows.length > limit,
      };
    },

    async remove(tenantId: string, name: string): Promise<void> {
      if (!(await repo.deleteEndpoint(tenantId, name)))
        throw new QuiverError('not_found', `endpoint '${name}' was not found`);
      cache.invalidate(tenantId, name);
    },

    async history(tenantId: string, name: string) {
      await mustGet(tenantId, name);
      return {
        revisions: (await repo.revisions(tenantId, name)).map((r) => ({
          revision: r.revision,
          routes: r.spec.routes,
          reason: r.reason,
          at: r.at,
        })),
      };
    },

    infer: (
      tenantId: string,
      name: string,
      body: InferRequestBody,
      headers: Record<string, string | string[] | undefined>,
      call?: InferCallOptions,
    ): Promise<EndpointAnswer> => server.infer(tenantId, name, body, headers, call),

    async stats(tenantId: string, name: string, sinceIso?: string): Promise<EndpointStats> {
      await mustGet(tenantId, name);
      await telemetry.flush();
      const since = sinceIso ? Date.parse(sinceIso) : clock.now() - DEFAULT_STATS_WINDOW_MS;
      const rows = await repo.readStats(tenantId, name, bucketStart(since));
      return endpointStats(rows, since, server.breakerStates(tenantId, name));
    },

    async results(tenantId: string, name: string, o: ResultsOptions): Promise<ExperimentResults> {
      const row = await mustGet(tenantId, name);
      await telemetry.flush();
      return experimentResults(repo, tenantId, name, row.spec, o);
    },

    /** `answer` joins the write's transaction with the rollout (the idempotency record of the request). */
    async createRollout(
      tenantId: string,
      name: string,
      body: CreateRollout,
      answer: TxHook<Rollout> = noTxHook,
    ): Promise<Rollout> {
      const row = await mustGet(tenantId, name);
      await checkTargets(tenantId, { routes: [{ ...body.candidate, weight: 1 }] });
      const steps = body.steps ?? [];
      if (steps.some((s, i) => i > 0 && s <= steps[i - 1]) || (steps.length > 0 && steps.at(-1) !== 100))
        throw new QuiverError('validation_failed', 'steps must increase and end at 100', {
          errors: [{ path: '/steps', message: 'must increase and end at 100' }],
        });
      const spec = planRollout(row.spec, body);
      if (spec.baseRoutes.every((r) => r.weight === 0))
        throw new QuiverError(
          'unprocessable',
          'the endpoint has no other route to compare the candidate with',
        );
      const now = clock.now();
      const id = newId('ro');
      const r: RolloutRow = {
        tenantId,
        id,
        endpoint: name,
        spec,
        status: 'running',
        step: 0,
        stepStartedAt: now,
        seq: 0,
        decisions: [
          {
            at: new Date(now).toISOString(),
            action: 'start',
            step: 0,
            percent: spec.steps[0],
            reason: `candidate ${targetName(spec.candidate)} against ${spec.baseline}`,
            numbers: {},
          },
        ],
        createdAt: new Date(now).toISOString(),
      };
      const rollout = toRollout(r);
      await deps.db.transaction(async (tx) => {
        const active = (await repo.rollouts(tx, tenantId, name)).find((x) => ACTIVE.includes(x.status));
        if (active) throw new QuiverError('conflict', `rollout '${active.id}' is already ${active.status}`);
        await repo.insertRollout(tx, r);
        await repo.saveSpec(
          tx,
          tenantId,
          name,
          { ...row.spec, routes: routesAt(spec, spec.steps[0]) },
          `rollout ${id}: start (candidate ${spec.steps[0]}%)`,
          isoNow(clock),
          row.salt,
        );
        await answer(tx, rollout);
      });
      cache.invalidate(tenantId, name);
      return rollout;
    },

    rollout: async (tenantId: string, name: string, id: string) =>
      toRollout(await mustRollout(tenantId, name, id)),
    rollouts: async (tenantId: string, name: string) => {
      await mustGet(tenantId, name);
      return (await repo.rollouts(deps.db, tenantId, name)).map(toRollout);
    },
    pause: (t: string, n: string, id: string) => control(t, n, id, 'pause', ['running']),
    resume: (t: string, n: string, id: string) => control(t, n, id, 'resume', ['paused']),
    promote: (t: string, n: string, id: string) => control(t, n, id, 'complete', ACTIVE),
    rollback: (t: string, n: string, id: string) => control(t, n, id, 'rollback', ACTIVE),

    /** Writes buffered telemetry now (a timer does it every second). */
    flush: () => telemetry.flush(),
    /**
     * Flushes, then evaluates every running rollout once (a timer does it every `tickMs`). Runs are serialized
     * and a call always gets a run that starts after it: joining a run already in flight would miss what
     * happened since that run flushed.
     */
    tick(): Promise<void> {
      pendingTicks++;
      tickChain = tickChain
        .catch(() => undefined)
        .then(tickNow)
        .finally(() => {
          pendingTicks--;
        });
      return tickChain;
    },
    attributionLag: () => attribution.lag(),

    async start(): Promise<void> {
      await attribution.start();
      const every = (ms: number, fn: () => Promise<void>, what: string) => {
        const t = setInterval(() => void fn().catch((e) => onError(e, what)), ms);
        t.unref();
        timers.push(t);
      };
      every(options.flushMs ?? DEFAULT_FLUSH_MS, () => telemetry.flush(), 'routing telemetry flush failed');
      // The timer skips a beat while a run is queued, so slow evaluations never pile up.
      every(
        options.tickMs ?? DEFAULT_TICK_MS,
        async () => (pendingTicks === 0 ? this.tick() : undefined),
        'rollout controller failed',
      );
    },

    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      await tickChain.catch(() => undefined);
      await attribution.stop();
      await telemetry.flush().catch((e) => onError(e, 'routing telemetry flush failed'));
    },
  };
};

export type RoutingService = ReturnType<typeof createRoutingService>;
