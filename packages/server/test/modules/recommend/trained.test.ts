// End to end with the training module: events in, trainers run through /v1/trainers, and the versions they
// publish (and the endpoints they create) answer /v1/recommendations.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RecommendationResponse } from '@quiver/contracts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { putItems, sendEvents } from '../../support/seed.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { runTrainer } from '../../support/training.ts';
import { basket } from '../training/testing.ts';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
// A is in every basket; B and C go together most; D least.
const EVENTS = [
  ...basket('u1', 's1', ['A', 'B', 'C'], ago(5)),
  ...basket('u2', 's2', ['A', 'B', 'C'], ago(4)),
  ...basket('u3', 's3', ['A', 'B', 'D'], ago(3)),
  ...basket('u4', 's4', ['A', 'C', 'D'], ago(2)),
  // A customer last seen 60 days ago: outside the recent-items view's 30-day TTL (imported history looks so).
  ...basket('u-old', 's-old', ['A', 'D'], ago(60)),
];

let t: TestApp;
let shop: Record<string, string>;
before(async () => {
  t = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors: null, trainingTickMs: 3_600_000 });
  shop = await t.tenant('shop');
  const items = ['A', 'B', 'C', 'D'].map((id) => ({ id, title: `Item ${id}` }));
  await putItems(t, shop, items);
  await sendEvents(t, shop, EVENTS);
});
after(() => t.close());

const train = async (trainer: string) => {
  const run = await runTrainer(t, shop, trainer);
  assert.equal(run.status, 'succeeded', JSON.stringify(run));
};

const recommend = async (body: object): Promise<RecommendationResponse> => {
  const res = await t.request({ method: 'POST', url: '/v1/recommendations', headers: shop, payload: body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
};

test('trained recommenders answer every scenario through the endpoints their runs created', async () => {
  const before = await t.request({
    method: 'POST',
    url: '/v1/recommendations',
    headers: shop,
    payload: { scenario: 'bought-together', itemId: 'B' },
  });
  assert.equal(before.statusCode, 409);
  assert.match(before.json().detail, /POST \/v1\/trainers\/cooccurrence\/runs/);

  for (const trainer of ['cooccurrence', 'popularity', 'als']) await train(trainer);

  const cart = await recommend({ scenario: 'bought-together', itemId: 'B', explain: true });
  assert.equal(cart.model, 'recs-cooccurrence');
  assert.equal(cart.version, '1');
  const ids = cart.items.map((i) => i.id);
  assert.ok(!ids.includes('B'));
  assert.deepEqual([...ids].sort(), ['A', 'C', 'D']);
  assert.equal(cart.items[0].reasons?.[0]?.itemId, 'B');

  const hot = await recommend({ scenario: 'trending' });
  assert.equal(hot.model, 'recs-popularity');
  assert.equal(hot.items[0].id, 'A', 'A is bought most');

  // u2 bought A, B and C: for-user leaves them out, so only D can be answered (once the feature consumer
  // applied the events, u2 has history).
  const deadline = Date.now() + 15_000;
  let mine = await recommend({ scenario: 'for-user', userId: 'u2' });
  while (mine.endpoint !== 'recs-for-user' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    mine = await recommend({ scenario: 'for-user', userId: 'u2' });
  }
  assert.equal(mine.model, 'recs-als');
  assert.deepEqual(
    mine.items.map((i) => i.id),
    ['D'],
  );
});

test('a customer whose history is older than the recent-items TTL gets the ALS model, from the long-term history', async () => {
  // The runs of the first test saved every customer's history; u-old's recent-items feature is OUTSIDE_TTL.
  const status = async () => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/features/online',
      headers: shop,
      payload: { features: ['user_recent_items:items'], entities: { userId: ['u-old'] } },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().results[1].statuses[0];
  };
  const deadline = Date.now() + 15_000;
  while ((await status()) !== 'OUTSIDE_TTL' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(await status(), 'OUTSIDE_TTL');
  const old = await recommend({ scenario: 'for-user', userId: 'u-old', explain: true });
  assert.equal(old.endpoint, 'recs-for-user');
  assert.equal(old.model, 'recs-als');
  assert.equal(old.fallback, undefined);
  assert.equal(old.degraded, false);
  assert.ok(
    old.notices.some((n) => n.includes('long-term history')),
    JSON.stringify(old.notices),
  );
  // What u-old bought (A, D) is the context, so left out: B and C remain, explained by A or D.
  const ids = old.items.map((i) => i.id).sort();
  assert.deepEqual(ids, ['B', 'C']);
  for (const item of old.items) assert.ok(['A', 'D'].includes(item.reasons?.[0]?.itemId ?? ''));
});

test('a fallback is marked in the answer and counted', async () => {
  const cold = await recommend({ scenario: 'for-user', userId: 'nobody' });
  assert.equal(cold.endpoint, 'recs-trending');
  assert.deepEqual(cold.fallback, { reason: 'no-history', detail: 'no history for this user' });
  const metrics = (await t.request({ method: 'GET', url: '/metrics', headers: t.operator })).body;
  assert.match(
    metrics,
    /quiver_recommend_fallbacks_total\{scenario="for-user",reason="no-history",tenant="shop"\} [1-9]/,
  );
});
