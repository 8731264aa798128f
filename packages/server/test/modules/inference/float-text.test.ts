// FP32 answers as the shortest text that reads back to the same float32 (float-text.ts): checked against a
// reference search over toPrecision for random bit patterns and edge values, and through /v2 against a direct
// onnxruntime session, value for value (the answer's number, read as a double and rounded to float32).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { float32ArrayText, writeFloat32 } from '../../../src/modules/inference/float-text.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { mlpModel, randomFloats } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { infer, uploadModel } from './testing.ts';

/** The reference: the fewest significant digits (1–9) whose decimal, read as a double, rounds to `v`. */
const shortest = (v: number): number => {
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return candidate;
  }
  throw new Error(`no 9-digit form of ${v}`);
};

const text = (v: number): string => {
  const out = new Uint8Array(32);
  return Buffer.from(out.buffer, 0, writeFloat32(v, out, 0)).toString('latin1');
};

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]\d+)?$/;

/** Significant digits of a JSON number literal. */
const significant = (s: string): number =>
  s.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').length;

describe('writeFloat32', () => {
  test('random float32 bit patterns: valid JSON, read back exactly, and as short as the reference', () => {
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    let seed = 12345;
    for (let i = 0; i < 300_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits[0] = seed;
      const v = f[0];
      if (!Number.isFinite(v)) continue;
      const s = text(v);
      assert.match(s, JSON_NUMBER, `${v}`);
      assert.ok(
        Object.is(Math.fround(Number(s)), v),
        `${v} written ${s} reads back ${Math.fround(Number(s))}`,
      );
      assert.equal(significant(s), significant(String(shortest(v))), `${v}: ${s} vs ${shortest(v)}`);
    }
  });

  test('edge values: zeros, subnormals, the extremes, powers of ten, the fixed/exponent boundary', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [1, '1'],
      [-2.5, '-2.5'],
      [0.1, '0.1'],
      [100, '100'],
      [1e-7, '1e-7'],
      [1.5e-6, '0.0000015'],
      [123456792, '123456790'],
      [1e20, '100000000000000000000'],
      [1e21, '1e+21'],
      [3.4028234663852886e38, '3.4028235e+38'],
      [1.401298464324817e-45, '1e-45'],
      [1.1754943508222875e-38, '1.1754944e-38'],
      [16777216, '16777216'],
      [0.3333333432674408, '0.33333334'],
    ];
    for (const [v, want] of cases) {
      const got = text(Math.fround(v));
      assert.equal(got, want, `${v}`);
      assert.ok(Object.is(Math.fround(Number(got)), Math.fround(v)));
    }
    for (let e = -45; e <= 38; e++) {
      const v = Math.fround(10 ** e);
      if (v === 0 || !Number.isFinite(v)) continue;
      assert.ok(Object.is(Math.fround(Number(text(v))), v), `1e${e}`);
    }
  });

  test('around every power of ten and of two, each float32 and its neighbours are as short as the reference', () => {
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    const around = (v: number) => {
      f[0] = v;
      const b = bits[0];
      return [b - 2, b - 1, b, b + 1, b + 2].map((x) => {
        bits[0] = x;
        return f[0];
      });
    };
    const values = [];
    for (let e = -45; e <= 38; e++) values.push(...around(Math.fround(10 ** e)));
    for (let e = -149; e <= 127; e++) values.push(...around(Math.fround(2 ** e)));
    for (const v of values) {
      if (!Number.isFinite(v) || v <= 0) continue;
      for (const x of [v, -v]) {
        const s = text(x);
        assert.ok(Object.is(Math.fround(Number(s)), x), `${x} written ${s}`);
        assert.equal(significant(s), significant(String(shortest(x))), `${x}: ${s} vs ${shortest(x)}`);
      }
    }
  });

  test('non-finite values are Triton tokens; a double that is not a float32 is written exactly', () => {
    assert.equal(
      float32ArrayText([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
      '[NaN,Infinity,-Infinity]',
    );
    assert.equal(float32ArrayText([0.1]), '[0.1]');
    assert.equal(text(0.1 + 0.2), String(0.1 + 0.2));
    assert.equal(float32ArrayText([]), '[]');
    const many = randomFloats(100_000, 3);
    const parsed = JSON.parse(float32ArrayText(many)) as number[];
    assert.deepEqual(Float32Array.from(parsed), many);
  });
});

describe('FP32 answers over /v2', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  const mlp = mlpModel([64, 128, 32], 5);

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
    await uploadModel(t, acme, 'mlp', mlp.bytes, { batching: { maxBatchSize: 8 } });
  });
  after(() => t.close());

  test('every value equals a direct onnxruntime run, read back as float32', async () => {
    const x = randomFloats(5 * 64, 9);
    const session = await ort.InferenceSession.create(mlp.bytes, { intraOpNumThreads: 1 });
    const direct = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [5, 64]) });
    const want = direct[session.outputNames[0]].data as Float32Array;
    await session.release();
    const res = await infer(t, acme, 'mlp', {
      inputs: [{ name: session.inputNames[0], datatype: 'FP32', shape: [5, 64], data: Array.from(x) }],
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json().outputs[0];
    assert.deepEqual(out.shape, [5, 32]);
    assert.deepEqual(Float32Array.from(out.data as number[]), want);
    // Shorter than the widened doubles' text, never longer.
    assert.ok(res.body.length < JSON.stringify(Array.from(want)).length);
  });
});
