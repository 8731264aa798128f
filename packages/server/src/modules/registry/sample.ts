// The sample input a new version is validated with: the metadata's example, or zeros (dynamic dims = 1).
import { QuiverError } from '../../kernel/index.ts';
import { allocate, DATATYPES, type Datatype, type Signature, type Tensors } from '../engine/index.ts';
import type { VersionMetadata } from './types.ts';

const flatten = (data: unknown): unknown[] => (Array.isArray(data) ? data.flatMap(flatten) : [data]);

const fill = (datatype: Datatype, values: unknown[]) => {
  const out = allocate(datatype, values.length);
  values.forEach((v, i) => {
    if (Array.isArray(out)) out[i] = String(v);
    else if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v as number);
    else out[i] = typeof v === 'boolean' ? Number(v) : Number(v);
  });
  return out;
};

export const sampleInputs = (signature: Signature, metadata: VersionMetadata): Tensors => {
  const tensors: Tensors = {};
  if (metadata.sampleInput) {
    for (const s of metadata.sampleInput) {
      if (!(DATATYPES as readonly string[]).includes(s.datatype)) {
        throw new QuiverError('validation_failed', `sampleInput '${s.name}' has an unknown datatype`, {
          errors: [{ path: '/metadata/sampleInput', message: `unknown datatype ${s.datatype}` }],
        });
      }
      tensors[s.name] = {
        datatype: s.datatype as Datatype,
        shape: s.shape,
        data: fill(s.datatype as Datatype, flatten(s.data)),
      };
    }
    return tensors;
  }
  for (const input of signature.inputs) {
    const shape = input.shape.map((d) => (d < 0 ? 1 : d));
    tensors[input.name] = {
      datatype: input.datatype,
      shape,
      data: allocate(
        input.datatype,
        shape.reduce((a, b) => a * b, 1),
      ),
    };
  }
  return tensors;
};
