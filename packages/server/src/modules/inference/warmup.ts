// Warm-up of a loaded version: its sample input (or zeros), tiled to a full batch (the engine's probe batch),
// run once on every replica.

import {
  type InferenceEngine,
  type LoadedModel,
  probeRows,
  type Tensors,
  type TensorValues,
  zeroInputs,
} from '../engine/index.ts';
import type { ModelVersion } from '../registry/index.ts';
import { decodeInputs } from './decode.ts';
import type { RequestInput } from './schemas.ts';

/** Deadline of the warm-up requests. */
export const WARMUP_TIMEOUT_MS = 60_000;
/** Tenant the warm-up requests are queued under. */
const WARMUP_TENANT = '_warmup';

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
  const rows = probeRows(model.batchable, model.batching.maxBatchSize);
  const inputs = () => {
    if (!sample) return zeroInputs(model.signature, rows);
    const base = decodeInputs(sample as RequestInput[], '/metadata/sampleInput');
    return rows > 1 ? tile(base, rows) : base;
  };
  // Each request gets its own tensors: the engine may take their buffers.
  await Promise.all(
    Array.from({ length: engine.poolSize }, () =>
      engine.infer(model.key, { tenant: WARMUP_TENANT, inputs: inputs(), timeoutMs: WARMUP_TIMEOUT_MS }),
    ),
  );
};
