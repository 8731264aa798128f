// Serving through /v2 with real onnxruntime: results against independent references, datatypes, metadata,
// health, batched concurrent load equal to unbatched answers, and the labelled metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import {
  embeddingPoolModel,
  embeddingPoolReference,
  identityModel,
  linearModel,
  linearReference,
  mixedTypesModel,
  twoInputModel,
} from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, eventually, infer, metric, rows, scrape, setAlias, uploadModel } from './testing.ts';

describe('inference over the Open Inference Protocol', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  const linear = linearModel({ inFeatures: 6, outFeatures: 3, seed: 21 });
  const encoder = embeddingPoolModel({ vocab: 40, dim: 5, seed: 8 });
  const BATCH = 10;

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 2 });
    acme = await t.tenant('acme');
    await uploadModel(t, acme, 'linear', linear.bytes);
    // A batch waits up to a second to fill, so concurrent single rows travel together.
    await uploadModel(t, acme, 'linear-batched', linear.bytes, {
      batching: { maxBatchSize: BATCH, maxQueueDelayMs: 1000 },
    });
    await uploadModel(t, acme, 'encoder', encoder.bytes);
    await uploadModel(t, acme, 'pair', twoInputModel());
    await uploadModel(t, acme, 'mixed', mixedTypesModel());
    await uploadModel(t, acme, 'strings', identityModel('BYTES', 2));
    await uploadModel(t, acme, 'int64', identityModel('INT64', 3));
  });
  after(() => t.close());

  test('a linear layer answers x·W + b, echoing the id, for flat and nested data alike', async () => {
    const x = rows(3, 6, 5);
    const expected = linearReference(x.flat(), linear.weights, linear.bias);
    const nested = await infer(t, acme, 'linear', {
      id: 'req-1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 6], data: x }],
    });
    assert.equal(nested.statusCode, 200, nested.body);
    assert.match(String(nested.headers['content-type']), /^application\/json/);
    const body = nested.json();
    assert.equal(body.model_name, 'linear');
    assert.equal(body.model_version, '1');
    assert.equal(body.id, 'req-1');
    assert.equal(body.outputs.length, 1);
    assert.deepEqual(
      { ...body.outputs[0], data: undefined },
      { name: 'y', datatype: 'FP32', shape: [3, 3], data: undefined },
    );
    assertClose(body.outputs[0].data, expected);
    const flat = await infer(t, acme, 'linear/versions/1', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 6], data: x.flat() }],
    });
    assert.deepEqual(flat.json().outputs, body.outputs);
    assert.equal(flat.json().id, undefined);
  });

  test('a sentence-encoder-like model pools embeddings of input_ids under attention_mask (INT64)', async () => {
    const ids = [
      [3, 17, 5, 0],
      [39, 2, 0, 0],
    ];
    const mask = [
      [1, 1, 1, 0],
      [1, 1, 0, 0],
    ];
    const res = await infer(t, acme, 'encoder', {
      inputs: [
        { name: 'input_ids', datatype: 'INT64', shape: [2, 4], data: ids },
        { name: 'attention_mask', datatype: 'INT64', shape: [2, 4], data: mask },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json().outputs[0];
    assert.equal(out.name, 'embeddings');
    assert.deepEqual(out.shape, [2, 5]);
    assertClose(out.data, embeddingPoolReference(ids.flat(), mask.flat(), 4, encoder.table, 5));
  });

  test('a two-input model returns both outputs, or only those asked for', async () => {
    const a = [1, 2, 3, 4, -1, 0.5, 2, 8];
    const b = [4, 3, 2, 1, 3, 4, 0.25, -2];
    const inputs = [
      { name: 'a', datatype: 'FP32', shape: [2, 4], data: a },
      { name: 'b', datatype: 'FP32', shape: [2, 4], data: b },
    ];
    const both = (await infer(t, acme, 'pair', { inputs })).json();
    assert.deepEqual(
      both.outputs.map((o: { name: string }) => o.name),
      ['sum', 'prod'],
    );
    assert.deepEqual(
      both.outputs[0].data,
      a.map((v, i) => v + b[i]),
    );
    assert.deepEqual(
      both.outputs[1].data,
      a.map((v, i) => v * b[i]),
    );
    const one = (await infer(t, acme, 'pair', { inputs, outputs: [{ name: 'prod' }] })).json();
    assert.deepEqual(one.outputs, [both.outputs[1]]);
  });

  test('INT32, FP64, BOOL and BYTES travel as the protocol says', async () => {
    const mixed = await infer(t, acme, 'mixed', {
      inputs: [
        { name: 'i32', datatype: 'INT32', shape: [1, 3], data: [1, -2, 1_000_000] },
        { name: 'f64', datatype: 'FP64', shape: [1, 2], data: [0.1, -3] },
        { name: 'flag', datatype: 'BOOL', shape: [1, 1], data: [true] },
      ],
    });
    assert.equal(mixed.statusCode, 200, mixed.body);
    const [i32, f64, flag] = mixed.json().outputs;
    assert.deepEqual(i32, { name: 'i32_twice', datatype: 'INT32', shape: [1, 3], data: [2, -4, 2_000_000] });
    assert.deepEqual(f64.data, [0.1 * 0.1, 9]);
    assert.deepEqual(flag, { name: 'flag_not', datatype: 'BOOL', shape: [1, 1], data: [false] });
    const strings = await infer(t, acme, 'strings', {
      inputs: [
        {
          name: 'x',
          datatype: 'BYTES',
          shape: [2, 2],
          data: [
            ['a', 'bé'],
            ['', 'z z'],
          ],
        },
      ],
    });
    assert.equal(strings.statusCode, 200, strings.body);
    assert.deepEqual(strings.json().outputs[0].data, ['a', 'bé', '', 'z z']);
    // 64-bit integers beyond ±2^53 may also be sent as decimal strings; they come back as exact literals.
    const big = await infer(t, acme, 'int64', {
      inputs: [
        { name: 'x', datatype: 'INT64', shape: [1, 3], data: [-7, '1152921504606846977', 2 ** 53 - 1] },
      ],
    });
    assert.equal(big.statusCode, 200, big.body);
    assert.match(big.body, /"data":\[-7,1152921504606846977,9007199254740991\]/);
  });

  test('100 concurrent single-row requests, batched, equal the unbatched answers', async () => {
    const x = rows(100, 6, 9);
    const one = async (model: string, row: number[]) => {
      const res = await infer(t, acme, model, {
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], data: row }],
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().outputs[0].data as number[];
    };
    const unbatched: number[][] = [];
    for (const row of x) unbatched.push(await one('linear', row));
    // Load (and warm up) first, so that the batches counted below are the wave's own.
    const ready = '/v2/models/linear-batched/ready';
    await eventually(
      async () => (await t.request({ method: 'GET', url: ready, headers: acme })).statusCode === 200,
    );
    const labels = { tenant: 'acme', model: 'linear-batched', version: '1' };
    const batchesBefore = await metric(t, 'quiver_inference_batch_size_count', labels);
    const rowsBefore = await metric(t, 'quiver_inference_batch_size_sum', labels);
    const batched = await Promise.all(x.map((row) => one('linear-batched', row)));
    assert.deepEqual(batched, unbatched);
    // Every row ran, in batches of several (as many as 100 / BATCH when the wave arrives within a second).
    const batches = (await metric(t, 'quiver_inference_batch_size_count', labels)) - batchesBefore;
    assert.equal((await metric(t, 'quiver_inference_batch_size_sum', labels)) - rowsBefore, 100);
    assert.ok(batches >= 100 / BATCH && batches < 100, `${batches} batches`);
  });

  test('model metadata, versions by number or alias, and readiness', async () => {
    const v2 = await uploadModel(
      t,
      acme,
      'linear',
      linearModel({ inFeatures: 6, outFeatures: 3, seed: 4 }).bytes,
    );
    const meta = await t.request({ method: 'GET', url: '/v2/models/linear', headers: acme });
    assert.equal(meta.statusCode, 200, meta.body);
    assert.deepEqual(meta.json(), {
      name: 'linear',
      versions: [String(v2), '1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 6] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
    });
    await setAlias(t, acme, 'linear', 'champion', 1);
    const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], data: rows(1, 6)[0] }] };
    assert.equal((await infer(t, acme, 'linear', body)).json().model_version, '1');
    assert.equal((await infer(t, acme, 'linear/versions/champion', body)).json().model_version, '1');
    assert.equal((await infer(t, acme, `linear/versions/${v2}`, body)).json().model_version, String(v2));
    const url = '/v2/models/pair/versions/1/ready';
    await eventually(async () => (await t.request({ method: 'GET', url, headers: acme })).statusCode === 200);
    assert.deepEqual((await t.request({ method: 'GET', url, headers: acme })).json(), {
      name: 'pair',
      ready: true,
    });
  });

  test('health needs no key; server metadata does', async () => {
    assert.deepEqual((await t.request({ method: 'GET', url: '/v2/health/live' })).json(), { live: true });
    assert.deepEqual((await t.request({ method: 'GET', url: '/v2/health/ready' })).json(), { ready: true });
    assert.equal((await t.request({ method: 'GET', url: '/v2' })).statusCode, 401);
    const server = await t.request({ method: 'GET', url: '/v2', headers: acme });
    assert.deepEqual(server.json(), {
      name: 'quiver',
      version: '0.1.0',
      extensions: [
        'binary_tensor_data',
        'classification',
        'model_configuration',
        'model_repository',
        'statistics',
      ],
    });
  });

  test('/metrics shows the serving series labelled by tenant, model and version', async () => {
    const labels = { tenant: 'acme', model: 'linear', version: '1' };
    for (const name of [
      'quiver_inference_requests_total',
      'quiver_inference_request_seconds_count',
      'quiver_inference_queue_seconds_count',
      'quiver_inference_compute_seconds_count',
      'quiver_inference_batch_size_count',
      'quiver_inference_compute_seconds_total',
      'quiver_inference_model_load_seconds_count',
      'quiver_inference_model_memory_bytes',
    ]) {
      assert.ok((await metric(t, name, labels)) > 0, `${name} has a positive sample for linear v1`);
    }
    assert.ok((await scrape(t, 'quiver_inference_queue_depth')).some((s) => s.labels.model === 'linear'));
    assert.ok((await metric(t, 'quiver_inference_loaded_models', { tenant: 'acme' })) >= 5);
  });
});
