// Features joined into model inputs: a version declares `featureInputs`, a request names entity ids, and
// Quiver reads the features and builds the tensors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { linearModel, linearReference } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, infer, uploadModel } from './testing.ts';

describe('feature inputs', () => {
  let t: TestApp;
  let shop: Record<string, string>;
  const model = linearModel({ inFeatures: 1, outFeatures: 2, seed: 5 });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    shop = await t.tenant('featured');
    await uploadModel(t, shop, 'popularity-scorer', model.bytes, {
      featureInputs: { x: 'item_popularity:views_24h' },
    });
    await uploadModel(t, shop, 'wrong-kind', model.bytes, {
      featureInputs: { x: 'user_recent_items:items' },
    });
    const now = Date.now();
    const views = [...Array(3).fill('A'), 'B'].map((itemId, i) => ({
      id: `v${i}`,
      type: 'view',
      userId: `u${i}`,
      itemId,
      timestamp: new Date(now - i * 1000).toISOString(),
    }));
    const sent = await t.request({
      method: 'POST',
      url: '/v1/events',
      headers: shop,
      payload: { events: views },
    });
    assert.equal(sent.statusCode, 202, sent.body);
    // The consumer applies events asynchronously: wait (bounded) until A's three views are visible.
    for (let i = 0; i < 200; i++) {
      const res = await t.request({
        method: 'POST',
        url: '/v1/features/online',
        headers: shop,
        payload: { features: ['item_popularity:views_24h'], entities: { itemId: ['A'] } },
      });
      if (res.statusCode === 200 && res.json().results[1].values[0] === 3) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('the features never became visible');
  });
  after(() => t.close());

  test('inputs come from the feature store, one row per entity id; missing values are 0', async () => {
    const res = await infer(t, shop, 'popularity-scorer', {
      inputs: [],
      parameters: { entities: { itemId: ['A', 'B', 'never-seen'] } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const [y] = res.json().outputs;
    assert.deepEqual(y.shape, [3, 2]);
    assertClose(y.data, linearReference([3, 1, 0], model.weights, model.bias));
  });

  test('without entities the client sends the inputs itself', async () => {
    const res = await infer(t, shop, 'popularity-scorer', {
      inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [7] }],
    });
    assert.equal(res.statusCode, 200, res.body);
    assertClose(res.json().outputs[0].data, linearReference([7], model.weights, model.bias));
  });

  test('bad entities and non-numeric features are clear 400s', async () => {
    const uneven = await infer(t, shop, 'popularity-scorer', {
      inputs: [],
      parameters: { entities: { itemId: ['A'], userId: ['u1', 'u2'] } },
    });
    assert.equal(uneven.statusCode, 400);
    assert.match(uneven.json().error, /same number of ids/);
    const bad = await infer(t, shop, 'popularity-scorer', {
      inputs: [],
      parameters: { entities: { shopId: ['x'] } },
    });
    assert.equal(bad.statusCode, 400);
    const list = await infer(t, shop, 'wrong-kind', {
      inputs: [],
      parameters: { entities: { userId: ['u1'] } },
    });
    assert.equal(list.statusCode, 400);
    assert.match(list.json().error, /not numeric/);
  });
});
