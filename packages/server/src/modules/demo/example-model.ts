// The demo's example model with feature-joined inputs: an item score from the item's recent views and
// purchases, both read from the feature store by item id at inference time. Built in code (no download).
import { encodeModel, floatTensor, node, valueInfo } from '../../kernel/onnx/graph.ts';

export const EXAMPLE_MODEL = 'demo-item-score';
export const EXAMPLE_ENDPOINT = 'demo-item-score';

/** Input name → online feature: the version metadata's `featureInputs`. */
export const EXAMPLE_FEATURE_INPUTS = {
  views: 'item_popularity:views_7d',
  purchases: 'item_popularity:purchases_30d',
} as const;

/**
 * score = viewWeight · ln(1 + views) + purchaseWeight · purchases, inputs FP32 [batch, 1], output `score`
 * FP32 [batch, 1]. Version 1 and the canary's version 2 differ only in their weights.
 */
export const exampleModel = (viewWeight: number, purchaseWeight: number): Buffer =>
  encodeModel({
    name: EXAMPLE_MODEL,
    inputs: [valueInfo('views', 'FP32', ['batch', 1]), valueInfo('purchases', 'FP32', ['batch', 1])],
    outputs: [valueInfo('score', 'FP32', ['batch', 1])],
    initializers: [
      floatTensor('one', [1], new Float32Array([1])),
      floatTensor('wv', [1], new Float32Array([viewWeight])),
      floatTensor('wp', [1], new Float32Array([purchaseWeight])),
    ],
    nodes: [
      node('Add', ['views', 'one'], ['views1']),
      node('Log', ['views1'], ['logViews']),
      node('Mul', ['logViews', 'wv'], ['viewPart']),
      node('Mul', ['purchases', 'wp'], ['purchasePart']),
      node('Add', ['viewPart', 'purchasePart'], ['score']),
    ],
  });

export const EXAMPLE_VERSIONS = [
  { weights: [1, 0.5], description: 'views and purchases' },
  { weights: [0.6, 1.2], description: 'purchases weigh more (the canary)' },
] as const;
