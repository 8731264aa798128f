// Model loading under a memory budget, through /v2: one load for concurrent first requests, LRU eviction and
// reload that keep every answer right (in-flight ones included), and loading ahead of traffic on alias moves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { estimateBytes } from '../../../src/modules/inference/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { type LinearModel, linearModel, linearReference } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, eventually, infer, metric, rows, scrape, setAlias, uploadModel } from './testing.ts';

const WORKERS = 2;
const dims = { inFeatures: 32, outFeatures: 16 };

describe('model manager under a memory budget', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  const models: Record<string, LinearModel> = {
    a: linearModel({ ...dims, seed: 1 }),
    b: linearModel({ ...dims, seed: 2 }),
    c: linearModel({ ...dims, seed: 3 }),
  };
  const size = models.a.bytes.length;
  const load = (model: string) => metric(t, 'quiver_inference_model_load_seconds_count', { model });

  const check = async (model: string, seed: number) => {
    const x = rows(1, dims.inFeatures, seed);
    const res = await infer(t, acme, model, {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 32], data: x }],
    });
    assert.equal(res.statusCode, 200, res.body);
    assertClose(
      res.json().outputs[0].data,
      linearReference(x.flat(), models[model].weights, models[model].bias),
    );
  };

  before(async () => {
    // Room for one of these versions, not two.
    const budget = Math.floor(estimateBytes(size, WORKERS) * 1.5);
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: WORKERS, modelMemoryBudgetBytes: budget });
    acme = await t.tenant('acme');
    // Batches wait a little to fill, so that evictions find requests queued as well as running.
    const batching = { maxBatchSize: 8, maxQueueDelayMs: 5 };
    for (const name of Object.keys(models))
      await uploadModel(t, acme, name, models[name].bytes, { batching });
  });
  after(() => t.close());

  test('concurrent first requests share one load', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => check('c', i + 1)));
    assert.equal(await load('c'), 1);
  });

  test('the least recently used version is evicted for a new one, and reloaded when asked for', async () => {
    await check('a', 1);
    assert.equal(await metric(t, 'quiver_inference_evictions_total', { model: 'c' }), 1);
    await check('b', 2);
    assert.equal(await metric(t, 'quiver_inference_evictions_total', { model: 'a' }), 1);
    const memory = await scrape(t, 'quiver_inference_model_memory_bytes');
    assert.deepEqual(
      memory.map((s) => s.labels.model),
      ['b'],
    );
    assert.equal(memory[0].value, estimateBytes(size, WORKERS));
    await check('a', 3);
    assert.equal(await load('a'), 2);
    assert.equal(await metric(t, 'quiver_inference_loaded_models', { tenant: 'acme' }), 1);
  });

  test('interleaved traffic that keeps evicting gets every answer right', async () => {
    const evictions = await metric(t, 'quiver_inference_evictions_total', {});
    const names = ['a', 'b', 'c'];
    await Promise.all(Array.from({ length: 60 }, (_, i) => check(names[i % 3], i + 10)));
    assert.ok((await metric(t, 'quiver_inference_evictions_total', {})) > evictions);
  });

  test('an alias move loads its target ahead of traffic', async () => {
    const v2 = await uploadModel(t, acme, 'a', linearModel({ ...dims, seed: 9 }).bytes);
    const loadedV2 = async () =>
      (await scrape(t, 'quiver_inference_model_memory_bytes')).some(
        (s) => s.labels.model === 'a' && s.labels.version === String(v2),
      );
    assert.equal(await loadedV2(), false);
    await setAlias(t, acme, 'a', 'champion', v2);
    await eventually(loadedV2);
    const res = await infer(t, acme, 'a', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 32], data: rows(1, 32) }],
    });
    assert.equal(res.json().model_version, String(v2));
    assert.equal(
      await metric(t, 'quiver_inference_model_load_seconds_count', { model: 'a', version: '2' }),
      1,
    );
  });
});
