// The response cache through /v2: hits return the same answer and count, identical concurrent requests run once,
// entries expire after their TTL, failures are not kept, and caching is off unless the version's metadata asks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { linearModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { infer, metric, rows, uploadModel } from './testing.ts';

describe('response cache', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };
  const labels = { tenant: 'acme', model: 'cached', version: '1' };
  const hits = () => metric(t, 'quiver_inference_cache_hits_total', labels);
  const misses = () => metric(t, 'quiver_inference_cache_misses_total', labels);
  const ranRows = () => metric(t, 'quiver_inference_batch_size_sum', labels);
  const body = (seed: number, nested = true) => {
    const x = rows(2, 4, seed);
    return { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4], data: nested ? x : x.flat() }] };
  };

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 }, clock);
    acme = await t.tenant('acme');
    const bytes = linearModel({ inFeatures: 4, outFeatures: 2 }).bytes;
    await uploadModel(t, acme, 'cached', bytes, { cache: { enabled: true, ttlSeconds: 30, maxEntries: 10 } });
    await uploadModel(t, acme, 'plain', bytes);
  });
  after(() => t.close());

  test('a repeated request is answered from the cache, however its data is nested', async () => {
    const first = await infer(t, acme, 'cached', body(1));
    assert.equal(first.statusCode, 200, first.body);
    const computed = await ranRows();
    const again = await infer(t, acme, 'cached', body(1, false));
    assert.deepEqual(again.json(), first.json());
    assert.equal(await ranRows(), computed, 'the model did not run again');
    assert.deepEqual([await hits(), await misses()], [1, 1]);
  });

  test('identical concurrent requests are computed once', async () => {
    const before = await ranRows();
    const answers = await Promise.all(Array.from({ length: 10 }, () => infer(t, acme, 'cached', body(2))));
    assert.ok(answers.every((a) => a.body === answers[0].body && a.statusCode === 200));
    assert.equal((await ranRows()) - before, 2, 'one request of two rows ran');
    assert.deepEqual([await hits(), await misses()], [10, 2]);
  });

  test('entries expire after their TTL', async () => {
    const before = await ranRows();
    offsetMs += 31_000;
    assert.equal((await infer(t, acme, 'cached', body(1))).statusCode, 200);
    assert.equal((await ranRows()) - before, 2);
    assert.equal(await misses(), 3);
  });

  test('a failure is not cached', async () => {
    const expired = await infer(t, acme, 'cached', body(3), { 'quiver-timeout-ms': '0' });
    assert.equal(expired.statusCode, 504);
    assert.equal((await infer(t, acme, 'cached', body(3))).statusCode, 200);
    assert.equal(await misses(), 5);
  });

  test('a version without cache settings computes every time', async () => {
    await infer(t, acme, 'plain', body(1));
    await infer(t, acme, 'plain', body(1));
    const plain = { ...labels, model: 'plain' };
    assert.equal(await metric(t, 'quiver_inference_cache_misses_total', plain), 0);
    // Warm-up rows aside, both requests ran.
    const warmUp = await metric(t, 'quiver_inference_model_load_seconds_count', plain);
    assert.equal(warmUp, 1);
    assert.equal(await metric(t, 'quiver_inference_batch_size_count', plain), 1 + 2);
  });
});
