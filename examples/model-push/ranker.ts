// A small ranker built in code with the project's ONNX builder: score = sigmoid(features · w + b).
import { encodeModel, floatTensor, node, valueInfo } from '../../packages/server/src/kernel/onnx/graph.ts';

/** The ranker's input: one row per candidate, [price rank, popularity, text match]. */
export const RANKER_FEATURES = 3;

/** An ONNX model with input `features` FP32 [batch, 3] and output `score` FP32 [batch, 1]. */
export const buildRanker = (weights: readonly number[], bias: number): Uint8Array => {
  if (weights.length !== RANKER_FEATURES) throw new Error(`a ranker takes ${RANKER_FEATURES} weights`);
  return encodeModel({
    name: 'example-ranker',
    inputs: [valueInfo('features', 'FP32', ['batch', RANKER_FEATURES])],
    outputs: [valueInfo('score', 'FP32', ['batch', 1])],
    initializers: [
      floatTensor('w', [RANKER_FEATURES, 1], Float32Array.from(weights)),
      floatTensor('b', [1], Float32Array.of(bias)),
    ],
    nodes: [
      node('MatMul', ['features', 'w'], ['fw']),
      node('Add', ['fw', 'b'], ['logit']),
      node('Sigmoid', ['logit'], ['score']),
    ],
  });
};
