// Replicas that act as one service: two `serve` processes (A, B) and one `worker` over the machine's
// PostgreSQL, Redis and NATS (own database, key prefix and stream). Propagation is polled with generous guards
// (a loaded CI machine), and the times seen are printed; nothing here is a speed threshold.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SCOPES } from '@quiver/contracts';
import {
  type Cluster,
  call,
  eventually,
  CLUSTER_OPERATOR_KEY as OP,
  type Replica,
  startCluster,
} from '../support/cluster.ts';
import { linearModel } from '../support/onnx/index.ts';

const makeTenant = async (base: string, id: string, limits?: Record<string, number>): Promise<string> => {
  const created = await call(base, 'POST', '/v1/tenants', OP, {
    id,
    name: id,
    ...(limits ? { limits } : {}),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const key = await call(base, 'POST', `/v1/tenants/${id}/keys`, OP, { name: 'k', scopes: [...SCOPES] });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  return key.body.secret;
};

const x = { name: 'x', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.2, 0.3] };

describe('replicas act as one service (2 × serve + worker)', () => {
  let cluster: Cluster;
  let a: Replica;
  let b: Replica;
  let key: string;

  before(async () => {
    cluster = await startCluster();
    // The worker first (it is where migrations usually land first; any replica may run them, under a lock).
    await cluster.start('worker', 'worker');
    [a, b] = await Promise.all([cluster.start('a', 'serve'), cluster.start('b', 'serve')]);
    key = await makeTenant(a.url, 'shop');
  });
  after(async () => {
    await cluster?.close();
  });

  test('the worker serves no API, only health; serve replicas do not run the rollout controller', async () => {
    const w = cluster.replicas.find((r) => r.role === 'worker')!;
    assert.equal((await fetch(`${w.url}/readyz`)).status, 200);
    assert.equal((await call(w.url, 'GET', '/v1/items', key)).status, 404);
  });

  test('a catalog write on A is searchable on B', async () => {
    const started = Date.now();
    const put = await call(a.url, 'PUT', '/v1/items/lamp-1', key, {
      title: 'Brass table lamp',
      categories: ['home/lighting'],
      available: true,
    });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    // Keyword mode: the index's propagation alone (a tenant's first hybrid search also registers and loads its
    // ranker model, which is not what this measures).
    await eventually('item on B', async () => {
      const res = await call(b.url, 'POST', '/v1/search', key, {
        query: 'brass lamp',
        mode: 'keyword',
        limit: 5,
      });
      return (
        res.status === 200 && res.body.hits.some((h: { item: { id: string } }) => h.item.id === 'lamp-1')
      );
    });
    console.log(`# catalog write on A searchable on B after ${Date.now() - started} ms (new tenant)`);
    // Warm: B's index for the tenant exists and its consumer runs; this is the steady-state propagation.
    const warm = Date.now();
    await call(a.url, 'PUT', '/v1/items/lamp-2', key, { title: 'Copper floor lamp', available: true });
    await eventually('second item on B', async () => {
      const res = await call(b.url, 'POST', '/v1/search', key, {
        query: 'copper',
        mode: 'keyword',
        limit: 5,
      });
      return (
        res.status === 200 && res.body.hits.some((h: { item: { id: string } }) => h.item.id === 'lamp-2')
      );
    });
    console.log(`# catalog write on A searchable on B after ${Date.now() - warm} ms (warm)`);
  });

  test('an alias moved on A is served by B', async () => {
    assert.equal(
      (await call(a.url, 'POST', '/v1/models', key, { name: 'ranker', task: 'ranking' })).status,
      201,
    );
    for (const seed of [1, 2]) {
      const model = linearModel({ inFeatures: 3, outFeatures: 2, seed }).bytes;
      const up = await call(a.url, 'POST', '/v1/models/ranker/versions', key, model);
      assert.equal(up.status, 201, JSON.stringify(up.body));
    }
    const served = async (replica: Replica) => {
      const res = await call(replica.url, 'POST', '/v2/models/ranker/versions/champion/infer', key, {
        inputs: [x],
      });
      return res.status === 200 ? String(res.body.model_version) : `${res.status}`;
    };
    assert.equal(
      (await call(a.url, 'PUT', '/v1/models/ranker/aliases/champion', key, { version: 1 })).status,
      200,
    );
    await eventually('v1 on B', async () => (await served(b)) === '1');
    const moved = Date.now();
    assert.equal(
      (await call(a.url, 'PUT', '/v1/models/ranker/aliases/champion', key, { version: 2 })).status,
      200,
    );
    await eventually('v2 on B', async () => (await served(b)) === '2');
    console.log(`# alias moved on A served by B after ${Date.now() - moved} ms`);
  });

  test('rate limits are shared: one bucket across both replicas', async () => {
    const rate = 0.1;
    const burst = 6;
    const limited = await makeTenant(a.url, 'limited', {
      tenantPerSecond: rate,
      tenantBurst: burst,
      keyPerSecond: rate,
      keyBurst: burst,
    });
    const started = Date.now();
    const statuses: number[] = [];
    // A socket error (an idle keep-alive connection closed by the server as the request went out, on a
    // saturated machine) is retried once; the lost attempt may have taken a token, so it lowers the floor.
    let resent = 0;
    const get = async (base: string) => {
      try {
        return (await call(base, 'GET', '/v1/items?limit=1', limited)).status;
      } catch {
        resent++;
        return (await call(base, 'GET', '/v1/items?limit=1', limited)).status;
      }
    };
    for (let i = 0; i < 2 * burst; i++) statuses.push(await get(i % 2 ? b.url : a.url));
    const elapsedS = (Date.now() - started) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    assert.ok(
      statuses.every((s) => s === 200 || s === 429),
      statuses.join(),
    );
    // Separate buckets would let all 2 × burst through; the shared one lets the burst plus its refill.
    assert.ok(
      ok >= burst - resent && ok <= burst + Math.ceil(elapsedS * rate),
      `${ok} of ${statuses.length} passed in ${elapsedS} s (${resent} resent)`,
    );
    assert.ok(ok < 2 * burst);
  });

  test('a rollout step is decided once across the cluster', async () => {
    const put = await call(a.url, 'PUT', '/v1/endpoints/home', key, {
      routes: [{ model: 'ranker', version: 1, weight: 100 }],
      stickyBy: 'userId',
    });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    const created = await call(a.url, 'POST', '/v1/endpoints/home/rollouts', key, {
      candidate: { model: 'ranker', version: 2 },
      steps: [50, 100],
      stepDuration: '1s',
      // Only the decisions' count is under test: guardrails that a loaded machine's latency could trip are off.
      guardrails: { minRequests: 1, maxErrorRateIncrease: 1, maxP99Ratio: 1000 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    let user = 0;
    let status = 'running';
    await eventually(
      'rollout completed',
      async () => {
        for (const replica of [a, b]) {
          const res = await call(replica.url, 'POST', '/v1/endpoints/home/infer', key, {
            parameters: { userId: `u${user++}` },
            inputs: [x],
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
        }
        status = (await call(b.url, 'GET', `/v1/endpoints/home/rollouts/${id}`, key)).body.status;
        return status !== 'running';
      },
      180_000,
    ).catch(async (error) => {
      // What the controller decided so far and what the worker logged, to tell a stall from a slow machine.
      const seen = (await call(a.url, 'GET', `/v1/endpoints/home/rollouts/${id}`, key)).body;
      const worker = cluster.replicas.find((r) => r.role === 'worker')!;
      throw new Error(
        `${(error as Error).message}\n${JSON.stringify(seen)}\n${worker.output().slice(-3000)}`,
      );
    });
    const rollout = (await call(a.url, 'GET', `/v1/endpoints/home/rollouts/${id}`, key)).body;
    const actions = rollout.decisions.map((d: { action: string; step: number }) => `${d.action}@${d.step}`);
    assert.equal(rollout.status, 'completed', actions.join());
    assert.deepEqual(
      actions.filter((s: string) => !s.startsWith('hold')),
      ['start@0', 'promote@1', 'complete@1'],
    );
  });

  test('one replica killed (SIGKILL) under load: the other answers, no acknowledged write lost or doubled', async () => {
    const TOTAL = 200;
    const CONCURRENCY = 8;
    const KILL_AFTER = 60;
    let next = 0;
    let acknowledged = 0;
    let killed = false;
    const numbers = {
      sent: 0,
      answered: 0,
      failed: 0,
      retried: 0,
      inProgress: 0,
      readsAfterKill: 0,
      readFailures: 0,
    };
    const acked = new Set<string>();
    const targetFor = (i: number) => (killed || i % 2 === 0 ? a : b);

    /** One write as a client behind a load balancer sends it: retried on the live replica, same key. */
    const write = async (i: number) => {
      const id = `w-${i}`;
      const body = { items: [{ id, title: `Written ${i}`, available: true }] };
      numbers.sent++;
      let target = targetFor(i);
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          const res = await call(target.url, 'POST', '/v1/items/batch', key, body, { 'idempotency-key': id });
          if (res.status === 409 && res.body.code === 'idempotency_in_progress') {
            numbers.inProgress++;
            await new Promise((r) => setTimeout(r, 500));
            continue;
          }
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal(res.body.results[0].status === 'error', false, JSON.stringify(res.body));
          numbers.answered++;
          acked.add(id);
          if (++acknowledged === KILL_AFTER && !killed) {
            killed = true;
            b.proc.kill('SIGKILL');
          }
          return;
        } catch (error) {
          if ((error as { code?: string }).code === 'ERR_ASSERTION') throw error;
          numbers.failed++;
          numbers.retried++;
          target = a; // the load balancer's retry goes to the replica that is left
        }
      }
      throw new Error(`write ${id} never answered`);
    };
    const reads = (async () => {
      // Reads on the survivor while B dies and after: every one must answer.
      while (next < TOTAL) {
        if (killed) {
          const res = await call(a.url, 'POST', '/v1/search', key, { query: 'written', limit: 3 }).catch(
            () => null,
          );
          numbers.readsAfterKill++;
          if (res?.status !== 200) numbers.readFailures++;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) await write(next++);
      }),
    );
    await reads;
    await b.exited;
    assert.equal(killed, true);

    // Every acknowledged write is there exactly once: version 1 (a second apply would make it 2).
    const versions = new Map<string, number>();
    for (let cursor: string | undefined; ; ) {
      const page = await call(a.url, 'GET', `/v1/items?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, key);
      assert.equal(page.status, 200);
      for (const item of page.body.items) versions.set(item.id, item.version);
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    const lost = [...acked].filter((id) => !versions.has(id)).length;
    const doubled = [...versions].filter(([id, v]) => id.startsWith('w-') && v !== 1).length;
    console.log(`# kill-one-replica: ${JSON.stringify({ ...numbers, acknowledged, lost, doubled })}`);
    assert.equal(numbers.sent, TOTAL);
    assert.equal(numbers.answered, TOTAL);
    assert.equal(lost, 0);
    assert.equal(doubled, 0);
    assert.equal(numbers.readFailures, 0);
    assert.ok(numbers.readsAfterKill > 0);
  });
});
