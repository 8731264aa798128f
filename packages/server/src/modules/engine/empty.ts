// The answer to a request with zero rows, shaped from the model's signature without running the model.
import { QuiverError } from '../../kernel/errors.ts';
import { allocate } from './dtypes.ts';
import type { Signature, Tensors } from './types.ts';
import { isBatchable } from './validate.ts';

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Zero rows along dim 0 ask for zero answers: every output is `[0, …its other dims]`, empty. That shape is
 * known only when the model is batchable (dim 0 of every output follows the inputs' rows) and every other
 * output dim is fixed; otherwise this throws `validation_failed` naming the output, since running the model
 * on nothing to find out is not worth a worker. Returns undefined when the request has rows (or no inputs).
 * Called on validated inputs, which agree on dim 0.
 */
export const emptyOutputs = (signature: Signature, inputs: Tensors): Tensors | undefined => {
  const first = Object.values(inputs)[0];
  if (!first || first.shape.length === 0 || first.shape[0] !== 0) return undefined;
  const refuse = (why: string) => {
    throw new QuiverError(
      'validation_failed',
      `the inputs have zero rows, and ${why}, so an empty answer has no known shape; send at least one row`,
      { errors: [{ path: 'inputs', message: 'has zero rows' }] },
    );
  };
  if (!isBatchable(signature)) refuse("the model's outputs do not follow its inputs' rows (dim 0 is fixed)");
  const outputs: Tensors = {};
  for (const spec of signature.outputs) {
    const rest = spec.shape.slice(1);
    if (rest.some((d) => d < 0)) refuse(`output '${spec.name}' has dynamic dims ${fmt(spec.shape)}`);
    outputs[spec.name] = { datatype: spec.datatype, shape: [0, ...rest], data: allocate(spec.datatype, 0) };
  }
  return outputs;
};
