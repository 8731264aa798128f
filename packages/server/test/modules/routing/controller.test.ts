// The rollout controller's runs: a tick asked for while another run is in flight still sees the traffic
// that came after that run flushed (it used to join the run in flight and decide on stale numbers).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { QuiverError } from '../../../src/kernel/index.ts';
import { createMetrics } from '../../../src/metrics/index.ts';
import type { InferRequestBody } from '../../../src/modules/inference/index.ts';
import { createRoutingService } from '../../../src/modules/routing/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

/** An OIP body carrying the routing unit (OIP parameters are open; the static type names only timeout_ms). */
const unitBody = (userId: string) => ({ parameters: { userId }, inputs: [] }) as unknown as InferRequestBody;

/** A routing service over the test app's stream whose candidate (version 2) always fails. */
const failingCandidate = (db: SqlDatabase, stream: TestApp['stream']) =>
  createRoutingService({
    db,
    stream,
    metrics: createMetrics(),
    resolve: async () => ({}),
    infer: async (_t, model, ref) => {
      if (ref === '2') throw new QuiverError('unprocessable', 'the candidate fails');
      return { model_name: model, model_version: ref ?? '1', outputs: [] };
    },
  });

describe('rollout controller', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0]);
    await t.tenant('acme');
  });
  after(() => t.close());

  test('a tick asked for during a run gets its own, later run', async () => {
    let open: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    // Holds the controller's read of running rollouts until the test opens the gate.
    const db = new Proxy(t.db, {
      get(target, prop) {
        if (prop === 'query')
          return async (sql: string, params?: never[]) => {
            if (sql.includes("status = 'running'")) await gate;
            return target.query(sql, params);
          };
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as SqlDatabase;
    const routing = failingCandidate(db, t.stream);
    await routing.put('acme', 'e', { routes: [{ model: 'm', version: 1, weight: 1 }], stickyBy: 'userId' });
    const r = await routing.createRollout('acme', 'e', {
      candidate: { model: 'm', version: 2 },
      steps: [50, 100],
      guardrails: { minRequests: 5 },
    });
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const inFlight = routing.tick(); // flushes now, then waits at the gate
    for (let u = 0; u < 100; u++)
      await routing.infer('acme', 'e', unitBody(`u${u}`), {}).catch(() => undefined);
    const asked = routing.tick();
    open();
    await inFlight;
    await asked;
    assert.equal((await routing.rollout('acme', 'e', r.id)).status, 'rolled_back');
    await routing.close();
  });
  test('two replicas deciding at once: exactly one applies the decision', async () => {
    const replica = () => failingCandidate(t.db, t.stream);
    const [a, b] = [replica(), replica()];
    await a.put('acme', 'twin', { routes: [{ model: 'm', version: 1, weight: 1 }], stickyBy: 'userId' });
    const r = await a.createRollout('acme', 'twin', {
      candidate: { model: 'm', version: 2 },
      steps: [50, 100],
      guardrails: { minRequests: 5 },
    });
    for (let u = 0; u < 100; u++) await a.infer('acme', 'twin', unitBody(`u${u}`), {}).catch(() => undefined);
    await a.flush();
    await Promise.all([a.tick(), b.tick()]);
    const done = await b.rollout('acme', 'twin', r.id);
    assert.equal(done.status, 'rolled_back');
    assert.deepEqual(
      done.decisions.map((d) => d.action),
      ['start', 'rollback'],
    );
    const reasons = (await b.history('acme', 'twin')).revisions.map((x) => x.reason.split(': ')[1]);
    assert.deepEqual(reasons, [undefined, 'start (candidate 50%)', 'rollback (candidate 0%)']);
    await Promise.all([a.close(), b.close()]);
  });
  test('a candidate whose breaker is open still counts as failing the requests assigned to it', async () => {
    const routing = failingCandidate(t.db, t.stream);
    await routing.put('acme', 'tripped', {
      routes: [{ model: 'm', version: 1, weight: 1 }],
      fallback: [{ model: 'm', version: 1 }],
      stickyBy: 'userId',
      breaker: { consecutiveFailures: 1, coolDownMs: 3_600_000 },
    });
    const r = await routing.createRollout('acme', 'tripped', {
      candidate: { model: 'm', version: 2 },
      steps: [50, 100],
      guardrails: { minRequests: 5 },
    });
    // The first failure opens the breaker: every later candidate user is answered by the fallback.
    for (let u = 0; u < 100; u++) await routing.infer('acme', 'tripped', unitBody(`u${u}`), {});
    await routing.tick();
    const done = await routing.rollout('acme', 'tripped', r.id);
    assert.equal(done.status, 'rolled_back', JSON.stringify(done.decisions));
    assert.equal(done.decisions[1].numbers.candidateErrorRate, 1);
    await routing.close();
  });
});
