// The model registry through HTTP, on both storage kinds: uploads validated in onnxruntime, immutable
// content-addressed versions, aliases, and nothing half-stored after a rejected upload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { corruptArtifact, linearModel, twoInputModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const MAX_ARTIFACT = 256 * 1024;

const multipart = (parts: { name: string; filename?: string; type?: string; body: Buffer | string }[]) => {
  const boundary = `----quiver${Date.now()}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
};

for (const kind of STORAGE_KINDS) {
  describe(`model registry on ${kind.name}`, () => {
    let t: TestApp;
    let ml: Record<string, string>;
    const linear = linearModel({ inFeatures: 3, outFeatures: 2, seed: 1 });
    const upload = (name: string, bytes: Buffer, headers: Record<string, string> = {}, key = ml) =>
      t.request({
        method: 'POST',
        url: `/v1/models/${name}/versions`,
        headers: { ...key, 'content-type': 'application/octet-stream', ...headers },
        payload: bytes,
      });

    before(async () => {
      t = await startTestApp(kind, { modelMaxBytes: MAX_ARTIFACT, inferenceWorkers: 1 });
      ml = await t.tenant('ml', ['models:write']);
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: '/v1/models',
            headers: ml,
            payload: { name: 'ranker', task: 'ranking' },
          })
        ).statusCode,
        201,
      );
    });
    after(() => t.close());

    test('a raw upload is validated, its signature read, and numbered 1', async () => {
      const res = await upload('ranker', linear.bytes, {
        'quiver-model-metadata': JSON.stringify({ framework: 'pytorch', metrics: { ndcg: 0.41 } }),
      });
      assert.equal(res.statusCode, 201, res.body);
      const v = res.json();
      assert.equal(v.version, 1);
      assert.match(v.sha256, /^[0-9a-f]{64}$/);
      assert.equal(v.size, linear.bytes.length);
      assert.deepEqual(v.signature, {
        inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
        outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
      });
      assert.deepEqual(v.metadata, { framework: 'pytorch', metrics: { ndcg: 0.41 } });
      assert.equal(res.headers.location, '/v1/models/ranker/versions/1');
    });

    test('the same bytes again answer the existing version (content-addressed)', async () => {
      const res = await upload('ranker', linear.bytes);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().version, 1);
    });

    test('multipart: metadata, a tokenizer.json and the model make version 2', async () => {
      const body = multipart([
        {
          name: 'metadata',
          body: JSON.stringify({ description: 'two inputs', cache: { enabled: true, ttlSeconds: 60 } }),
        },
        {
          name: 'tokenizer',
          filename: 'tokenizer.json',
          type: 'application/json',
          body: JSON.stringify({ model: { vocab: { a: 0 } } }),
        },
        { name: 'model', filename: 'model.onnx', type: 'application/octet-stream', body: twoInputModel() },
      ]);
      const res = await t.request({
        method: 'POST',
        url: '/v1/models/ranker/versions',
        headers: { ...ml, 'content-type': body.contentType },
        payload: body.payload,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().version, 2);
      assert.equal(res.json().hasTokenizer, true);
      assert.deepEqual(
        res.json().signature.inputs.map((i: { name: string }) => i.name),
        ['a', 'b'],
      );
      const tok = await t.request({
        method: 'GET',
        url: '/v1/models/ranker/versions/2/tokenizer',
        headers: ml,
      });
      assert.deepEqual(tok.json(), { model: { vocab: { a: 0 } } });
    });

    test('bad artifacts get 422 with the reason, and nothing half-stored remains', async () => {
      for (const kindOfBad of ['random', 'truncated', 'empty'] as const) {
        const res = await upload('ranker', corruptArtifact(kindOfBad, { model: linear.bytes }));
        assert.equal(res.statusCode, 422, `${kindOfBad}: ${res.body}`);
        assert.equal(res.json().code, 'unprocessable');
        assert.ok(res.json().detail.length > 10);
      }
      const versions = (
        await t.request({ method: 'GET', url: '/v1/models/ranker/versions', headers: ml })
      ).json().versions;
      assert.deepEqual(
        versions.map((v: { version: number }) => v.version),
        [2, 1],
      );
      const stored: string[] = [];
      for await (const entry of t.blobs.list('')) stored.push(entry.key);
      assert.equal(
        stored.filter((k) => k.startsWith('uploads/')).length,
        0,
        `no temporary uploads left: ${stored}`,
      );
      assert.equal(stored.filter((k) => k.endsWith('.onnx')).length, 2, 'only the two valid artifacts');
    });

    test('an artifact over the size limit is 413; invalid metadata is 400 with the field', async () => {
      const big = Buffer.alloc(MAX_ARTIFACT + 10, 1);
      const res = await upload('ranker', big);
      assert.equal(res.statusCode, 413);
      const meta = await upload('ranker', linear.bytes, {
        'quiver-model-metadata': JSON.stringify({ batching: { maxBatchSize: 0 }, bogus: 1 }),
      });
      assert.equal(meta.statusCode, 400);
      assert.deepEqual(
        meta
          .json()
          .errors.map((e: { path: string }) => e.path)
          .sort(),
        ['/metadata/batching/maxBatchSize', '/metadata/bogus'],
      );
      const notJson = await upload('ranker', linear.bytes, { 'quiver-model-metadata': '{nope' });
      assert.equal(notJson.statusCode, 400);
    });

    test('aliases resolve versions; a version behind an alias cannot be deleted', async () => {
      const set = await t.request({
        method: 'PUT',
        url: '/v1/models/ranker/aliases/champion',
        headers: ml,
        payload: { version: 1 },
      });
      assert.equal(set.statusCode, 200);
      assert.deepEqual(set.json().aliases, { champion: 1 });
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/models/ranker/versions/champion', headers: ml })).json()
          .version,
        1,
      );
      const blocked = await t.request({ method: 'DELETE', url: '/v1/models/ranker/versions/1', headers: ml });
      assert.equal(blocked.statusCode, 409);
      assert.match(blocked.json().detail, /champion/);
      const missing = await t.request({
        method: 'PUT',
        url: '/v1/models/ranker/aliases/challenger',
        headers: ml,
        payload: { version: 9 },
      });
      assert.equal(missing.statusCode, 404);
      await t.request({
        method: 'PUT',
        url: '/v1/models/ranker/aliases/champion',
        headers: ml,
        payload: { version: 2 },
      });
      assert.equal(
        (await t.request({ method: 'DELETE', url: '/v1/models/ranker/versions/1', headers: ml })).statusCode,
        204,
      );
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/models/ranker/versions/1', headers: ml })).statusCode,
        404,
      );
      const model = (await t.request({ method: 'GET', url: '/v1/models/ranker', headers: ml })).json();
      assert.equal(model.latestVersion, 2);
      const reupload = await upload('ranker', linear.bytes);
      assert.equal(reupload.json().version, 3, 'versions are never reused');
    });

    test("another tenant's models are invisible (404) and its keys cannot upload to them", async () => {
      const other = await t.tenant('other-ml', ['models:write']);
      assert.equal(
        (await t.request({ method: 'GET', url: '/v1/models/ranker', headers: other })).statusCode,
        404,
      );
      assert.equal((await upload('ranker', linear.bytes, {}, other)).statusCode, 404);
      assert.deepEqual(
        (await t.request({ method: 'GET', url: '/v1/models', headers: other })).json().models,
        [],
      );
      const reader = await t.tenant('reader-ml', ['catalog:read']);
      assert.equal((await t.request({ method: 'GET', url: '/v1/models', headers: reader })).statusCode, 403);
    });
  });
}
