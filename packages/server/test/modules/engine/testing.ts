// Tensors for the engine tests, built from plain numbers.
import type { Tensor } from '../../../src/modules/engine/index.ts';

export const f32 = (shape: number[], data: ArrayLike<number>): Tensor => ({
  datatype: 'FP32',
  shape,
  data: Float32Array.from(data),
});

export const i64 = (shape: number[], data: readonly number[]): Tensor => ({
  datatype: 'INT64',
  shape,
  data: BigInt64Array.from(data, (v) => BigInt(v)),
});
