// GET /v2/models/{name}[/versions/{v}]/ready on a cold model: it loads the version and answers once it is
// ready, within the request's timeout, so a script that checks once works; a load that fails says why.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { corruptArtifact, linearModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { eventually, infer, metric, uploadModel } from './testing.ts';

describe('model readiness', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  const model = (seed: number) => linearModel({ inFeatures: 4, outFeatures: 2, seed }).bytes;
  const ready = (path: string, headers: Record<string, string> = {}) =>
    t.request({ method: 'GET', url: `/v2/models/${path}/ready`, headers: { ...acme, ...headers } });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
  });
  after(() => t.close());

  test('a cold model loads on its first /ready, which answers 200 once it is warm', async () => {
    await uploadModel(t, acme, 'cold', model(1));
    const v2 = await uploadModel(t, acme, 'cold', model(2));
    const res = await ready('cold');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { name: 'cold', ready: true });
    const byVersion = await ready('cold/versions/1');
    assert.equal(byVersion.statusCode, 200, byVersion.body);
    assert.deepEqual(byVersion.json(), { name: 'cold', ready: true });
    for (const version of ['1', String(v2)])
      assert.equal(
        await metric(t, 'quiver_inference_model_load_seconds_count', { model: 'cold', version }),
        1,
      );
    // Ready means it serves without loading again.
    const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
    assert.equal((await infer(t, acme, 'cold/versions/1', body)).statusCode, 200);
    assert.equal(await metric(t, 'quiver_inference_model_load_seconds_count', { model: 'cold' }), 2);
  });

  test('Quiver-Timeout-Ms bounds the wait: 503 with Retry-After while it loads, and the load goes on', async () => {
    await uploadModel(t, acme, 'patient', model(3));
    const early = await ready('patient', { 'quiver-timeout-ms': '0' });
    assert.equal(early.statusCode, 503, early.body);
    assert.deepEqual(early.json(), { name: 'patient', ready: false });
    assert.equal(early.headers['retry-after'], '1');
    const loaded = () => metric(t, 'quiver_inference_model_load_seconds_count', { model: 'patient' });
    await eventually(async () => (await loaded()) === 1);
    assert.equal((await ready('patient', { 'quiver-timeout-ms': '0' })).statusCode, 200);
    const bad = await ready('patient', { 'quiver-timeout-ms': 'soon' });
    assert.equal(bad.statusCode, 400, bad.body);
  });

  test('a load that fails answers its error, naming the version, not "not ready yet"', async () => {
    await uploadModel(t, acme, 'broken', model(4));
    const { sha256 } = (
      await t.request({ method: 'GET', url: '/v1/models/broken/versions/1', headers: acme })
    ).json() as { sha256: string };
    // The stored artifact goes bad after its upload was checked.
    const blobs = join(t.config.dataDir, 'blobs');
    const file = readdirSync(blobs, { recursive: true, encoding: 'utf8' }).find((f) => f.includes(sha256));
    assert.ok(file, 'the artifact is on disk');
    writeFileSync(join(blobs, file), corruptArtifact('random'));
    const res = await ready('broken');
    assert.equal(res.statusCode, 422, res.body);
    assert.match(res.json().error, /version 1 of 'broken' failed to load: /);
  });
});
