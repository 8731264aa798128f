// Triton's extensions after real calls: statistics (counts, queue/compute time, batch sizes, per version),
// model configuration (batching, inputs, outputs), the model repository (index, load, unload per tenant)
// and classification (class_count), each listed by GET /v2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { identityModel, linearModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { infer, uploadModel } from './testing.ts';

const x = [0.5, 1, -1, 2, 0, 3];
const row = (n: number) => ({
  inputs: [{ name: 'x', shape: [n, 6], datatype: 'FP32', data: Array(n).fill(x).flat() }],
});

describe('OIP extensions', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let reader: Record<string, string>;
  let other: Record<string, string>;
  const get = (url: string, key = auth) => t.request({ method: 'GET', url, headers: key });
  const post = (url: string, payload?: object, key = auth) =>
    t.request({ method: 'POST', url, headers: key, ...(payload ? { payload } : {}) });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    auth = await t.tenant('acme');
    reader = await t.tenant('acme-reader', ['infer']).catch(() => auth);
    other = await t.tenant('globex');
    const linear = linearModel({ inFeatures: 6, outFeatures: 4, seed: 2 });
    await uploadModel(t, auth, 'linear', linear.bytes, {
      batching: { maxBatchSize: 8, maxQueueDelayMs: 2, maxQueueSize: 100, timeoutMs: 5000 },
    });
    await uploadModel(t, auth, 'linear', linearModel({ inFeatures: 6, outFeatures: 4, seed: 3 }).bytes);
    await uploadModel(t, auth, 'strings', identityModel('BYTES', 2));
    await uploadModel(t, other, 'theirs', identityModel('FP32', 2));
  });
  after(() => t.close());

  test('GET /v2 lists the extensions that work', async () => {
    const res = await get('/v2');
    assert.deepEqual(res.json().extensions, [
      'binary_tensor_data',
      'classification',
      'model_configuration',
      'model_repository',
      'statistics',
    ]);
  });

  test('statistics after real calls: counts, durations, batch sizes, per version', async () => {
    for (const n of [1, 3]) assert.equal((await infer(t, auth, 'linear/versions/1', row(n))).statusCode, 200);
    assert.equal((await infer(t, auth, 'linear/versions/1', { inputs: [] })).statusCode, 400);
    assert.equal((await infer(t, auth, 'linear/versions/2', row(2))).statusCode, 200);

    const one = (await get('/v2/models/linear/versions/1/stats')).json().model_stats;
    assert.equal(one.length, 1);
    const s = one[0];
    assert.equal(s.name, 'linear');
    assert.equal(s.version, '1');
    assert.equal(s.inference_count, 4, 'rows of the two requests; the warm-up is not counted');
    assert.equal(s.inference_stats.success.count, 2);
    assert.equal(s.inference_stats.fail.count, 1);
    assert.ok(s.inference_stats.success.ns > 0);
    assert.equal(s.inference_stats.queue.count, 2);
    assert.ok(s.inference_stats.compute_infer.ns > 0);
    assert.ok(s.last_inference > 0);
    const sizes = s.batch_stats.map((b: { batch_size: number; compute_infer: { count: number } }) => [
      b.batch_size,
      b.compute_infer.count,
    ]);
    assert.deepEqual(sizes, [
      [1, 1],
      [3, 1],
    ]);
    assert.equal(s.execution_count, 2);

    const all = (await get('/v2/models/linear/stats')).json().model_stats;
    assert.deepEqual(all.map((v: { version: string }) => v.version).sort(), ['1', '2']);
    assert.equal(all.find((v: { version: string }) => v.version === '2').inference_count, 2);
    const everything = (await get('/v2/models/stats')).json().model_stats;
    assert.deepEqual(everything.map((v: { name: string }) => v.name).sort(), ['linear', 'linear', 'strings']);
  });

  test('model configuration: batching and tensors as Triton has them', async () => {
    const res = await get('/v2/models/linear/versions/1/config');
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json();
    assert.equal(c.name, 'linear');
    assert.equal(c.platform, 'onnxruntime_onnx');
    assert.equal(c.max_batch_size, 8);
    assert.deepEqual(c.input, [{ name: 'x', data_type: 'TYPE_FP32', dims: [6] }]);
    assert.deepEqual(c.output, [{ name: 'y', data_type: 'TYPE_FP32', dims: [4] }]);
    assert.equal(c.dynamic_batching.max_queue_delay_microseconds, 2000);
    assert.equal(c.dynamic_batching.default_queue_policy.max_queue_size, 100);
    assert.equal(c.dynamic_batching.default_queue_policy.default_timeout_microseconds, 5_000_000);
    const v2 = (await get('/v2/models/linear/config')).json();
    assert.equal(v2.max_batch_size, 1);
    assert.equal(v2.dynamic_batching, undefined);
    assert.equal((await get('/v2/models/strings/config')).json().input[0].data_type, 'TYPE_STRING');
    assert.equal((await get('/v2/models/theirs/config')).statusCode, 404);
  });

  test('model repository: index, unload and load, per tenant', async () => {
    const index = async (body?: object) => (await post('/v2/repository/index', body)).json();
    assert.ok(
      (await index()).some(
        (e: { name: string; state: string }) => e.name === 'linear' && e.state === 'READY',
      ),
    );
    assert.ok(!(await index()).some((e: { name: string }) => e.name === 'theirs'));

    const unloaded = await post('/v2/repository/models/linear/unload', {});
    assert.equal(unloaded.statusCode, 200, unloaded.body);
    const after = await index();
    assert.deepEqual(
      after.filter((e: { name: string }) => e.name === 'linear'),
      [{ name: 'linear', version: '2', state: 'UNAVAILABLE', reason: 'unloaded' }],
    );
    assert.deepEqual(await index({ ready: true }), []);

    const loaded = await post('/v2/repository/models/linear/load');
    assert.equal(loaded.statusCode, 200, loaded.body);
    assert.deepEqual(await index({ ready: true }), [
      { name: 'linear', version: '2', state: 'READY', reason: '' },
    ]);

    assert.equal((await post('/v2/repository/models/theirs/load')).statusCode, 404);
    assert.equal((await post('/v2/repository/models/nope/unload')).statusCode, 404);
    assert.equal((await post('/v2/repository/index', { ready: 'yes' })).statusCode, 400);
    if (reader !== auth)
      assert.equal((await post('/v2/repository/models/linear/unload', {}, reader)).statusCode, 403);
  });

  test('class_count: top k per row as "value:index", refused with a 400 naming it when it cannot apply', async () => {
    const res = await infer(t, auth, 'linear/versions/1', {
      ...row(2),
      outputs: [{ name: 'y', parameters: { classification: 2 } }],
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json().outputs[0];
    assert.equal(out.datatype, 'BYTES');
    assert.deepEqual(out.shape, [2, 2]);
    const plain = (await infer(t, auth, 'linear/versions/1', row(1))).json().outputs[0].data as number[];
    const best = plain.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]);
    assert.equal(out.data[0], `${best[0][0].toFixed(6)}:${best[0][1]}`);
    assert.equal(out.data[1], `${best[1][0].toFixed(6)}:${best[1][1]}`);
    assert.deepEqual(out.data.slice(2), out.data.slice(0, 2));

    const bad = await infer(t, auth, 'linear', {
      ...row(1),
      outputs: [{ name: 'y', parameters: { classification: 0 } }],
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /parameters\.classification must be an integer ≥ 1/);
    const strings = await infer(t, auth, 'strings', {
      inputs: [{ name: 'x', shape: [1, 2], datatype: 'BYTES', data: ['a', 'b'] }],
      outputs: [{ name: 'y', parameters: { classification: 1 } }],
    });
    assert.equal(strings.statusCode, 400);
    assert.match(strings.json().error, /classification needs a numeric output/);
  });

  test('model configuration: where a loaded version runs, as the metadata asks or the engine measured', async () => {
    const bytes = linearModel({ inFeatures: 6, outFeatures: 2, seed: 9 }).bytes;
    for (const execution of ['inline', 'workers'] as const) {
      const name = `pinned-${execution}`;
      await uploadModel(t, auth, name, bytes, { execution });
      assert.equal((await get(`/v2/models/${name}/config`)).json().parameters, undefined, 'not loaded yet');
      assert.equal((await infer(t, auth, name, row(2))).statusCode, 200);
      const c = (await get(`/v2/models/${name}/config`)).json();
      assert.deepEqual(c.parameters, { execution: { string_value: execution } });
    }
  });
});
