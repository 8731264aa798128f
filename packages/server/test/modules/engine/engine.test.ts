// The engine with real onnxruntime workers: signatures, results against plain-JS references, errors, unload.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isQuiverError } from '../../../src/kernel/errors.ts';
import {
  createInferenceEngine,
  type InferenceEngine,
  type Tensor,
} from '../../../src/modules/engine/index.ts';
import {
  corruptArtifact,
  embeddingPoolModel,
  embeddingPoolReference,
  fixedBatchModel,
  identityModel,
  linearModel,
  linearReference,
  mixedTypesModel,
  randomFloats,
  twoInputModel,
} from '../../support/onnx/index.ts';
import { f32, i64 } from './testing.ts';

const code = (c: string, message?: RegExp) => (e: unknown) =>
  isQuiverError(e) && e.code === c && (!message || message.test(e.message));

const assertClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])),
      `at ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
};

describe('inference engine', () => {
  let engine: InferenceEngine;
  const linear = linearModel({ inFeatures: 6, outFeatures: 3, seed: 21 });
  const encoder = embeddingPoolModel({ vocab: 40, dim: 5, seed: 8 });

  before(() => {
    engine = createInferenceEngine({}, { poolSize: 2 });
  });
  after(() => engine.close());

  it('loads from bytes and from a file path, and reports the signature in KServe terms', async () => {
    const path = join(tmpdir(), `quiver-linear-${process.pid}.onnx`);
    writeFileSync(path, linear.bytes);
    const fromFile = await engine.load('linear-file', path);
    assert.deepEqual(fromFile.signature, {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 6] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
    });
    assert.equal(fromFile.batchable, true);
    const mixed = await engine.load('mixed', mixedTypesModel());
    assert.deepEqual(
      mixed.signature.inputs.map((s) => [s.name, s.datatype, s.shape]),
      [
        ['i32', 'INT32', [-1, 3]],
        ['f64', 'FP64', [-1, 2]],
        ['flag', 'BOOL', [-1, 1]],
      ],
    );
    const enc = await engine.load('encoder', encoder.bytes, { batching: { maxBatchSize: 8 } });
    assert.deepEqual(enc.signature.inputs[0], { name: 'input_ids', datatype: 'INT64', shape: [-1, -1] });
    assert.equal((await engine.load('fixed', fixedBatchModel())).batchable, false);
  });

  it('bytes in a view of a larger buffer load on every worker (through shared memory), leaving the caller bytes intact', async () => {
    const padded = new Uint8Array(linear.bytes.length + 64).fill(7);
    padded.set(linear.bytes, 32);
    const view = padded.subarray(32, 32 + linear.bytes.length);
    await engine.load('linear-view', view);
    assert.equal(padded.buffer.byteLength, linear.bytes.length + 64, 'not transferred away');
    assert.deepEqual(view, new Uint8Array(linear.bytes));
    const x = randomFloats(2 * 6, 6);
    // Both workers answer: two batches at once.
    const [a, b] = await Promise.all(
      [0, 1].map(() => engine.infer('linear-view', { tenant: 't1', inputs: { x: f32([2, 6], x) } })),
    );
    for (const r of [a, b])
      assertClose(r.outputs.y.data as Float32Array, linearReference(x, linear.weights, linear.bias));
    await engine.unload('linear-view');
  });

  it('linear: outputs equal x·W + b computed in JS', async () => {
    const x = randomFloats(4 * 6, 5);
    const r = await engine.infer('linear-file', { tenant: 't1', inputs: { x: f32([4, 6], x) } });
    assert.deepEqual(r.outputs.y.shape, [4, 3]);
    assert.equal(r.outputs.y.datatype, 'FP32');
    assertClose(r.outputs.y.data as Float32Array, linearReference(x, linear.weights, linear.bias));
  });

  it('embedding pool: masked mean equals the JS reference', async () => {
    const ids = [1, 5, 39, 0, 7, 7, 7, 2];
    const mask = [1, 1, 1, 0, 1, 1, 0, 0];
    const r = await engine.infer('encoder', {
      tenant: 't1',
      inputs: { input_ids: i64([2, 4], ids), attention_mask: i64([2, 4], mask) },
    });
    assert.deepEqual(r.outputs.embeddings.shape, [2, 5]);
    assertClose(
      r.outputs.embeddings.data as Float32Array,
      embeddingPoolReference(ids, mask, 4, encoder.table, 5),
    );
  });

  it('two inputs and two outputs; INT32, FP64, BOOL and BYTES round-trip', async () => {
    await engine.load('two', twoInputModel());
    const r = await engine.infer('two', {
      tenant: 't1',
      inputs: { a: f32([1, 4], [1, 2, 3, 4]), b: f32([1, 4], [0.5, 0.5, 2, -1]) },
    });
    assert.deepEqual(Array.from(r.outputs.sum.data as Float32Array), [1.5, 2.5, 5, 3]);
    assert.deepEqual(Array.from(r.outputs.prod.data as Float32Array), [0.5, 1, 6, -4]);

    const m = await engine.infer('mixed', {
      tenant: 't1',
      inputs: {
        i32: { datatype: 'INT32', shape: [1, 3], data: new Int32Array([7, -8, 2 ** 30]) },
        f64: { datatype: 'FP64', shape: [1, 2], data: new Float64Array([0.1, -3]) },
        flag: { datatype: 'BOOL', shape: [1, 1], data: new Uint8Array([0]) },
      },
    });
    assert.deepEqual(Array.from(m.outputs.i32_twice.data as Int32Array), [14, -16, -(2 ** 31)]);
    assert.deepEqual(Array.from(m.outputs.f64_squared.data as Float64Array), [0.1 * 0.1, 9]);
    assert.equal(m.outputs.flag_not.datatype, 'BOOL');
    assert.deepEqual(Array.from(m.outputs.flag_not.data as Uint8Array), [1]);

    await engine.load('strings', identityModel('BYTES', 2), { batching: { maxBatchSize: 4 } });
    const texts = await Promise.all(
      [
        ['a', 'b'],
        ['ünï', ''],
        ['x', 'y'],
      ].map((row) =>
        engine.infer('strings', {
          tenant: 't1',
          inputs: { x: { datatype: 'BYTES', shape: [1, 2], data: row } },
        }),
      ),
    );
    assert.deepEqual(
      texts.map((t) => t.outputs.y.data),
      [
        ['a', 'b'],
        ['ünï', ''],
        ['x', 'y'],
      ],
    );
  });

  it('a model placed on one worker only still answers concurrent requests', async () => {
    await engine.load('linear-one', linear.bytes, { replicas: 1, batching: { maxBatchSize: 4 } });
    const xs = Array.from({ length: 10 }, (_, i) => randomFloats(6, 50 + i));
    const rs = await Promise.all(
      xs.map((x) => engine.infer('linear-one', { tenant: 't1', inputs: { x: f32([1, 6], x) } })),
    );
    rs.forEach((r, i) => {
      assertClose(r.outputs.y.data as Float32Array, linearReference(xs[i], linear.weights, linear.bias));
    });
    await engine.unload('linear-one');
  });

  it('a fixed-batch model runs requests alone', async () => {
    const r = await engine.infer('fixed', { tenant: 't1', inputs: { x: f32([2, 2], [1, -2, 3, 0]) } });
    assert.deepEqual(Array.from(r.outputs.y.data as Float32Array), [-1, 2, -3, -0]);
  });

  it('rejects inputs that do not fit the signature, naming what is wrong', async () => {
    const bad = (inputs: Record<string, Tensor>) => engine.infer('two', { tenant: 't1', inputs });
    const a = f32([1, 4], [1, 2, 3, 4]);
    await assert.rejects(bad({ a }), code('validation_failed', /missing input 'b'/));
    await assert.rejects(bad({ a, b: a, c: a }), code('validation_failed', /unknown input 'c'/));
    await assert.rejects(
      bad({ a, b: { datatype: 'FP64', shape: [1, 4], data: new Float64Array(4) } }),
      code('validation_failed', /'b' must be FP32, got FP64/),
    );
    await assert.rejects(
      bad({ a, b: f32([1, 3], [1, 2, 3]) }),
      code('validation_failed', /shape \[1, 3\]; the model expects \[-1, 4\]/),
    );
    await assert.rejects(bad({ a, b: f32([1, 4], [1, 2]) }), code('validation_failed', /2 elements/));
    await assert.rejects(bad({ a, b: f32([2, 4], new Array(8).fill(0)) }), code('validation_failed', /rows/));
  });

  it('an unknown model is not_found; a corrupt artifact is unprocessable and leaves nothing loaded', async () => {
    await assert.rejects(engine.infer('nope', { tenant: 't1', inputs: {} }), code('not_found'));
    for (const kind of ['random', 'truncated', 'unknown_op', 'empty'] as const) {
      await assert.rejects(
        engine.load('broken', corruptArtifact(kind, { model: linear.bytes })),
        code('unprocessable', /could not be loaded/),
      );
      assert.equal(engine.get('broken'), undefined);
    }
    await engine.load('broken', linear.bytes);
    await assert.rejects(engine.load('broken', linear.bytes), code('already_exists'));
    await assert.rejects(
      engine.load('bad-options', linear.bytes, { batching: { maxBatchSize: 0 } }),
      code('validation_failed'),
    );
  });

  it('a run-time failure is unprocessable, with the reason', async () => {
    await assert.rejects(
      engine.infer('encoder', {
        tenant: 't1',
        inputs: { input_ids: i64([1, 1], [999]), attention_mask: i64([1, 1], [1]) },
      }),
      code('unprocessable', /inference failed/),
    );
  });

  it('unload lets accepted requests finish, then the model is gone', async () => {
    const pending = engine.infer('two', {
      tenant: 't1',
      inputs: { a: f32([1, 4], [1, 1, 1, 1]), b: f32([1, 4], [2, 2, 2, 2]) },
    });
    await engine.unload('two');
    assert.deepEqual(Array.from((await pending).outputs.sum.data as Float32Array), [3, 3, 3, 3]);
    await assert.rejects(
      engine.infer('two', {
        tenant: 't1',
        inputs: { a: f32([1, 4], [1, 1, 1, 1]), b: f32([1, 4], [2, 2, 2, 2]) },
      }),
      code('not_found'),
    );
    await engine.load('two', twoInputModel());
  });
});
