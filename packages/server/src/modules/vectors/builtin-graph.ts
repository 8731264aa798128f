// The built-in encoder as an ONNX graph: token ids → Gather rows of the word-vector table and of the
// per-word weights → weighted sum under the attention mask → L2-normalized (so a weighted mean's direction).
import { encodeModel, floatTensor, int64Tensor, node, valueInfo } from '../../kernel/onnx/graph.ts';

/** Below this a sum of weights or a norm counts as zero (an all-padding or all-unknown text gives zeros). */
export const EPSILON = 1e-12;
export const OUTPUT_NAME = 'embeddings';

/**
 * Inputs `input_ids`, `attention_mask` INT64 [batch, seq]; output `embeddings` FP32 [batch, dim] =
 * normalize(Σ_t mask[t]·weights[ids[t]]·table[ids[t]]).
 */
export const builtinEncoderGraph = (o: {
  table: Float32Array;
  weights: Float32Array;
  dim: number;
}): Buffer => {
  const vocab = o.weights.length;
  return encodeModel({
    name: 'quiver_text_encoder',
    inputs: [
      valueInfo('input_ids', 'INT64', ['batch', 'seq']),
      valueInfo('attention_mask', 'INT64', ['batch', 'seq']),
    ],
    outputs: [valueInfo(OUTPUT_NAME, 'FP32', ['batch', o.dim])],
    initializers: [
      floatTensor('table', [vocab, o.dim], o.table),
      floatTensor('weights', [vocab], o.weights),
      int64Tensor('last_axis', [1], [-1]),
      int64Tensor('seq_axis', [1], [1]),
      floatTensor('epsilon', [1], new Float32Array([EPSILON])),
    ],
    nodes: [
      node('Gather', ['table', 'input_ids'], ['vectors'], { axis: 0 }),
      node('Gather', ['weights', 'input_ids'], ['token_weights'], { axis: 0 }),
      node('Cast', ['attention_mask'], ['mask'], { to: 1 }),
      node('Mul', ['token_weights', 'mask'], ['w']),
      node('Unsqueeze', ['w', 'last_axis'], ['w3']),
      node('Mul', ['vectors', 'w3'], ['weighted']),
      node('ReduceSum', ['weighted', 'seq_axis'], ['summed'], { keepdims: 0 }),
      node('Mul', ['summed', 'summed'], ['squares']),
      node('ReduceSum', ['squares', 'last_axis'], ['norm2'], { keepdims: 1 }),
      node('Sqrt', ['norm2'], ['norm']),
      node('Max', ['norm', 'epsilon'], ['safe_norm']),
      node('Div', ['summed', 'safe_norm'], [OUTPUT_NAME]),
    ],
  });
};
