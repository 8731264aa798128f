// The content trainer through a run: the tenant's catalog embedded by its text encoder (the vectors module's
// built-in one), published as a factors graph behind `recs-similar-items`, with no events needed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readCandidates, recommenderRequest } from '../../../src/modules/recommend/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { runTrainer } from '../../support/training.ts';

const ITEMS = {
  'sofa-1': { title: 'Grey fabric sofa, three seater', categories: ['furniture/sofas'] },
  'sofa-2': { title: 'Leather sofa bed', categories: ['furniture/sofas'] },
  'laptop-1': { title: 'Laptop computer, 15 inch screen', categories: ['electronics/computers'] },
  'shoe-1': { title: 'Running shoes for men', categories: ['sports/footwear'] },
  'mug-1': { title: 'Ceramic coffee mug', categories: ['kitchen/tableware'] },
};

let t: TestApp;
let shop: Record<string, string>;
before(async () => {
  t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 }, undefined, { trainingTickMs: 3_600_000 });
  shop = await t.tenant('shop');
  for (const [id, item] of Object.entries(ITEMS)) {
    const res = await t.request({ method: 'PUT', url: `/v1/items/${id}`, headers: shop, payload: item });
    assert.ok([200, 201].includes(res.statusCode), res.body);
  }
});
after(() => t.close());

test('a content run embeds the catalog and serves similar items through recs-similar-items', async () => {
  const run = await runTrainer(t, shop, 'content');
  assert.equal(run.status, 'succeeded', run.error ?? undefined);
  assert.deepEqual(run.model, { name: 'recs-content', version: 1 });
  assert.deepEqual(run.endpoints, ['recs-similar-items']);
  assert.equal(run.data?.events, 0);
  const version = (
    await t.request({ method: 'GET', url: '/v1/models/recs-content/versions/1', headers: shop })
  ).json();
  assert.equal(version.metadata.recommender.graph, 'factors');
  assert.equal(version.metadata.recommender.items, Object.keys(ITEMS).length);
  const served = await t.request({
    method: 'POST',
    url: '/v1/endpoints/recs-similar-items/infer',
    headers: shop,
    payload: recommenderRequest([{ id: 'sofa-1', weight: 1 }]),
  });
  assert.equal(served.statusCode, 200, served.body);
  const ids = readCandidates(served.json(), 'factors').map((c) => c.id);
  // The context item itself scores cos = 1 (the caller drops it); the other sofa comes next.
  assert.deepEqual(ids.slice(0, 2), ['sofa-1', 'sofa-2']);
});
