// The rollout controller: every tick it decides on each running rollout by the `decide` rule, and it applies
// every transition (its own and the manual ones) together with the endpoint's routes for the new step.
import type { PutEndpoint } from '@quiver/contracts';
import { createLease, type SqlDatabase, underLease } from '../../adapters/sql/index.ts';
import { type Clock, isoNow } from '../../kernel/index.ts';
import { type EndpointCache, targetName } from './endpoints.ts';
import { aggregate, sideNumbers } from './reports.ts';
import type { RolloutRow, RoutingRepository } from './repository.ts';
import { type Action, DEFAULT_TICK_MS, decide, type RolloutSpec, routesAt } from './rollout.ts';
import { bucketStart, type Telemetry } from './telemetry.ts';

export interface RolloutControllerDeps {
  db: SqlDatabase;
  repo: RoutingRepository;
  cache: EndpointCache;
  telemetry: Telemetry;
  clock: Clock;
  onError(error: unknown, what: string): void;
}

/** One entry of a rollout's `decisions` log, as stored and as the API shows it. */
export interface Decided {
  at: string;
  action: string;
  step: number;
  percent: number;
  reason: string;
  numbers: Record<string, number | null>;
}

/** What `apply` can do: any decision but `wait`, and the manual pause and resume. */
export type Transition = Exclude<Action, 'wait'> | 'pause' | 'resume';

export const createRolloutController = (deps: RolloutControllerDeps, tickMs = DEFAULT_TICK_MS) => {
  const { db, repo, cache, telemetry, clock, onError } = deps;
  let timer: NodeJS.Timeout | undefined;
  // The timer's decisions are taken by one replica per cluster at a time: the holder of this lease.
  const lease = createLease(db, clock, 'routing.rollouts');

  /**
   * Applies a transition to a rollout read at `r.seq`: the conditional update and the endpoint's new routes
   * commit together, and only if no other replica (or request) moved the rollout meanwhile; false if one did.
   */
  const apply = async (
    r: RolloutRow,
    action: Transition,
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
    const decisions = [...r.decisions, decision];
    const won = await db.transaction(async (tx) => {
      const next = { tenantId: r.tenantId, id: r.id, status, step, stepStartedAt, decisions };
      const ok = await repo.advanceRollout(tx, next, r.seq);
      if (!ok || !routes) return ok;
      const current = await repo.getEndpointIn(tx, r.tenantId, r.endpoint);
      if (!current) return ok;
      const why = `rollout ${r.id}: ${action} (candidate ${percent}%)`;
      await repo.saveSpec(
        tx,
        r.tenantId,
        r.endpoint,
        { ...current.spec, routes },
        why,
        isoNow(clock),
        current.salt,
      );
      return ok;
    });
    if (won) {
      cache.invalidate(r.tenantId, r.endpoint);
      telemetry.transition(r.tenantId, r.endpoint, action);
    }
    return won;
  };

  /** Decides on what both sides did since the step started; a hold repeated on the same step is not logged. */
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

  /**
   * Flushes, then evaluates every running rollout once. Runs are serialized and a call always gets a run that
   * starts after it: joining a run already in flight would miss what happened since that run flushed.
   */
  const tick = (): Promise<void> => {
    pendingTicks++;
    tickChain = tickChain
      .catch(() => undefined)
      .then(tickNow)
      .finally(() => {
        pendingTicks--;
      });
    return tickChain;
  };

  return {
    apply,
    tick,

    /**
     * Ticks every `tickMs` while this replica holds the `routing.rollouts` lease, skipping a beat while a run
     * is queued so slow evaluations never pile up. (`tick` itself, for tests and operators, takes no lease:
     * the conditional update in `apply` already keeps a step from being decided twice.)
     */
    start(): void {
      clearInterval(timer);
      timer = setInterval(() => {
        if (pendingTicks === 0)
          void underLease(lease, tick).catch((e) => onError(e, 'rollout controller failed'));
      }, tickMs);
      timer.unref();
    },

    /** Stops the timer, then waits for the runs already asked for. */
    async close(): Promise<void> {
      const started = timer !== undefined;
      clearInterval(timer);
      await tickChain.catch(() => undefined);
      if (started) await lease.release().catch((e) => onError(e, 'releasing the rollout lease failed'));
    },
  };
};

export type RolloutController = ReturnType<typeof createRolloutController>;
