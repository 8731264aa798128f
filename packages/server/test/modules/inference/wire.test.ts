// The /v2 infer wire format: bodies without Content-Type, Triton's binary tensor data extension for every
// datatype, exact 64-bit integers, BYTES and float ranges refused rather than altered, unknown fields refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DATATYPES } from '../../../src/modules/engine/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { type ElemName, identityModel, linearModel, linearReference } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, infer, uploadModel } from './testing.ts';
import { binaryRequest, bytesElements, readBinaryResponse } from './wire-testing.ts';

const six = [0.5, 1, -1, 2, 0, 3];

describe('the /v2 infer wire format', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  const linear = linearModel({ inFeatures: 6, outFeatures: 2, seed: 3 });
  const TYPES = DATATYPES as readonly ElemName[];

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
    await uploadModel(t, acme, 'linear', linear.bytes);
    for (const d of TYPES) await uploadModel(t, acme, `id-${d.toLowerCase()}`, identityModel(d, 2));
  });
  after(() => t.close());

  const post = (model: string, payload: Buffer | string, headers: Record<string, string> = {}) =>
    t.request({
      method: 'POST',
      url: `/v2/models/${model}/infer`,
      headers: { ...acme, ...headers },
      payload,
    });

  const expect400 = async (res: Promise<{ statusCode: number; body: string }>, message: RegExp) => {
    const r = await res;
    assert.equal(r.statusCode, 400, r.body);
    const body = JSON.parse(r.body);
    assert.deepEqual(Object.keys(body), ['error']);
    assert.match(body.error, message);
  };

  test('infer takes a JSON body with no Content-Type or as application/octet-stream; /v1 still answers 415', async () => {
    const json = JSON.stringify({
      id: 'a',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], data: six }],
    });
    for (const headers of [{}, { 'content-type': 'application/octet-stream' }] as Record<string, string>[]) {
      const res = await post('linear', json, headers);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().id, 'a');
      assertClose(res.json().outputs[0].data, linearReference(six, linear.weights, linear.bias));
    }
    const text = await post('linear', json, { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415, text.body);
    assert.match(text.json().error, /Content-Type 'text\/plain' is not supported/);
    const v1 = await t.request({ method: 'POST', url: '/v1/models', headers: acme, payload: '{"name":"m"}' });
    assert.equal(v1.statusCode, 415, v1.body);
    const v1Text = await t.request({
      method: 'POST',
      url: '/v1/models',
      headers: { ...acme, 'content-type': 'text/plain' },
      payload: '{"name":"m"}',
    });
    assert.equal(v1Text.statusCode, 415, v1Text.body);
  });

  test('server metadata lists the binary_tensor_data extension', async () => {
    const res = await t.request({ method: 'GET', url: '/v2', headers: acme });
    assert.ok(res.json().extensions.includes('binary_tensor_data'), res.body);
  });

  test('binary tensor data round-trips every datatype, FP16 and BYTES included, and echoes the id', async () => {
    const samples: Record<string, Buffer> = {
      BOOL: Buffer.from([1, 0, 0, 1]),
      INT8: Buffer.from(new Int8Array([-128, 127, 0, -1]).buffer),
      INT16: Buffer.from(new Int16Array([-32768, 32767, 5, -5]).buffer),
      INT32: Buffer.from(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 7, -7]).buffer),
      INT64: Buffer.from(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n, -1n]).buffer),
      UINT8: Buffer.from([0, 255, 1, 2]),
      UINT16: Buffer.from(new Uint16Array([0, 65535, 1, 2]).buffer),
      UINT32: Buffer.from(new Uint32Array([0, 2 ** 32 - 1, 1, 2]).buffer),
      UINT64: Buffer.from(new BigUint64Array([0n, 2n ** 64n - 1n, 18446744073709551557n, 2n]).buffer),
      // 1, -2, 65504 (the largest half), 2^-24 (the smallest subnormal)
      FP16: Buffer.from(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]).buffer),
      FP32: Buffer.from(new Float32Array([0.1, -3.5, 3.4028234663852886e38, 1e-45]).buffer),
      FP64: Buffer.from(new Float64Array([0.1, -3.5, 1.7976931348623157e308, 5e-324]).buffer),
      BYTES: bytesElements(['a', 'bé', '', 'z z']),
    };
    for (const d of TYPES) {
      const raw = samples[d];
      const { body, headers } = binaryRequest(
        {
          id: `req-${d}`,
          inputs: [{ name: 'x', shape: [2, 2], datatype: d, parameters: { binary_data_size: raw.length } }],
        },
        [raw],
        { outputs: [{ name: 'y', parameters: { binary_data: true } }] },
      );
      const res = await post(`id-${d.toLowerCase()}`, body, headers);
      assert.equal(res.statusCode, 200, `${d}: ${res.body}`);
      assert.equal(res.headers['content-type'], 'application/octet-stream');
      const { header, buffers } = readBinaryResponse(res.rawPayload, res.headers);
      assert.equal(header.id, `req-${d}`);
      assert.deepEqual(header.outputs[0], {
        name: 'y',
        datatype: d,
        shape: [2, 2],
        parameters: { binary_data_size: raw.length },
      });
      assert.deepEqual(buffers.y, raw, d);
    }
  });

  test('FP16 over JSON: numbers in, numbers out, rounded to the nearest half', async () => {
    const res = await infer(t, acme, 'id-fp16', {
      inputs: [{ name: 'x', datatype: 'FP16', shape: [2, 2], data: [1, -2, 65504, 0.1] }],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().outputs[0].data, [1, -2, 65504, 0.0999755859375]);
  });

  test('outputs come back binary per output (binary_data) or for all (binary_data_output), JSON otherwise', async () => {
    const x = Buffer.from(new Float32Array(six).buffer);
    const input = { name: 'x', shape: [1, 6], datatype: 'FP32', parameters: { binary_data_size: 24 } };
    const expected = linearReference(six, linear.weights, linear.bias);
    // Request-level binary_data_output, as tritonclient sends when no outputs are named.
    const all = binaryRequest({ inputs: [input], parameters: { binary_data_output: true } }, [x]);
    const res = await post('linear', all.body, all.headers);
    assert.equal(res.statusCode, 200, res.body);
    const decoded = readBinaryResponse(res.rawPayload, res.headers);
    assertClose([...new Float32Array(new Uint8Array(decoded.buffers.y).buffer)], expected);
    // binary_data: false wins over the request-level default: a JSON answer.
    const off = binaryRequest(
      {
        inputs: [input],
        parameters: { binary_data_output: true },
        outputs: [{ name: 'y', parameters: { binary_data: false } }],
      },
      [x],
    );
    const json = await post('linear', off.body, off.headers);
    assert.equal(json.statusCode, 200, json.body);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    assert.equal(json.headers['inference-header-content-length'], undefined);
    assertClose(json.json().outputs[0].data, expected);
  });

  test('binary framing is checked strictly, each problem a clear 400', async () => {
    const x = Buffer.from(new Float32Array(six).buffer);
    const input = (size: unknown, extra: object = {}) => ({
      name: 'x',
      shape: [1, 6],
      datatype: 'FP32',
      parameters: { binary_data_size: size },
      ...extra,
    });
    const frame = (header: object, raw: Buffer, length?: string) => {
      const h = Buffer.from(JSON.stringify(header));
      return post('linear', Buffer.concat([h, raw]), {
        'inference-header-content-length': length ?? String(h.length),
      });
    };
    await expect400(
      frame({ inputs: [input(24)] }, x.subarray(0, 20)),
      /binary data ends .*'x' needs 24 bytes.* 20/,
    );
    await expect400(
      frame({ inputs: [input(24)] }, Buffer.concat([x, Buffer.alloc(3)])),
      /3 bytes of binary data follow/,
    );
    await expect400(
      frame({ inputs: [input(20)] }, x.subarray(0, 20)),
      /'x' has 20 bytes; FP32 shape \[1, 6\] needs 24/,
    );
    await expect400(frame({ inputs: [input(-1)] }, x), /binary_data_size must be a non-negative integer/);
    await expect400(frame({ inputs: [input(24, { data: six })] }, x), /both data and binary_data_size/);
    await expect400(
      frame({ inputs: [input(24)] }, x, '99999'),
      /Inference-Header-Content-Length is 99999 .* body has \d+ bytes/,
    );
    await expect400(frame({ inputs: [input(24)] }, x, 'ten'), /Inference-Header-Content-Length must be/);
    await expect400(frame({ inputs: [input(24)] }, x, '10'), /not valid JSON/);
    // binary_data_size without the header: nothing to read it from.
    await expect400(
      post('linear', JSON.stringify({ inputs: [input(24)] })),
      /binary_data_size .*Inference-Header-Content-Length/,
    );
    await expect400(
      post('linear', JSON.stringify({ inputs: [{ name: 'x', shape: [1, 6], datatype: 'FP32' }] })),
      /input 'x' has no data/,
    );
    // BYTES: a length prefix running past the tensor's bytes, a wrong element count, invalid UTF-8, NUL.
    const bytesFrame = (raw: Buffer) =>
      binaryRequest(
        {
          inputs: [
            { name: 'x', shape: [1, 2], datatype: 'BYTES', parameters: { binary_data_size: raw.length } },
          ],
        },
        [raw],
      );
    const cut = bytesElements(['abc', 'de']).subarray(0, 12);
    for (const [raw, message] of [
      [cut, /element 1 .*runs past/],
      [bytesElements(['a']), /has 1 elements; shape \[1, 2\] needs 2/],
      [bytesElements(['a', 'b', 'c']), /has 3 elements; shape \[1, 2\] needs 2/],
      [
        Buffer.concat([bytesElements(['a']), Buffer.from([2, 0, 0, 0, 0xc3, 0x28])]),
        /element 1 is not valid UTF-8/,
      ],
      [bytesElements(['a', 'b\u0000c']), /element 1 contains a NUL/],
    ] as const) {
      const r = bytesFrame(raw);
      await expect400(post('id-bytes', r.body, r.headers), message);
    }
    // Zero bytes are a valid binary tensor even when nothing follows the header: framing passes, and the
    // signature check (not the engine: zero-row batches are another fix) answers.
    const empty = binaryRequest(
      { inputs: [{ name: 'x', shape: [1, 0], datatype: 'BYTES', parameters: { binary_data_size: 0 } }] },
      [],
    );
    await expect400(
      post('id-bytes', empty.body, empty.headers),
      /input 'x' has shape \[1, 0\]; the model expects/,
    );
    const bools = binaryRequest(
      { inputs: [{ name: 'x', shape: [1, 2], datatype: 'BOOL', parameters: { binary_data_size: 2 } }] },
      [Buffer.from([1, 7])],
    );
    await expect400(post('id-bool', bools.body, bools.headers), /element 1 is 7; BOOL needs 0 or 1/);
  });

  test('INT64 and UINT64 beyond 2^53 round-trip exactly in JSON; errors quote the exact value', async () => {
    const body =
      '{"inputs":[{"name":"x","datatype":"INT64","shape":[2,2],"data":[[9007199254740993,-9223372036854775808],[9223372036854775807,-7]]}]}';
    const res = await post('id-int64', body, { 'content-type': 'application/json' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /"data":\[9007199254740993,-9223372036854775808,9223372036854775807,-7\]/);
    const u = await post(
      'id-uint64',
      '{"inputs":[{"name":"x","datatype":"UINT64","shape":[1,2],"data":[18446744073709551615,1]}]}',
    );
    assert.equal(u.statusCode, 200, u.body);
    assert.match(u.body, /"data":\[18446744073709551615,1\]/);
    await expect400(
      post(
        'id-int64',
        '{"inputs":[{"name":"x","datatype":"INT64","shape":[1,2],"data":[9223372036854775808,1]}]}',
      ),
      /element 0 is 9223372036854775808; INT64 needs an integer in/,
    );
    await expect400(
      post(
        'id-int32',
        '{"inputs":[{"name":"x","datatype":"INT32","shape":[1,2],"data":[1,9007199254740993]}]}',
      ),
      /element 1 is 9007199254740993; INT32/,
    );
  });

  test('BYTES with NUL or lone surrogates, and floats out of range, are refused, not altered', async () => {
    const bytes = (data: string[]) =>
      infer(t, acme, 'id-bytes', { inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 2], data }] });
    await expect400(bytes(['ok', 'a\u0000b']), /element 1 contains a NUL/);
    await expect400(bytes(['x\ud800y', 'ok']), /element 0 is not valid Unicode/);
    // Raw JSON text: 1e400 is Infinity to JSON.parse, and stored it would come back as null.
    for (const [datatype, data, bad] of [
      ['FP32', '[1e400,1]', 0],
      ['FP32', '[1,1e39]', 1],
      ['FP64', '[-1e400,1]', 0],
      ['FP16', '[65520,1]', 0],
    ] as const) {
      const body = `{"inputs":[{"name":"x","datatype":"${datatype}","shape":[1,2],"data":${data}}]}`;
      await expect400(
        post(`id-${datatype.toLowerCase()}`, body),
        new RegExp(`element ${bad} is out of range for ${datatype}`),
      );
    }
  });

  test("infer ignores Idempotency-Key: it is a read, and a key must not replay another tensor's answer", async () => {
    const key = { 'idempotency-key': 'same-key' };
    const frame = (values: number[]) =>
      binaryRequest(
        { inputs: [{ name: 'x', shape: [1, 6], datatype: 'FP32', parameters: { binary_data_size: 24 } }] },
        [Buffer.from(new Float32Array(values).buffer)],
      );
    const a = frame(six);
    const b = frame(six.map((v) => v * 2));
    const first = await post('linear', a.body, { ...a.headers, ...key });
    const second = await post('linear', b.body, { ...b.headers, ...key });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(second.statusCode, 200, second.body);
    assertClose(
      second.json().outputs[0].data,
      linearReference(
        six.map((v) => v * 2),
        linear.weights,
        linear.bias,
      ),
    );
    const big = '{"inputs":[{"name":"x","datatype":"INT64","shape":[1,2],"data":[9007199254740993,1]}]}';
    const res = await post('id-int64', big, { 'content-type': 'application/json', ...key });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('unknown fields are refused by name; OIP optional fields are accepted', async () => {
    const ok = {
      id: 'z',
      parameters: { custom: 1 },
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], parameters: { any: true }, data: six }],
      outputs: [{ name: 'y', parameters: { binary_data: false } }],
    };
    assert.equal((await infer(t, acme, 'linear', ok)).statusCode, 200);
    await expect400(infer(t, acme, 'linear', { ...ok, inptus: [] }), /\/inptus is not a known field/);
    await expect400(
      infer(t, acme, 'linear', { ...ok, inputs: [{ ...ok.inputs[0], dtype: 'FP32' }] }),
      /\/inputs\/0\/dtype is not a known field/,
    );
    await expect400(
      infer(t, acme, 'linear', { ...ok, outputs: [{ name: 'y', binary_data: true }] }),
      /\/outputs\/0\/binary_data is not a known field/,
    );
  });
});
