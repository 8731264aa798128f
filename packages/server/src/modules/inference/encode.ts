// Turns engine outputs into OIP JSON outputs: flat row-major data, BOOL as booleans, 64-bit ints as numbers.
import { QuiverError } from '../../kernel/index.ts';
import type { Signature, Tensor, Tensors } from './engine/index.ts';
import type { ResponseOutput } from './schemas.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * JSON values of a tensor. INT64/UINT64 beyond ±2^53 are sent as decimal strings, since a JSON number
 * would silently lose their low digits.
 */
const jsonData = (t: Tensor): unknown[] => {
  const d = t.data;
  if (Array.isArray(d)) return d.slice();
  const out = new Array<unknown>(d.length);
  if (t.datatype === 'BOOL') {
    for (let i = 0; i < d.length; i++) out[i] = d[i] !== 0;
  } else if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) {
      const b = d[i];
      out[i] = b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b.toString();
    }
  } else {
    for (let i = 0; i < d.length; i++) out[i] = d[i];
  }
  return out;
};

/** Throws `validation_failed` when the request asks for an output the model does not have. */
export const checkRequestedOutputs = (signature: Signature, requested?: readonly { name: string }[]) => {
  if (!requested) return;
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

/** The outputs asked for (all, in signature order, when none are named). */
export const encodeOutputs = (
  outputs: Tensors,
  signature: Signature,
  requested?: readonly { name: string }[],
): ResponseOutput[] => {
  const names = requested?.map((o) => o.name) ?? signature.outputs.map((o) => o.name);
  return names.map((name) => {
    const t = outputs[name];
    if (!t) throw new QuiverError('internal', `the model did not return output '${name}'`);
    return { name, datatype: t.datatype, shape: t.shape, data: jsonData(t) };
  });
};
