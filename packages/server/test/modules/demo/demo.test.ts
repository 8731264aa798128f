// The demo shop from a fresh start: its history, recommenders for every scenario, the example model behind
// an endpoint with a running canary; readiness says `warming` until done; a restart repeats nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const READY_DEADLINE_MS = 5 * 60_000;

let t: TestApp;
let first: TestApp | undefined;
let key: Record<string, string>;
const sawWarming: string[] = [];

const waitReady = async (app: TestApp) => {
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    const status = (await app.request({ method: 'GET', url: '/v1/demo' })).json();
    if (status.status === 'ready') return status;
    assert.notEqual(status.status, 'failed', JSON.stringify(status));
    const ready = (await app.request({ method: 'GET', url: '/readyz' })).json();
    sawWarming.push(...(ready.warming ?? []));
    assert.ok(Date.now() < deadline, `the demo was not ready in time: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

before(async () => {
  t = await startTestApp(STORAGE_KINDS[0], { demo: true, inferenceWorkers: 1 }, undefined, {
    trainingTickMs: 500,
  });
  assert.ok(t.seeded.demoKey, 'the first start makes the demo key');
  key = { authorization: `Bearer ${t.seeded.demoKey}` };
  await waitReady(t);
});
after(async () => {
  await t?.close();
  await first?.close();
});

const post = async (url: string, payload: object) => {
  const res = await t.request({ method: 'POST', url, headers: key, payload });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
};

test('readiness said warming while the demo loaded, and the done file marks it complete', () => {
  assert.ok(sawWarming.includes('demo'));
  assert.ok(existsSync(join(t.config.dataDir, 'demo-ready.json')));
});

test('every scenario answers from a trained model, for-user from the user’s recent history', async () => {
  const cases = [
    { scenario: 'similar-items', itemId: 'SKU-10001', model: 'recs-content' },
    { scenario: 'bought-together', itemId: 'SKU-10002', model: 'recs-cooccurrence' },
    { scenario: 'for-user', userId: 'u1', model: 'recs-als' },
    { scenario: 'trending', model: 'recs-popularity' },
  ];
  for (const { model, ...body } of cases) {
    // for-user needs the feature consumer to have applied u1's events: bounded wait.
    let answer = await post('/v1/recommendations', body);
    for (let i = 0; i < 100 && answer.degraded; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await post('/v1/recommendations', body);
    }
    assert.equal(answer.model, model, JSON.stringify(answer));
    assert.equal(answer.degraded, false);
    assert.ok(answer.items.length > 0, `${body.scenario} answered no items`);
  }
});

test('the example model takes its inputs from the feature store through the endpoint; its canary runs', async () => {
  const answer = await post('/v1/endpoints/demo-item-score/infer', {
    inputs: [],
    parameters: { userId: 'u1', entities: { itemId: ['SKU-10001', 'SKU-10002', 'no-such-item'] } },
  });
  assert.deepEqual(answer.outputs[0].shape, [3, 1]);
  assert.equal(answer.outputs[0].data[2], 0, 'an item without features scores 0');
  assert.ok(answer.outputs[0].data[0] > 0);
  const rollouts = (
    await t.request({ method: 'GET', url: '/v1/endpoints/demo-item-score/rollouts', headers: key })
  ).json().rollouts;
  assert.equal(rollouts.length, 1);
  assert.equal(rollouts[0].status, 'running');
  assert.equal(rollouts[0].decisions[0].action, 'start');
  const models = (await t.request({ method: 'GET', url: '/v1/models', headers: key })).json().models;
  const names = models.map((m: { name: string }) => m.name);
  for (const name of ['quiver-text-encoder', 'quiver-search-ranker', 'demo-item-score'])
    assert.ok(names.includes(name), `${name} is registered`);
});

test('a restart on the same data repeats nothing', async () => {
  const versions = async (app: TestApp) =>
    (await app.request({ method: 'GET', url: '/v1/models', headers: key }))
      .json()
      .models.map((m: { name: string; latestVersion: number }) => `${m.name}@${m.latestVersion}`)
      .sort();
  const before = await versions(t);
  const events = (
    await t.request({ method: 'GET', url: '/v1/events?after=0&limit=1000', headers: key })
  ).json();
  // Close the app but keep its database and data dir; the first app's close cleans them up at the end.
  await t.app.close();
  first = t;
  t = await startTestApp(STORAGE_KINDS[0], {
    demo: true,
    inferenceWorkers: 1,
    databaseUrl: t.config.databaseUrl,
    dataDir: t.config.dataDir,
  });
  assert.equal(t.seeded.demoKey, undefined);
  assert.equal((await t.request({ method: 'GET', url: '/v1/demo' })).json().status, 'ready');
  assert.deepEqual(await versions(t), before);
  const again = (
    await t.request({ method: 'GET', url: '/v1/events?after=0&limit=1000', headers: key })
  ).json();
  assert.equal(again.events.length, events.events.length);
});
