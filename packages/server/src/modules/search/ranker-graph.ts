// The built-in second-phase ranker as an ONNX graph: a linear model over the rerank features.
import { encodeModel, floatTensor, node, valueInfo } from '../../kernel/onnx/graph.ts';
import { RERANK_FEATURES, type RerankConfig } from './rerank.ts';

export const RANKER_INPUT = 'features';
export const RANKER_OUTPUT = 'scores';

/** Input `features` FP32 [batch, RERANK_FEATURES.length]; output `scores` FP32 [batch, 1] = features · weights. */
export const linearRankerGraph = (weights: RerankConfig['weights']): Buffer =>
  encodeModel({
    name: 'quiver_search_ranker',
    inputs: [valueInfo(RANKER_INPUT, 'FP32', ['batch', RERANK_FEATURES.length])],
    outputs: [valueInfo(RANKER_OUTPUT, 'FP32', ['batch', 1])],
    initializers: [
      floatTensor(
        'weights',
        [RERANK_FEATURES.length, 1],
        Float32Array.from(RERANK_FEATURES.map((f) => weights[f])),
      ),
    ],
    nodes: [node('MatMul', [RANKER_INPUT, 'weights'], [RANKER_OUTPUT])],
  });
