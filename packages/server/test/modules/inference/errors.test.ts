// Failures on /v2 as `{"error"}` with the right status: auth, unknown or foreign models, bad inputs, deadlines
// (504 without running) and full queues (429 with Retry-After).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { linearModel, twoInputModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { eventually, infer, metric, uploadModel } from './testing.ts';

const x = (shape: number[], data: unknown[], datatype = 'FP32', name = 'x') => ({
  name,
  datatype,
  shape,
  data,
});
const six = [0.5, 1, -1, 2, 0, 3];

describe('inference errors', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  let other: Record<string, string>;
  // Batches wait up to a second to fill: a lone request sits in the queue until then.
  const slow = { batching: { maxBatchSize: 64, maxQueueDelayMs: 1000, maxQueueSize: 2 } };

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
    other = await t.tenant('other');
    const linear = linearModel({ inFeatures: 6, outFeatures: 2 });
    await uploadModel(t, acme, 'linear', linear.bytes);
    await uploadModel(t, acme, 'pair', twoInputModel());
    await uploadModel(t, acme, 'slow', linear.bytes, slow);
    await uploadModel(t, other, 'theirs', linear.bytes);
  });
  after(() => t.close());

  const expectError = async (
    res: Promise<{ statusCode: number; json(): { error: string }; headers: Record<string, unknown> }>,
    status: number,
    message: RegExp,
  ) => {
    const r = await res;
    assert.equal(r.statusCode, status, JSON.stringify(r.json()));
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.deepEqual(Object.keys(r.json()), ['error']);
    assert.match(r.json().error, message);
    return r;
  };

  test('auth failures from the global hook answer {"error"} too', async () => {
    const body = { inputs: [x([1, 6], six)] };
    const anon = await expectError(infer(t, {}, 'linear', body), 401, /API key/);
    assert.equal(anon.headers['www-authenticate'], 'Bearer');
    const reader = await t.tenant('reader', ['catalog:read']);
    await expectError(infer(t, reader, 'linear', body), 403, /lacks the 'infer' scope/);
  });

  test('unknown models, versions and aliases, and another tenant’s model, are 404', async () => {
    const body = { inputs: [x([1, 6], six)] };
    await expectError(infer(t, acme, 'nope', body), 404, /model 'nope' was not found/);
    await expectError(infer(t, acme, 'linear/versions/9', body), 404, /no version 9/);
    await expectError(infer(t, acme, 'linear/versions/canary', body), 404, /no alias 'canary'/);
    await expectError(infer(t, acme, 'theirs', body), 404, /model 'theirs' was not found/);
    const meta = t.request({ method: 'GET', url: '/v2/models/theirs', headers: acme });
    await expectError(meta, 404, /'theirs' was not found/);
    await expectError(t.request({ method: 'GET', url: '/v2/nothing', headers: acme }), 404, /No route GET/);
  });

  test('inputs are checked against the signature, saying exactly what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [{ inputs: [x([1, 6], six, 'FP32', 'z')] }, /unknown input 'z'; the model takes x; missing input 'x'/],
      [{ inputs: [x([1, 6], [1, 2, 3, 4, 5, 6], 'INT64')] }, /input 'x' must be FP32, got INT64/],
      [{ inputs: [x([1, 5], [1, 2, 3, 4, 5])] }, /input 'x' has shape \[1, 5\]; the model expects \[-1, 6\]/],
      [{ inputs: [x([2, 6], six)] }, /input 'x' has 6 elements; shape \[2, 6\] needs 12/],
      [{ inputs: [x([1, 6], [1, 2, 'three', 4, 5, 6])] }, /element 2 is "three"; FP32 needs a number/],
      [{ inputs: [x([1, 6], [1, 2, 3, 4, 5, 6], 'FLOAT')] }, /datatype 'FLOAT'; use one of BOOL, /],
      [
        {
          inputs: [
            x(
              [2, 3],
              [
                [1, 2, 3],
                [4, 5],
              ],
            ),
          ],
        },
        /has 2 items at \/1 where shape \[2, 3\] needs 3/,
      ],
      [
        { inputs: [x([1, 6], [1, 2, 3, 4, 5, 1.5], 'INT8')] },
        /element 5 is 1.5; INT8 needs an integer in \[-128, 127\]/,
      ],
      [{ inputs: [x([1, 6], six), x([1, 6], six)] }, /input 'x' is given more than once/],
      [
        { inputs: [x([1, 6], six)], outputs: [{ name: 'logits' }] },
        /unknown output 'logits'; the model has y/,
      ],
      [{ inputs: [] }, /missing input 'x'/],
      [{ input: [] }, /\/inputs is required/],
    ];
    for (const [body, message] of cases) await expectError(infer(t, acme, 'linear', body), 400, message);
    const pair = { inputs: [x([1, 4], [1, 2, 3, 4], 'FP32', 'a')] };
    await expectError(infer(t, acme, 'pair', pair), 400, /missing input 'b'/);
    const malformed = t.request({
      method: 'POST',
      url: '/v2/models/linear/infer',
      headers: { ...acme, 'content-type': 'application/json' },
      payload: '{"inputs": [',
    });
    await expectError(malformed, 400, /not valid JSON/);
    const badHeader = infer(t, acme, 'linear', { inputs: [x([1, 6], six)] }, { 'quiver-timeout-ms': 'soon' });
    await expectError(
      badHeader,
      400,
      /request headers is invalid: \/headers\/quiver-timeout-ms must be integer/,
    );
  });

  test('an expired deadline is 504 and the request never runs', async () => {
    const labels = { tenant: 'acme', model: 'slow', version: '1' };
    const ready = '/v2/models/slow/ready';
    await eventually(
      async () => (await t.request({ method: 'GET', url: ready, headers: acme })).statusCode === 200,
    );
    const batches = await metric(t, 'quiver_inference_batch_size_count', labels);
    const body = { inputs: [x([1, 6], six)] };
    // Expired on arrival (header), and expired while waiting for its batch to fill (parameters.timeout_ms).
    await expectError(infer(t, acme, 'slow', body, { 'quiver-timeout-ms': '0' }), 504, /deadline passed/);
    const waiting = { ...body, parameters: { timeout_ms: 50 } };
    await expectError(infer(t, acme, 'slow', waiting), 504, /deadline passed/);
    assert.equal(await metric(t, 'quiver_inference_batch_size_count', labels), batches, 'no batch ran');
    assert.equal(await metric(t, 'quiver_inference_rejections_total', { ...labels, reason: 'deadline' }), 2);
    const failures = { ...labels, code: 'deadline_exceeded' };
    assert.equal(await metric(t, 'quiver_inference_failures_total', failures), 2);
  });

  test('a full queue answers 429 with Retry-After', async () => {
    // Two wait for their batch to fill (up to 1 s) and expire at 800 ms; the third finds the queue (2) full.
    const body = { inputs: [x([1, 6], six)], parameters: { timeout_ms: 800 } };
    const answers = await Promise.all([1, 2, 3].map(() => infer(t, acme, 'slow', body)));
    const statuses = answers.map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [429, 504, 504]);
    const full = answers.find((r) => r.statusCode === 429)!;
    assert.match(full.json().error, /queue of model .*slow' is full/);
    assert.ok(Number(full.headers['retry-after']) >= 1);
  });
});
