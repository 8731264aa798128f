// A sentence-encoder-shaped test model: embedding lookup over `input_ids`, mean-pooled under `attention_mask`.
import {
  encodeModel,
  floatTensor,
  int64Tensor,
  node,
  randomFloats,
  valueInfo,
} from '../../../src/kernel/onnx/graph.ts';

export interface EmbeddingPoolModel {
  bytes: Buffer;
  /** Row-major [vocab, dim]: row `id` is the embedding of token `id`. */
  table: Float32Array;
}

/** Smallest mask count divided by, so an all-zero mask yields zeros instead of NaN (as sentence-transformers). */
export const MASK_COUNT_MIN = 1e-9;

/**
 * Inputs `input_ids` and `attention_mask` INT64 [-1, -1]; output `embeddings` FP32 [-1, dim] =
 * Σ_t mask[t]·table[ids[t]] / max(Σ_t mask[t], 1e-9).
 */
export const embeddingPoolModel = (o: { vocab: number; dim: number; seed?: number }): EmbeddingPoolModel => {
  const table = randomFloats(o.vocab * o.dim, o.seed ?? 3);
  const bytes = encodeModel({
    name: 'embedding_pool',
    inputs: [
      valueInfo('input_ids', 'INT64', ['batch', 'seq']),
      valueInfo('attention_mask', 'INT64', ['batch', 'seq']),
    ],
    outputs: [valueInfo('embeddings', 'FP32', ['batch', o.dim])],
    initializers: [
      floatTensor('table', [o.vocab, o.dim], table),
      int64Tensor('last_axis', [1], [-1]),
      int64Tensor('seq_axis', [1], [1]),
      floatTensor('count_min', [1], new Float32Array([MASK_COUNT_MIN])),
    ],
    nodes: [
      node('Gather', ['table', 'input_ids'], ['tokens'], { axis: 0 }),
      node('Cast', ['attention_mask'], ['mask'], { to: 1 }),
      node('Unsqueeze', ['mask', 'last_axis'], ['mask3']),
      node('Mul', ['tokens', 'mask3'], ['masked']),
      node('ReduceSum', ['masked', 'seq_axis'], ['summed'], { keepdims: 0 }),
      node('ReduceSum', ['mask', 'seq_axis'], ['count'], { keepdims: 1 }),
      node('Max', ['count', 'count_min'], ['safe_count']),
      node('Div', ['summed', 'safe_count'], ['embeddings']),
    ],
  });
  return { bytes, table };
};
