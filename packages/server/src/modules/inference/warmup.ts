// Warm-up of a loaded version: its sample input (or zeros), tiled to a full batch, run once on every replica.

import {
  allocate,
  elementCount,
  type InferenceEngine,
  type LoadedModel,
  type Tensors,
  type TensorValues,
} from '../engine/index.ts';
import type { ModelVersion } from '../registry/index.ts';
import { decodeInputs } from './decode.ts';
import type { RequestInput } from './schemas.ts';

/** Rows in a warm-up request of a batched model: the largest batch, up to this. */
export const WARMUP_MAX_ROWS = 64;
/** Deadline of the warm-up requests. */
export const WARMUP_TIMEOUT_MS = 60_000;
/** Tenant the warm-up requests are queued under. */
const WARMUP_TENANT = '_warmup';

const zeros = (model: LoadedModel): Tensors => {
  const out: Tensors = {};
  for (const input of model.signature.inputs) {
    const shape = input.shape.map((d) => (d < 0 ? 1 : d));
    out[input.name] = {
      datatype: input.datatype,
      shape,
      data: allocate(input.datatype, elementCount(shape)),
    };
  }
  return out;
};

const repeat = (data: TensorValues, times: number): TensorValues => {
  if (Array.isArray(data)) return Array.from({ length: times }, () => data).flat();
  const tiled = new (data.constructor as new (n: number) => typeof data)(data.length * times);
  for (let k = 0; k < times; k++) (tiled as Float32Array).set(data as Float32Array, k * data.length);
  return tiled;
};

/** `inputs` stacked along dim 0 until they hold up to `rows` rows (whole copies only). */
const tile = (inputs: Tensors, rows: number): Tensors => {
  const first = Object.values(inputs)[0];
  const have = first?.shape[0] ?? 0;
  const times = have > 0 ? Math.floor(rows / have) : 1;
  if (times <= 1) return inputs;
  const out: Tensors = {};
  for (const [name, t] of Object.entries(inputs)) {
    out[name] = { ...t, shape: [t.shape[0] * times, ...t.shape.slice(1)], data: repeat(t.data, times) };
  }
  return out;
};

/**
 * One warm-up request per replica, each a full batch (so none waits out `maxQueueDelayMs`, and the largest
 * batch's memory is allocated before traffic). Throws what the model throws on its sample.
 */
export const warmUp = async (
  engine: InferenceEngine,
  model: LoadedModel,
  version: ModelVersion,
): Promise<void> => {
  const sample = version.metadata.sampleInput;
  const rows = model.batchable ? Math.min(model.batching.maxBatchSize, WARMUP_MAX_ROWS) : 1;
  const inputs = () => {
    const base = sample ? decodeInputs(sample as RequestInput[], '/metadata/sampleInput') : zeros(model);
    return rows > 1 ? tile(base, rows) : base;
  };
  // Each request gets its own tensors: the engine may take their buffers.
  await Promise.all(
    Array.from({ length: engine.poolSize }, () =>
      engine.infer(model.key, { tenant: WARMUP_TENANT, inputs: inputs(), timeoutMs: WARMUP_TIMEOUT_MS }),
    ),
  );
};
