// /v2 infer bodies: gzip and deflate request bodies decoded (a zip bomb is a 413), large answers compressed
// by Accept-Encoding, a 20 MiB binary tensor under the /v2 limit, and an over-limit body read before its 413.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { identityModel, linearModel, linearReference } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, uploadModel } from './testing.ts';
import { binaryRequest, post, readBinaryResponse } from './wire-testing.ts';

const LIMIT = 24 * 1024 * 1024;
/** Columns of the wide identity model: 20 MiB of FP32 in one row. */
const WIDE = (20 * 1024 * 1024) / 4;

describe('/v2 infer bodies', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let port: number;
  const linear = linearModel({ inFeatures: 6, outFeatures: 2, seed: 3 });
  const x = [0.5, 1, -1, 2, 0, 3];
  const json = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 6], datatype: 'FP32', data: x }] });

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1, inferBodyLimitBytes: LIMIT });
    auth = await t.tenant('acme');
    await uploadModel(t, auth, 'linear', linear.bytes);
    await uploadModel(t, auth, 'wide', identityModel('FP32', WIDE));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t.close());

  for (const [encoding, encode] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const) {
    test(`Content-Encoding: ${encoding} is decoded, JSON and binary`, async () => {
      const res = await t.request({
        method: 'POST',
        url: '/v2/models/linear/infer',
        headers: { ...auth, 'content-type': 'application/json', 'content-encoding': encoding },
        payload: encode(Buffer.from(json)),
      });
      assert.equal(res.statusCode, 200, res.body);
      assertClose(res.json().outputs[0].data, linearReference(x, linear.weights, linear.bias));

      const raw = Buffer.from(new Float32Array(x).buffer);
      const framed = binaryRequest(
        { inputs: [{ name: 'x', shape: [1, 6], datatype: 'FP32', parameters: { binary_data_size: 24 } }] },
        [raw],
        { parameters: { binary_data_output: true } },
      );
      const binary = await t.request({
        method: 'POST',
        url: '/v2/models/linear/infer',
        headers: { ...auth, ...framed.headers, 'content-encoding': encoding },
        payload: encode(framed.body),
      });
      assert.equal(binary.statusCode, 200, binary.body);
      const { buffers } = readBinaryResponse(binary.rawPayload, binary.headers);
      assertClose(
        [...new Float32Array(new Uint8Array(buffers.y).buffer)],
        linearReference(x, linear.weights, linear.bias),
      );
    });
  }

  test('a zip bomb (small gzip, decoded past the limit) is a 413', async () => {
    const bomb = gzipSync(Buffer.alloc(LIMIT + 1024 * 1024, 0x20));
    assert.ok(bomb.length < 100_000);
    const res = await post(port, '/v2/models/linear/infer', { ...auth, 'content-encoding': 'gzip' }, bomb);
    assert.equal(res.status, 413, res.body.toString());
    assert.match(JSON.parse(res.body.toString()).error, /decompressed gzip body is over the \d+-byte limit/);
  });

  test('a corrupt gzip body is a 400, an unknown encoding a 415', async () => {
    const corrupt = await t.request({
      method: 'POST',
      url: '/v2/models/linear/infer',
      headers: { ...auth, 'content-encoding': 'gzip' },
      payload: Buffer.from('not gzip at all'),
    });
    assert.equal(corrupt.statusCode, 400, corrupt.body);
    assert.match(corrupt.json().error, /could not be decoded/);
    const br = await t.request({
      method: 'POST',
      url: '/v2/models/linear/infer',
      headers: { ...auth, 'content-encoding': 'br' },
      payload: Buffer.from(json),
    });
    assert.equal(br.statusCode, 415, br.body);
    assert.match(br.json().error, /Content-Encoding 'br' is not supported/);
  });

  test('a 20 MiB binary tensor goes through, and its large answer is gzipped when asked', async () => {
    const values = new Float32Array(WIDE);
    for (let i = 0; i < WIDE; i++) values[i] = (i % 1000) / 8;
    const raw = Buffer.from(values.buffer);
    const framed = binaryRequest(
      {
        inputs: [
          { name: 'x', shape: [1, WIDE], datatype: 'FP32', parameters: { binary_data_size: raw.length } },
        ],
      },
      [raw],
      { parameters: { binary_data_output: true } },
    );
    const res = await post(
      port,
      '/v2/models/wide/infer',
      { ...auth, ...framed.headers, 'accept-encoding': 'gzip' },
      framed.body,
    );
    assert.equal(res.status, 200, res.body.subarray(0, 200).toString());
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(res.body.length < raw.length / 4, `gzipped to ${res.body.length} bytes`);
    const { buffers } = readBinaryResponse(gunzipSync(res.body), res.headers);
    assert.ok(buffers.y.equals(raw), 'the identity answer is the tensor sent');
  });

  test('small answers are not compressed', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/v2/models/linear/infer',
      headers: { ...auth, 'content-type': 'application/json', 'accept-encoding': 'gzip, deflate' },
      payload: json,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], undefined);
  });

  test('a body over the /v2 limit is read, then answered 413 on a connection that stays usable', async () => {
    const big = Buffer.alloc(LIMIT + 1, 0x20);
    const res = await post(
      port,
      '/v2/models/linear/infer',
      { ...auth, 'content-type': 'application/json' },
      big,
    );
    assert.equal(res.status, 413);
    assert.match(JSON.parse(res.body.toString()).error, /over the \d+-byte limit of \/v2 infer requests/);
    assert.notEqual(res.headers.connection, 'close');
  });

  test('/v1 keeps the general body limit', async () => {
    assert.ok(t.config.bodyLimitBytes < LIMIT);
    const res = await t.request({
      method: 'POST',
      url: '/v1/models',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: Buffer.alloc(t.config.bodyLimitBytes + 10, 0x20),
    });
    assert.equal(res.statusCode, 413);
  });
});
