// Checks inputs against a model's signature before they are queued, naming exactly what is wrong.
import { type FieldError, QuiverError } from '../../kernel/errors.ts';
import { holds } from './dtypes.ts';
import { elementCount } from './tensors.ts';
import type { Signature, Tensors } from './types.ts';

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Throws `validation_failed` listing every problem: missing, unknown, wrong datatype, shape or data length. */
export const validateInputs = (signature: Signature, inputs: Tensors): void => {
  const errors: FieldError[] = [];
  const expected = new Map(signature.inputs.map((s) => [s.name, s]));
  for (const name of Object.keys(inputs)) {
    if (!expected.has(name)) {
      errors.push({
        path: name,
        message: `unknown input '${name}'; the model takes ${[...expected.keys()].join(', ')}`,
      });
    }
  }
  for (const spec of signature.inputs) {
    const t = inputs[spec.name];
    if (!t) {
      errors.push({ path: spec.name, message: `missing input '${spec.name}'` });
      continue;
    }
    if (t.datatype !== spec.datatype) {
      errors.push({
        path: spec.name,
        message: `input '${spec.name}' must be ${spec.datatype}, got ${t.datatype}`,
      });
      continue;
    }
    const rankKnown = spec.shape.length > 0;
    const fits =
      (!rankKnown || t.shape.length === spec.shape.length) &&
      t.shape.every(
        (d, i) => Number.isInteger(d) && d >= 0 && (!rankKnown || spec.shape[i] < 0 || spec.shape[i] === d),
      );
    if (!fits) {
      errors.push({
        path: spec.name,
        message: `input '${spec.name}' has shape ${fmt(t.shape)}; the model expects ${fmt(spec.shape)}`,
      });
      continue;
    }
    if (!holds(t.datatype, t.data)) {
      errors.push({ path: spec.name, message: `input '${spec.name}' data is not stored as ${t.datatype}` });
    } else if (t.data.length !== elementCount(t.shape)) {
      errors.push({
        path: spec.name,
        message: `input '${spec.name}' has ${t.data.length} elements; shape ${fmt(t.shape)} needs ${elementCount(t.shape)}`,
      });
    }
  }
  if (errors.length > 0)
    throw new QuiverError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
};

/** A model can be batched when dim 0 of every input and every output is dynamic. */
export const isBatchable = (signature: Signature): boolean =>
  [...signature.inputs, ...signature.outputs].every((s) => s.shape.length > 0 && s.shape[0] === -1) &&
  signature.inputs.length > 0;
