// Triton's Python HTTP client (tritonclient.http) reproduced byte for byte against a live server on a port:
// no Content-Type, the JSON header exactly as the client writes it (rapidjson, compact, its key order), raw
// tensors after it with Inference-Header-Content-Length, and the answer decoded as its InferResult does.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { identityModel, linearModel, linearReference } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, uploadModel } from './testing.ts';
import { bytesElements, post, readBinaryResponse } from './wire-testing.ts';

describe("Triton's Python HTTP client, byte for byte, against a live server", () => {
  let t: TestApp;
  let port: number;
  let auth: Record<string, string>;
  const linear = linearModel({ inFeatures: 6, outFeatures: 2, seed: 11 });
  const x = [0.5, 1, -1, 2, 0, 3];

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    auth = await t.tenant('acme');
    await uploadModel(t, auth, 'linear', linear.bytes);
    await uploadModel(t, auth, 'strings', identityModel('BYTES', 2));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t.close());

  // What client.infer(model, inputs, outputs=..., request_id=..., headers={'Authorization': …}) sends.
  const tritonInfer = (model: string, header: string, raws: Buffer[]) => {
    const json = Buffer.from(header);
    const headers: Record<string, string> = { ...auth, 'user-agent': 'python/gevent-http-client-2.0.11' };
    if (raws.length > 0) headers['inference-header-content-length'] = String(json.length);
    return post(port, `/v2/models/${model}/infer`, headers, Buffer.concat([json, ...raws]));
  };

  test('FP32 set_data_from_numpy (binary) with InferRequestedOutput(binary_data=True) and a request id', async () => {
    const raw = Buffer.from(new Float32Array(x).buffer);
    const header =
      '{"id":"7","inputs":[{"name":"x","shape":[1,6],"datatype":"FP32","parameters":{"binary_data_size":24}}],' +
      '"outputs":[{"name":"y","parameters":{"binary_data":true}}]}';
    const res = await tritonInfer('linear', header, [raw]);
    assert.equal(res.status, 200, res.body.toString());
    const { header: answer, buffers } = readBinaryResponse(res.body, res.headers);
    assert.equal(answer.id, '7');
    assert.equal(answer.model_name, 'linear');
    assert.deepEqual(answer.outputs, [
      { name: 'y', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
    ]);
    // np.frombuffer(buffer[start:end], dtype=np.float32)
    const y = new Float32Array(new Uint8Array(buffers.y).buffer);
    assertClose([...y], linearReference(x, linear.weights, linear.bias));
  });

  test('no outputs named: the client asks binary_data_output; BYTES go as length-prefixed elements', async () => {
    // serialize_byte_tensor(np.array([[b"caf\xc3\xa9", b"a b"]], dtype=object))
    const raw = bytesElements(['café', 'a b']);
    const header = `{"inputs":[{"name":"x","shape":[1,2],"datatype":"BYTES","parameters":{"binary_data_size":${raw.length}}}],"parameters":{"binary_data_output":true}}`;
    const res = await tritonInfer('strings', header, [raw]);
    assert.equal(res.status, 200, res.body.toString());
    const { header: answer, buffers } = readBinaryResponse(res.body, res.headers);
    assert.equal(answer.id, undefined);
    assert.deepEqual(answer.outputs[0].parameters, { binary_data_size: raw.length });
    assert.deepEqual(buffers.y, raw);
  });

  test('set_data_from_numpy(binary_data=False) and binary_data=False outputs: pure JSON, still no Content-Type', async () => {
    const header =
      '{"inputs":[{"name":"x","shape":[1,6],"datatype":"FP32","data":[0.5,1.0,-1.0,2.0,0.0,3.0]}],' +
      '"outputs":[{"name":"y","parameters":{"binary_data":false}}]}';
    const res = await tritonInfer('linear', header, []);
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers['inference-header-content-length'], undefined);
    const answer = JSON.parse(res.body.toString());
    assertClose(answer.outputs[0].data, linearReference(x, linear.weights, linear.bias));
  });

  test('errors reach the client as {"error"} it can read (its _get_error)', async () => {
    const raw = Buffer.from(new Float32Array(x.slice(0, 5)).buffer);
    const header =
      '{"inputs":[{"name":"x","shape":[1,5],"datatype":"FP32","parameters":{"binary_data_size":20}}],' +
      '"parameters":{"binary_data_output":true}}';
    const res = await tritonInfer('linear', header, [raw]);
    assert.equal(res.status, 400);
    assert.match(
      JSON.parse(res.body.toString()).error,
      /input 'x' has shape \[1, 5\]; the model expects \[-1, 6\]/,
    );
  });
});
