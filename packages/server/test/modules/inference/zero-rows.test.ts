// Requests whose tensors have zero rows, over a real socket: they answer at once (an empty output shaped from
// the signature, or a 400 when it cannot be shaped) and never stall the event loop for other tenants.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { ON_TIME_MS, timerLateness } from '../../support/event-loop.ts';
import { encodeModel, linearModel, node, valueInfo } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { metric, uploadModel } from './testing.ts';

/** Input `x` FP32 [-1, -1], output `y` = x: the width of an empty answer is not in the signature. */
const anyWidthModel = (): Buffer =>
  encodeModel({
    name: 'any_width',
    inputs: [valueInfo('x', 'FP32', ['batch', 'width'])],
    outputs: [valueInfo('y', 'FP32', ['batch', 'width'])],
    nodes: [node('Identity', ['x'], ['y'])],
  });

describe('zero-row tensors', () => {
  let t: TestApp;
  let base: string;
  let acme: Record<string, string>;
  let globex: Record<string, string>;

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    const linear = linearModel({ inFeatures: 8, outFeatures: 3, seed: 2 }).bytes;
    await uploadModel(t, acme, 'batched', linear, { batching: { maxBatchSize: 8, maxQueueDelayMs: 2 } });
    await uploadModel(t, acme, 'single', linear);
    await uploadModel(t, acme, 'any-width', anyWidthModel());
    await uploadModel(t, globex, 'single', linear);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  const post = (key: Record<string, string>, model: string, rows: number, width = 8) =>
    fetch(`${base}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { ...key, 'content-type': 'application/json', 'quiver-timeout-ms': '3000' },
      body: JSON.stringify({
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [rows, width], data: new Array(rows * width).fill(0.5) },
        ],
      }),
    });

  test('answer at once with an empty output of the right shape; the event loop and other tenants go on', async () => {
    // Loaded first, so that what is timed below is the zero-row requests alone.
    for (const [key, model] of [
      [acme, 'batched'],
      [acme, 'single'],
      [globex, 'single'],
    ] as const)
      assert.equal((await post(key, model, 1)).status, 200);
    const batches = () => metric(t, 'quiver_inference_batch_size_count', { tenant: 'acme' });
    const batchesBefore = await batches();
    const late = timerLateness(10);
    const zero = Array.from({ length: 6 }, (_, i) => post(acme, i % 2 ? 'batched' : 'single', 0));
    const other = post(globex, 'single', 2);
    const live = fetch(`${base}/livez`);
    assert.ok((await late) < ON_TIME_MS, `a 10 ms timer fired ${await late} ms late`);
    for (const res of await Promise.all(zero)) {
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { outputs: unknown }).outputs, [
        { name: 'y', datatype: 'FP32', shape: [0, 3], data: [] },
      ]);
    }
    const answer = await other;
    assert.equal(answer.status, 200);
    assert.deepEqual(((await answer.json()) as { outputs: { shape: number[] }[] }).outputs[0].shape, [2, 3]);
    assert.equal((await live).status, 200);
    assert.equal(await batches(), batchesBefore, 'no batch ran for the zero-row requests');
  });

  test('a model whose output width is not in its signature answers 400, naming why', async () => {
    const late = timerLateness(10);
    const res = await post(acme, 'any-width', 0, 5);
    assert.ok((await late) < ON_TIME_MS, `a 10 ms timer fired ${await late} ms late`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /zero rows.*output 'y'.*\[-1, -1\]/);
    assert.equal((await post(acme, 'any-width', 2, 5)).status, 200);
  });
});
