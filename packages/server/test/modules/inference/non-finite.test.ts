// NaN, +Inf and -Inf both ways for every float type, JSON and binary, as Triton writes and reads them: bare
// `NaN`, `Infinity`, `-Infinity` tokens in JSON (rapidjson's kWriteNanAndInfFlag / kParseNanAndInfFlag).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { identityModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { infer, uploadModel } from './testing.ts';
import { binaryRequest, readBinaryResponse } from './wire-testing.ts';

const FLOATS = ['FP16', 'FP32', 'FP64'] as const;
const VALUES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5];

/** Raw little-endian bytes of VALUES in each float type (FP16: NaN 0x7e00, ±Inf 0x7c00/0xfc00, 1.5 0x3e00). */
const raw = (datatype: (typeof FLOATS)[number]): Buffer => {
  if (datatype === 'FP16') return Buffer.from(new Uint16Array([0x7e00, 0x7c00, 0xfc00, 0x3e00]).buffer);
  const Array_ = datatype === 'FP32' ? Float32Array : Float64Array;
  return Buffer.from(new Array_(VALUES).buffer);
};

const decodeRaw = (datatype: (typeof FLOATS)[number], bytes: Buffer): number[] => {
  const b = new Uint8Array(bytes).buffer;
  if (datatype === 'FP16') {
    return [...new Uint16Array(b)].map((h) =>
      h === 0x7c00
        ? Infinity
        : h === 0xfc00
          ? -Infinity
          : (h & 0x7c00) === 0x7c00
            ? Number.NaN
            : h === 0x3e00
              ? 1.5
              : h,
    );
  }
  return [...(datatype === 'FP32' ? new Float32Array(b) : new Float64Array(b))];
};

describe('non-finite floats', () => {
  let t: TestApp;
  let auth: Record<string, string>;

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    auth = await t.tenant('acme');
    for (const d of FLOATS) await uploadModel(t, auth, `id-${d.toLowerCase()}`, identityModel(d, 4));
  });
  after(() => t.close());

  for (const datatype of FLOATS) {
    const model = `id-${datatype.toLowerCase()}`;

    test(`${datatype}: JSON tokens in, the same tokens out`, async () => {
      const body = `{"inputs":[{"name":"x","shape":[1,4],"datatype":"${datatype}","data":[NaN,Infinity,-Infinity,1.5]}]}`;
      const res = await t.request({
        method: 'POST',
        url: `/v2/models/${model}/infer`,
        headers: { ...auth, 'content-type': 'application/json' },
        payload: body,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /"data":\[NaN,Infinity,-Infinity,1\.5\]/);
    });

    test(`${datatype}: Inf/-Inf spellings and strings are read too`, async () => {
      const body = `{"inputs":[{"name":"x","shape":[1,4],"datatype":"${datatype}","data":[-NaN,Inf,-Inf,"inf"]}]}`;
      const res = await t.request({
        method: 'POST',
        url: `/v2/models/${model}/infer`,
        headers: { ...auth, 'content-type': 'application/json' },
        payload: body,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /"data":\[NaN,Infinity,-Infinity,Infinity\]/);
      const strings = await infer(t, auth, model, {
        inputs: [{ name: 'x', shape: [1, 4], datatype, data: ['NaN', 'Infinity', '-Infinity', 'nan'] }],
      });
      assert.equal(strings.statusCode, 200, strings.body);
      assert.match(strings.body, /"data":\[NaN,Infinity,-Infinity,NaN\]/);
    });

    test(`${datatype}: binary in, binary out, bit for bit`, async () => {
      const bytes = raw(datatype);
      const { body, headers } = binaryRequest(
        { inputs: [{ name: 'x', shape: [1, 4], datatype, parameters: { binary_data_size: bytes.length } }] },
        [bytes],
        { parameters: { binary_data_output: true } },
      );
      const res = await t.request({
        method: 'POST',
        url: `/v2/models/${model}/infer`,
        headers: { ...auth, ...headers },
        payload: body,
      });
      assert.equal(res.statusCode, 200, res.body);
      const { buffers } = readBinaryResponse(res.rawPayload, res.headers);
      assert.deepEqual(decodeRaw(datatype, buffers.y), VALUES);
    });

    test(`${datatype}: binary in, JSON out`, async () => {
      const bytes = raw(datatype);
      const { body, headers } = binaryRequest(
        { inputs: [{ name: 'x', shape: [1, 4], datatype, parameters: { binary_data_size: bytes.length } }] },
        [bytes],
      );
      const res = await t.request({
        method: 'POST',
        url: `/v2/models/${model}/infer`,
        headers: { ...auth, ...headers },
        payload: body,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /"data":\[NaN,Infinity,-Infinity,1\.5\]/);
    });
  }

  test('a finite literal that overflows (1e400, FP32 beyond 3.4e38) is still refused, not made infinite', async () => {
    for (const [datatype, literal] of [
      ['FP64', '1e400'],
      ['FP32', '3.5e38'],
      ['FP16', '70000'],
    ]) {
      const res = await t.request({
        method: 'POST',
        url: `/v2/models/id-${datatype.toLowerCase()}/infer`,
        headers: { ...auth, 'content-type': 'application/json' },
        payload: `{"inputs":[{"name":"x","shape":[1,4],"datatype":"${datatype}","data":[1,2,3,${literal}]}]}`,
      });
      assert.equal(res.statusCode, 400, `${datatype} ${literal}: ${res.body}`);
      assert.match(res.json().error, /element 3 is out of range/);
    }
  });

  test('other strings are refused with the datatype named', async () => {
    const res = await infer(t, auth, 'id-fp32', {
      inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 'infinite'] }],
    });
    assert.equal(res.statusCode, 400);
    assert.match(
      res.json().error,
      /element 3 is "infinite"; FP32 needs a number, or NaN, Infinity or -Infinity/,
    );
  });
});
