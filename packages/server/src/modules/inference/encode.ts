// Turns engine outputs into OIP outputs: JSON data (flat row-major; BOOL as booleans; FP16 as numbers; 64-bit
// integers as BigInts, written as exact literals by respond.ts), or raw bytes under the binary extension.
import { QuiverError } from '../../kernel/index.ts';
import type { Signature, Tensor, Tensors } from '../engine/index.ts';
import { encodeRaw } from './binary.ts';
import { classCount, classify } from './classify.ts';
import { fromHalf } from './fp16.ts';
import type { InferRequestBody, ResponseOutput, ViewOutput } from './schemas.ts';

/** JSON values of a tensor. */
const jsonData = (t: Tensor): unknown[] => {
  const d = t.data;
  if (Array.isArray(d)) return d.slice();
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d);
  const out = new Array<unknown>(d.length);
  if (t.datatype === 'BOOL') {
    for (let i = 0; i < d.length; i++) out[i] = d[i] !== 0;
  } else if (t.datatype === 'FP16') {
    for (let i = 0; i < d.length; i++) out[i] = fromHalf(d[i]);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = d[i];
  }
  return out;
};

/**
 * Throws `validation_failed` when the request asks for an output the model does not have, or classification
 * of an output that has no numeric values.
 */
export const checkRequestedOutputs = (
  signature: Signature,
  requested?: readonly { name: string; parameters?: { classification?: unknown } }[],
) => {
  if (!requested) return;
  requested.forEach(({ name, parameters }, i) => {
    const spec = signature.outputs.find((o) => o.name === name);
    if (spec && parameters?.classification !== undefined)
      classCount(parameters.classification, name, spec.datatype, `/outputs/${i}/parameters/classification`);
  });
  const known = new Set(signature.outputs.map((o) => o.name));
  const errors = requested
    .map((o, i) => ({ o, i }))
    .filter(({ o }) => !known.has(o.name))
    .map(({ o, i }) => ({
      path: `/outputs/${i}/name`,
      message: `unknown output '${o.name}'; the model has ${[...known].join(', ')}`,
    }));
  if (errors.length > 0)
    throw new QuiverError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
};

export interface EncodedOutputs {
  outputs: ResponseOutput[];
  /** Raw bytes of the binary outputs, in the order of `outputs`; empty when every output is JSON. */
  chunks: Uint8Array[];
}

/**
 * The outputs asked for (all, in signature order, when none are named). An output is binary when its
 * `parameters.binary_data` says so, else when the request's `parameters.binary_data_output` does. With
 * `wire`, the answer is only ever written by respond.ts: FP32 `data` stays the engine's Float32Array.
 */
export const encodeOutputs = (
  outputs: Tensors,
  signature: Signature,
  request: Pick<InferRequestBody, 'outputs' | 'parameters'> = {},
  options: { wire?: boolean } = {},
): EncodedOutputs => {
  const binaryDefault = request.parameters?.binary_data_output === true;
  const wanted = request.outputs ?? signature.outputs.map((o) => ({ name: o.name, parameters: undefined }));
  const chunks: Uint8Array[] = [];
  const encoded = wanted.map(({ name, parameters }, i) => {
    let t = outputs[name];
    if (!t) throw new QuiverError('internal', `the model did not return output '${name}'`);
    const k = parameters?.classification;
    if (k !== undefined) {
      const spec = signature.outputs.find((o) => o.name === name);
      const count = classCount(k, name, t.datatype, `/outputs/${i}/parameters/classification`);
      t = classify(t, count, spec?.shape[0] === -1);
    }
    const asked = parameters?.binary_data;
    if (asked === true || (asked === undefined && binaryDefault)) {
      const raw = encodeRaw(t);
      chunks.push(raw);
      return { name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: raw.byteLength } };
    }
    // Written by respond.ts only: FP32 values go to the text writer as they are, without a JS array of them.
    const data = options.wire && t.datatype === 'FP32' ? (t.data as unknown as unknown[]) : jsonData(t);
    return { name, datatype: t.datatype, shape: t.shape, data };
  });
  return { outputs: encoded, chunks };
};

/** The outputs asked for (all, in signature order, when none are named) as views of the engine's data. */
export const viewOutputs = (
  outputs: Tensors,
  signature: Signature,
  request: Pick<InferRequestBody, 'outputs'> = {},
): ViewOutput[] =>
  (request.outputs ?? signature.outputs).map(({ name }) => {
    const t = outputs[name];
    if (!t) throw new QuiverError('internal', `the model did not return output '${name}'`);
    return { name, datatype: t.datatype, shape: t.shape, data: t.data };
  });
