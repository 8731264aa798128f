// The OIP gRPC service over a real socket with @grpc/grpc-js's client and Triton's .proto files: health,
// metadata, readiness, ModelInfer with typed contents and raw_input_contents, streaming, keys and tenancy,
// errors as gRPC statuses, and the same metrics as REST.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadInferenceProto } from '../../../src/modules/inference/grpc/server.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { identityModel, linearModel, linearReference } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertClose, metric, uploadModel } from './testing.ts';

// biome-ignore lint/suspicious/noExplicitAny: proto-loader's decoded messages carry no static types
type Msg = any;

type Call = (
  request: object,
  metadata: grpc.Metadata,
  callback: (e: grpc.ServiceError | null, r: Msg) => void,
) => void;
type Client = grpc.Client &
  Record<string, Call> & { ModelStreamInfer(metadata: grpc.Metadata): grpc.ClientDuplexStream<object, Msg> };

const clientFor = (port: number): Client => {
  const root = loadInferenceProto() as Msg;
  return new root.inference.GRPCInferenceService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
};

describe('OIP over gRPC', () => {
  let t: TestApp;
  let client: Client;
  let key: grpc.Metadata;
  let other: grpc.Metadata;
  const linear = linearModel({ inFeatures: 6, outFeatures: 2, seed: 5 });
  const x = [0.5, 1, -1, 2, 0, 3];
  const expected = linearReference(x, linear.weights, linear.bias);

  const call = (method: string, request: object, metadata = key): Promise<Msg> =>
    new Promise((resolve, reject) =>
      client[method](request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
    );
  const refused = async (
    method: string,
    request: object,
    code: grpc.status,
    pattern: RegExp,
    metadata = key,
  ) => {
    await assert.rejects(call(method, request, metadata), (error: grpc.ServiceError) => {
      assert.equal(error.code, code, `${grpc.status[error.code]}: ${error.details}`);
      assert.match(error.details, pattern);
      return true;
    });
  };
  const metadataOf = (headers: Record<string, string>) => {
    const m = new grpc.Metadata();
    m.set('authorization', headers.authorization);
    return m;
  };

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1, grpcPort: 0, host: '127.0.0.1' });
    const auth = await t.tenant('acme');
    key = metadataOf(auth);
    other = metadataOf(await t.tenant('globex'));
    await uploadModel(t, auth, 'linear', linear.bytes);
    await uploadModel(t, auth, 'id64', identityModel('INT64', 2));
    await uploadModel(t, auth, 'idbytes', identityModel('BYTES', 2));
    await uploadModel(t, auth, 'idfp16', identityModel('FP16', 2));
    assert.ok(t.grpcPort && t.grpcPort > 0);
    client = clientFor(t.grpcPort);
  });
  after(async () => {
    client?.close();
    await t.close();
  });

  test('ServerLive and ServerReady need no key; ServerMetadata does', async () => {
    assert.deepEqual(await call('ServerLive', {}, new grpc.Metadata()), { live: true });
    assert.deepEqual(await call('ServerReady', {}, new grpc.Metadata()), { ready: true });
    const meta = await call('ServerMetadata', {});
    assert.equal(meta.name, 'quiver');
    assert.ok(meta.extensions.includes('binary_tensor_data'));
    await refused('ServerMetadata', {}, grpc.status.UNAUTHENTICATED, /Bearer/, new grpc.Metadata());
  });

  test('ModelMetadata and ModelReady (asking loads the version)', async () => {
    const meta = await call('ModelMetadata', { name: 'linear', version: '' });
    assert.equal(meta.name, 'linear');
    assert.deepEqual(meta.versions, ['1']);
    assert.equal(meta.platform, 'onnxruntime_onnx');
    assert.deepEqual(meta.inputs, [{ name: 'x', datatype: 'FP32', shape: ['-1', '6'] }]);
    assert.deepEqual(await call('ModelReady', { name: 'linear', version: '1' }), { ready: true });
  });

  test('ModelInfer with typed contents answers raw_output_contents', async () => {
    const res = await call('ModelInfer', {
      model_name: 'linear',
      id: 'r1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], contents: { fp32_contents: x } }],
    });
    assert.equal(res.model_name, 'linear');
    assert.equal(res.model_version, '1');
    assert.equal(res.id, 'r1');
    assert.equal(res.outputs[0].name, 'y');
    assert.equal(res.outputs[0].datatype, 'FP32');
    assert.deepEqual(res.outputs[0].shape, ['1', '2']);
    const y = res.raw_output_contents[0] as Buffer;
    assertClose([...new Float32Array(new Uint8Array(y).buffer)], expected);
  });

  test('ModelInfer with raw_input_contents: FP32, INT64 beyond 2^53, FP16 and BYTES', async () => {
    const res = await call('ModelInfer', {
      model_name: 'linear',
      model_version: '1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6] }],
      raw_input_contents: [Buffer.from(new Float32Array(x).buffer)],
    });
    assertClose([...new Float32Array(new Uint8Array(res.raw_output_contents[0]).buffer)], expected);

    const big = new BigInt64Array([2n ** 62n + 1n, -(2n ** 60n) - 3n]);
    const ints = await call('ModelInfer', {
      model_name: 'id64',
      inputs: [{ name: 'x', datatype: 'INT64', shape: [1, 2] }],
      raw_input_contents: [Buffer.from(big.buffer)],
    });
    assert.deepEqual([...new BigInt64Array(new Uint8Array(ints.raw_output_contents[0]).buffer)], [...big]);

    const typed = await call('ModelInfer', {
      model_name: 'id64',
      inputs: [
        {
          name: 'x',
          datatype: 'INT64',
          shape: [1, 2],
          contents: { int64_contents: ['4611686018427387905', '-7'] },
        },
      ],
    });
    assert.deepEqual(
      [...new BigInt64Array(new Uint8Array(typed.raw_output_contents[0]).buffer)],
      [2n ** 62n + 1n, -7n],
    );

    const halves = Buffer.from(new Uint16Array([0x3c00, 0x7c00]).buffer); // 1, +Inf
    const fp16 = await call('ModelInfer', {
      model_name: 'idfp16',
      inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 2] }],
      raw_input_contents: [halves],
    });
    assert.ok(Buffer.from(fp16.raw_output_contents[0]).equals(halves));

    const strings = await call('ModelInfer', {
      model_name: 'idbytes',
      inputs: [
        {
          name: 'x',
          datatype: 'BYTES',
          shape: [1, 2],
          contents: { bytes_contents: [Buffer.from('café'), Buffer.from('')] },
        },
      ],
    });
    const out = Buffer.from(strings.raw_output_contents[0]);
    assert.equal(out.readUInt32LE(0), 5);
    assert.equal(out.toString('utf8', 4, 9), 'café');
    assert.equal(out.readUInt32LE(9), 0);
  });

  test('non-finite floats in fp32_contents go through', async () => {
    const res = await call('ModelInfer', {
      model_name: 'linear',
      inputs: [
        {
          name: 'x',
          datatype: 'FP32',
          shape: [1, 6],
          contents: { fp32_contents: [Number.NaN, 0, 0, 0, 0, 0] },
        },
      ],
    });
    const y = new Float32Array(new Uint8Array(res.raw_output_contents[0]).buffer);
    assert.ok(Number.isNaN(y[0]));
  });

  test('errors are gRPC statuses with the REST messages', async () => {
    await refused(
      'ModelInfer',
      {
        model_name: 'linear',
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 5], contents: { fp32_contents: [1, 2, 3, 4, 5] } },
        ],
      },
      grpc.status.INVALID_ARGUMENT,
      /input 'x' has shape \[1, 5\]; the model expects \[-1, 6\]/,
    );
    await refused(
      'ModelInfer',
      {
        model_name: 'linear',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6] }],
        raw_input_contents: [Buffer.alloc(20)],
      },
      grpc.status.INVALID_ARGUMENT,
      /input 'x' has 20 bytes; FP32 shape \[1, 6\] needs 24/,
    );
    await refused(
      'ModelInfer',
      {
        model_name: 'linear',
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 6] },
          { name: 'z', datatype: 'FP32', shape: [1] },
        ],
        raw_input_contents: [Buffer.alloc(24)],
      },
      grpc.status.INVALID_ARGUMENT,
      /raw_input_contents has 1 entries for 2 inputs/,
    );
    await refused('ModelMetadata', { name: 'nope', version: '' }, grpc.status.NOT_FOUND, /nope/);
  });

  test("another tenant's key does not see the model; a bad key is UNAUTHENTICATED", async () => {
    await refused('ModelMetadata', { name: 'linear', version: '' }, grpc.status.NOT_FOUND, /linear/, other);
    await refused(
      'ModelInfer',
      {
        model_name: 'linear',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], contents: { fp32_contents: x } }],
      },
      grpc.status.NOT_FOUND,
      /linear/,
      other,
    );
    const bad = new grpc.Metadata();
    bad.set('authorization', 'Bearer qk_nope');
    await refused('ModelMetadata', { name: 'linear', version: '' }, grpc.status.UNAUTHENTICATED, /./, bad);
  });

  test('ModelStreamInfer answers each request, errors as messages', async () => {
    const stream = client.ModelStreamInfer(key);
    const answers: Msg[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (a) => answers.push(a));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    for (let i = 0; i < 3; i++)
      stream.write({
        model_name: 'linear',
        id: `s${i}`,
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], contents: { fp32_contents: x } }],
      });
    stream.write({ model_name: 'nope', inputs: [] });
    stream.end();
    await done;
    assert.equal(answers.length, 4);
    const ok = answers.filter((a) => a.error_message === '');
    assert.deepEqual(ok.map((a) => a.infer_response.id).sort(), ['s0', 's1', 's2']);
    assert.match(answers.find((a) => a.error_message !== '').error_message, /nope/);
  });

  test('gRPC calls count in the same inference metrics as REST', async () => {
    const before = await metric(t, 'quiver_inference_requests_total', { tenant: 'acme', model: 'linear' });
    await call('ModelInfer', {
      model_name: 'linear',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], contents: { fp32_contents: x } }],
    });
    const afterCount = await metric(t, 'quiver_inference_requests_total', {
      tenant: 'acme',
      model: 'linear',
    });
    assert.equal(afterCount, before + 1);
  });

  test('the extensions over gRPC: ModelConfig, ModelStatistics, RepositoryIndex, load and unload', async () => {
    const { config } = await call('ModelConfig', { name: 'linear', version: '' });
    assert.equal(config.name, 'linear');
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.equal(config.input[0].data_type, 'TYPE_FP32');
    assert.deepEqual(config.input[0].dims, ['6']);

    const { model_stats } = await call('ModelStatistics', { name: 'linear', version: '1' });
    assert.equal(model_stats.length, 1);
    assert.ok(Number(model_stats[0].inference_count) >= 1);
    assert.ok(Number(model_stats[0].inference_stats.success.count) >= 1);

    const index = async () => (await call('RepositoryIndex', { ready: true })).models;
    assert.ok((await index()).some((m: Msg) => m.name === 'linear' && m.state === 'READY'));
    await call('RepositoryModelUnload', { model_name: 'linear' });
    assert.ok(!(await index()).some((m: Msg) => m.name === 'linear'));
    await call('RepositoryModelLoad', { model_name: 'linear' });
    assert.ok((await index()).some((m: Msg) => m.name === 'linear' && m.state === 'READY'));
    await refused('RepositoryModelLoad', { model_name: 'linear' }, grpc.status.NOT_FOUND, /linear/, other);
  });
});
