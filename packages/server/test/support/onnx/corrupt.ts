// Broken artifacts for negative tests: random bytes, a truncated model, and a valid proto naming an unknown op.
import { encodeModel, node, prng, valueInfo } from '../../../src/kernel/onnx/graph.ts';

export type CorruptKind = 'random' | 'truncated' | 'unknown_op' | 'empty';

/** Bytes onnxruntime must refuse to load, of the given kind. `model` is truncated for 'truncated'. */
export const corruptArtifact = (kind: CorruptKind, o: { model?: Buffer; seed?: number } = {}): Buffer => {
  switch (kind) {
    case 'random': {
      const next = prng(o.seed ?? 11);
      return Buffer.from(Array.from({ length: 4096 }, () => Math.floor(next() * 256)));
    }
    case 'truncated': {
      if (!o.model) throw new Error("'truncated' needs the model to cut");
      return Buffer.from(o.model.subarray(0, Math.floor(o.model.length / 2)));
    }
    case 'unknown_op':
      return encodeModel({
        name: 'unknown_op',
        inputs: [valueInfo('x', 'FP32', ['batch', 2])],
        outputs: [valueInfo('y', 'FP32', ['batch', 2])],
        nodes: [node('NoSuchOperator', ['x'], ['y'])],
      });
    case 'empty':
      return Buffer.alloc(0);
  }
};
