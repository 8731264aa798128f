// User-kNN end to end: a run of the userknn trainer publishes a contract-2 version, creates the for-user
// endpoint (none existed), and for-user answers a known customer from the customers most like them, with
// reasons; another tenant sees none of it.
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
// u1 is most like u2 (A, B in common), who also bought E; u3 shares only C with u1 and bought F.
const EVENTS = [
  ...basket('u1', 's1', ['A', 'B', 'C'], ago(5)),
  ...basket('u2', 's2', ['A', 'B', 'E'], ago(4)),
  ...basket('u3', 's3', ['C', 'F'], ago(3)),
  ...basket('u4', 's4', ['G'], ago(2)),
];

let t: TestApp;
let shop: Record<string, string>;
let other: Record<string, string>;
before(async () => {
  t = await startTestApp(STORAGE_KINDS[0], {}, undefined, { vectors: null, trainingTickMs: 3_600_000 });
  shop = await t.tenant('shop');
  other = await t.tenant('other');
  const items = ['A', 'B', 'C', 'E', 'F', 'G'].map((id) => ({ id, title: `Item ${id}` }));
  for (const headers of [shop, other]) await putItems(t, headers, items);
  await sendEvents(t, shop, EVENTS);
});
after(() => t.close());

const recommend = async (headers: Record<string, string>, body: object) =>
  t.request({ method: 'POST', url: '/v1/recommendations', headers, payload: body });

test('a userknn run publishes a contract-2 version and for-user serves a known customer from it', async () => {
  const run = await runTrainer(t, shop, 'userknn', { params: { neighbours: 3, exponent: 1 } });
  assert.equal(run.status, 'succeeded', JSON.stringify(run));
  assert.deepEqual(run.endpoints, ['recs-for-user'], 'the run created for-user (none existed)');

  const version = await t.request({
    method: 'GET',
    url: '/v1/models/recs-userknn/versions/1',
    headers: shop,
  });
  assert.equal(version.statusCode, 200, version.body);
  const info = version.json().metadata.recommender;
  assert.equal(info.graph, 'userknn');
  assert.equal(info.contract, 2);

  // Once the events reached the recent-items view, u1's context is A, B, C: u2 (two in common) and u3 (one)
  // are its neighbours besides u1 itself (K = 3; with K = 2, u3 is not one); they lend E and F, E first.
  const deadline = Date.now() + 15_000;
  const ask = async () =>
    (
      await recommend(shop, { scenario: 'for-user', userId: 'u1', explain: true })
    ).json() as RecommendationResponse;
  let mine = await ask();
  while (mine.endpoint !== 'recs-for-user' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    mine = await ask();
  }
  assert.equal(mine.model, 'recs-userknn');
  assert.equal(mine.degraded, false);
  assert.deepEqual(
    mine.items.map((i) => i.id),
    ['E', 'F'],
  );
  // E came through A or B (u2's items in common), F through C (u3's).
  assert.ok(['A', 'B'].includes(mine.items[0].reasons?.[0]?.itemId ?? ''), JSON.stringify(mine.items[0]));
  assert.equal(mine.items[1].reasons?.[0]?.itemId, 'C');
});

test('another tenant has no userknn model and no for-user endpoint', async () => {
  const res = await recommend(other, { scenario: 'for-user', userId: 'u1' });
  const body = res.json();
  assert.notEqual(body.model, 'recs-userknn');
  const version = await t.request({
    method: 'GET',
    url: '/v1/models/recs-userknn/versions/1',
    headers: other,
  });
  assert.equal(version.statusCode, 404, version.body);
});
