// Rollouts as the API sees them: start one on an endpoint, read them, and the manual actions (pause, resume,
// promote, roll back), each applied through the controller like its own decisions.
import type { CreateRollout, Rollout } from '@quiver/contracts';
import { noTxHook, type SqlDatabase, type TxHook } from '../../adapters/sql/index.ts';
import { type Clock, isoNow, newId, QuiverError } from '../../kernel/index.ts';
import type { Decided, RolloutController, Transition } from './controller.ts';
import {
  checkTargets,
  type EndpointCache,
  mustGetEndpoint,
  type ResolveFn,
  targetName,
} from './endpoints.ts';
import type { RolloutRow, RoutingRepository } from './repository.ts';
import { ACTIVE_STATUSES, planRollout, type RolloutSpec, routesAt } from './rollout.ts';

export interface RolloutActionDeps {
  db: SqlDatabase;
  repo: RoutingRepository;
  cache: EndpointCache;
  resolve: ResolveFn;
  clock: Clock;
  apply: RolloutController['apply'];
}

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

/** Steps must rise and end at 100; none given means the default steps. */
const validateSteps = (steps: number[]): void => {
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]) || (steps.length > 0 && steps.at(-1) !== 100))
    throw new QuiverError('validation_failed', 'steps must increase and end at 100', {
      errors: [{ path: '/steps', message: 'must increase and end at 100' }],
    });
};

export const createRolloutActions = ({ db, repo, cache, resolve, clock, apply }: RolloutActionDeps) => {
  const mustRollout = async (tenantId: string, name: string, id: string) => {
    const r = await repo.rollout(db, tenantId, name, id);
    if (!r) throw new QuiverError('not_found', `rollout '${id}' was not found`);
    return r;
  };

  /** `conflict` unless the rollout is in one of `allowed` and nobody moves it meanwhile. */
  const control = async (
    tenantId: string,
    name: string,
    id: string,
    action: Extract<Transition, 'pause' | 'resume' | 'complete' | 'rollback'>,
    allowed: string[],
  ): Promise<Rollout> => {
    const r = await mustRollout(tenantId, name, id);
    if (!allowed.includes(r.status))
      throw new QuiverError('conflict', `rollout '${id}' is ${r.status}; cannot ${action} it`);
    if (!(await apply(r, action, 'manual')))
      throw new QuiverError('conflict', `rollout '${id}' changed meanwhile; read it and retry`);
    return toRollout(await mustRollout(tenantId, name, id));
  };

  return {
    /**
     * Starts at the first step with the candidate last in the routes; `conflict` if one is already active.
     * `answer` joins the write's transaction with the rollout (the idempotency record of the request).
     */
    async create(
      tenantId: string,
      name: string,
      body: CreateRollout,
      answer: TxHook<Rollout> = noTxHook,
    ): Promise<Rollout> {
      const row = await mustGetEndpoint(repo, tenantId, name);
      await checkTargets(resolve, tenantId, { routes: [{ ...body.candidate, weight: 1 }] });
      validateSteps(body.steps ?? []);
      const spec = planRollout(row.spec, body);
      if (spec.baseRoutes.every((r) => r.weight === 0))
        throw new QuiverError(
          'unprocessable',
          'the endpoint has no other route to compare the candidate with',
        );
      const now = clock.now();
      const id = newId('ro');
      const at = new Date(now).toISOString();
      const reason = `candidate ${targetName(spec.candidate)} against ${spec.baseline}`;
      const r: RolloutRow = {
        tenantId,
        id,
        endpoint: name,
        spec,
        status: 'running',
        step: 0,
        stepStartedAt: now,
        seq: 0,
        decisions: [{ at, action: 'start', step: 0, percent: spec.steps[0], reason, numbers: {} }],
        createdAt: at,
      };
      const rollout = toRollout(r);
      await db.transaction(async (tx) => {
        const active = (await repo.rollouts(tx, tenantId, name)).find((x) =>
          ACTIVE_STATUSES.includes(x.status),
        );
        if (active) throw new QuiverError('conflict', `rollout '${active.id}' is already ${active.status}`);
        await repo.insertRollout(tx, r);
        const routes = routesAt(spec, spec.steps[0]);
        const why = `rollout ${id}: start (candidate ${spec.steps[0]}%)`;
        await repo.saveSpec(tx, tenantId, name, { ...row.spec, routes }, why, isoNow(clock), row.salt);
        await answer(tx, rollout);
      });
      cache.invalidate(tenantId, name);
      return rollout;
    },

    get: async (tenantId: string, name: string, id: string) =>
      toRollout(await mustRollout(tenantId, name, id)),

    /** Newest first; `not_found` when the endpoint does not exist. */
    async list(tenantId: string, name: string): Promise<Rollout[]> {
      await mustGetEndpoint(repo, tenantId, name);
      return (await repo.rollouts(db, tenantId, name)).map(toRollout);
    },

    pause: (t: string, n: string, id: string) => control(t, n, id, 'pause', ['running']),
    resume: (t: string, n: string, id: string) => control(t, n, id, 'resume', ['paused']),
    promote: (t: string, n: string, id: string) => control(t, n, id, 'complete', ACTIVE_STATUSES),
    rollback: (t: string, n: string, id: string) => control(t, n, id, 'rollback', ACTIVE_STATUSES),
  };
};
