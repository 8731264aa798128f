// Each test model runs in onnxruntime-node and matches values computed in plain JS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  corruptArtifact,
  deepModel,
  embeddingPoolModel,
  embeddingPoolReference,
  fixedBatchModel,
  identityModel,
  linearModel,
  linearReference,
  mixedTypesModel,
  mlpModel,
  mlpReference,
  randomFloats,
  twoInputModel,
} from './index.ts';

const open = (bytes: Uint8Array) =>
  ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });

const assertClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= tol * Math.max(1, Math.abs(expected[i])), `at ${i}: ${actual[i]} vs ${expected[i]}`);
  }
};

describe('test ONNX models', () => {
  it('linear: y = x·W + b, with given and with random weights', async () => {
    const given = linearModel({
      inFeatures: 2,
      outFeatures: 2,
      weights: new Float32Array([1, 2, 3, 4]),
      bias: new Float32Array([10, 20]),
    });
    const s = await open(given.bytes);
    const out = await s.run({ x: new ort.Tensor('float32', new Float32Array([1, 1, 0, 2]), [2, 2]) });
    assert.deepEqual(Array.from(out.y.data as Float32Array), [14, 26, 16, 28]);
    assert.deepEqual(out.y.dims, [2, 2]);

    const m = linearModel({ inFeatures: 8, outFeatures: 3, seed: 5 });
    const x = randomFloats(4 * 8, 99);
    const r = await (await open(m.bytes)).run({ x: new ort.Tensor('float32', x, [4, 8]) });
    assertClose(r.y.data as Float32Array, linearReference(x, m.weights, m.bias));
  });

  it('reports dynamic dims and datatypes in its metadata', async () => {
    const s = await open(linearModel({ inFeatures: 8, outFeatures: 3 }).bytes);
    assert.deepEqual(s.inputMetadata[0], { name: 'x', isTensor: true, type: 'float32', shape: ['batch', 8] });
  });

  it('mlp: ReLU between layers, deterministic for a seed', async () => {
    const a = mlpModel([16, 32, 8, 4], 2);
    const b = mlpModel([16, 32, 8, 4], 2);
    assert.ok(a.bytes.equals(b.bytes));
    const x = randomFloats(3 * 16, 7);
    const r = await (await open(a.bytes)).run({ x: new ort.Tensor('float32', x, [3, 16]) });
    assertClose(r.y.data as Float32Array, mlpReference(x, a.layers));
  });

  it('mlp: the large benchmark model builds and runs', async () => {
    const m = mlpModel([1024, 4096, 4096, 256], 1);
    assert.ok(m.bytes.length > 4 * (1024 * 4096 + 4096 * 4096 + 4096 * 256));
    const x = randomFloats(1024, 3);
    const r = await (await open(m.bytes)).run({ x: new ort.Tensor('float32', x, [1, 1024]) });
    assertClose(r.y.data as Float32Array, mlpReference(x, m.layers), 1e-3);
  });

  it('embedding pool: masked mean over tokens, any sequence length', async () => {
    const m = embeddingPoolModel({ vocab: 50, dim: 6, seed: 4 });
    const s = await open(m.bytes);
    const ids = [3n, 7n, 49n, 0n, 12n, 12n, 1n, 0n];
    const mask = [1n, 1n, 1n, 0n, 1n, 1n, 0n, 0n];
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [2, 4]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask), [2, 4]),
    };
    const r = await s.run(feeds);
    assert.deepEqual(r.embeddings.dims, [2, 6]);
    assertClose(r.embeddings.data as Float32Array, embeddingPoolReference(ids, mask, 4, m.table, 6));
    const one = await s.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from([5n]), [1, 1]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n]), [1, 1]),
    });
    assertClose(one.embeddings.data as Float32Array, m.table.subarray(30, 36));
  });

  it('two inputs: sum and product', async () => {
    const s = await open(twoInputModel());
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([5, 6, 7, 8]);
    const r = await s.run({
      a: new ort.Tensor('float32', a, [1, 4]),
      b: new ort.Tensor('float32', b, [1, 4]),
    });
    assert.deepEqual(Array.from(r.sum.data as Float32Array), [6, 8, 10, 12]);
    assert.deepEqual(Array.from(r.prod.data as Float32Array), [5, 12, 21, 32]);
  });

  it('INT32, FP64 and BOOL compute; every datatype passes through identity', async () => {
    const s = await open(mixedTypesModel());
    const r = await s.run({
      i32: new ort.Tensor('int32', new Int32Array([1, -2, 3]), [1, 3]),
      f64: new ort.Tensor('float64', new Float64Array([1.5, 1e200]), [1, 2]),
      flag: new ort.Tensor('bool', new Uint8Array([1]), [1, 1]),
    });
    assert.deepEqual(Array.from(r.i32_twice.data as Int32Array), [2, -4, 6]);
    assert.deepEqual(Array.from(r.f64_squared.data as Float64Array), [2.25, Number.POSITIVE_INFINITY]);
    assert.deepEqual(Array.from(r.flag_not.data as Uint8Array), [0]);

    const cases = [
      ['INT8', 'int8', new Int8Array([-128, 0, 127])],
      ['INT16', 'int16', new Int16Array([-300, 0, 300])],
      ['UINT8', 'uint8', new Uint8Array([0, 1, 255])],
      ['INT64', 'int64', new BigInt64Array([-(2n ** 62n), 0n, 2n ** 62n])],
      ['BYTES', 'string', ['a', 'héllo', '']],
    ] as const;
    for (const [kserve, type, data] of cases) {
      const id = await open(identityModel(kserve));
      const out = await id.run({ x: new ort.Tensor(type, data as never, [1, 3]) });
      assert.deepEqual(
        Array.from(out.y.data as ArrayLike<unknown>),
        Array.from(data as ArrayLike<unknown>),
        kserve,
      );
    }
  });

  it('deep and fixed-batch models run', async () => {
    const deep = await open(deepModel({ dim: 8, depth: 3 }));
    const r = await deep.run({ x: new ort.Tensor('float32', new Float32Array(16).fill(0.5), [2, 8]) });
    assert.ok((r.y.data as Float32Array).every((v) => Math.abs(v) < 1));
    const fixed = await open(fixedBatchModel());
    assert.deepEqual(fixed.inputMetadata[0], { name: 'x', isTensor: true, type: 'float32', shape: [2, 2] });
  });

  it('corrupt artifacts fail to load', async () => {
    const good = linearModel({ inFeatures: 4, outFeatures: 2 }).bytes;
    for (const kind of ['random', 'truncated', 'unknown_op', 'empty'] as const) {
      await assert.rejects(open(corruptArtifact(kind, { model: good })), Error, kind);
    }
  });
});
