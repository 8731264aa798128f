// A gradient-boosted tree ranker (the search-ranker trainer's LambdaMART) as data, its score in process, and
// its ONNX graph: an `ai.onnx.ml` TreeEnsembleRegressor over `features` FP32 [batch, N] (N named in the
// version's metadata). Thresholds are float32 values and a row goes left when `x <= threshold`, as the
// operator's BRANCH_LEQ does; leaf values are multiples of 2^-12 and scores stay far below 2^12, so every
// partial sum is exact in float32 and the engine's tree scores equal `scoreTrees`' in any summation order.
// A trees ranker may boost from a linear part (the click-trained linear ranker over the first columns): the
// graph adds `features · w` (MatMul) to the trees' sum.
import onnxProto from 'onnx-proto';
import { encodeModel, floatTensor, node, valueInfo } from '../../kernel/onnx/graph.ts';
import type { VersionMetadata } from '../registry/index.ts';
import { RANKER_INPUT, RANKER_OUTPUT } from './ranker-graph.ts';
import { type RankerVersionOptions, rankerVersionMetadata } from './ranker-version.ts';

const ML_DOMAIN = 'ai.onnx.ml';
const { onnx } = onnxProto;
const LINEAR_WEIGHTS = 'linear_weights';

/** One regression tree in flat arrays; node 0 is the root, a leaf has feature −1. */
export interface RegressionTree {
  feature: number[];
  /** float32 values: a row goes to `left` when its feature ≤ threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** A leaf's value (multiples of LEAF_QUANTUM); 0 for inner nodes. */
  value: number[];
}

export interface TreeEnsemble {
  /** The input columns' names, in order. */
  features: string[];
  trees: RegressionTree[];
  /** A linear part the trees boost from: one weight per input column (absent: the trees alone). */
  linear?: number[];
}

/** Leaf values are rounded to multiples of this, so sums of them are exact in float32. */
export const LEAF_QUANTUM = 2 ** -12;
export const quantizeLeaf = (v: number): number => Math.round(v / LEAF_QUANTUM) * LEAF_QUANTUM;

/** The linear part's score of row `r` (0 without one). */
export const linearPart = (e: TreeEnsemble, x: Float32Array, r = 0): number => {
  if (!e.linear) return 0;
  const width = e.features.length;
  let s = 0;
  for (let f = 0; f < width; f++) s += e.linear[f] * x[r * width + f];
  return s;
};

/**
 * The ensemble's score of row `r` of row-major float32 `x` (width = features.length): the trees' sum (exactly
 * the engine's), plus the linear part (the engine's MatMul in float32 may differ in the last bits).
 */
export const scoreTrees = (e: TreeEnsemble, x: Float32Array, r = 0): number => {
  const width = e.features.length;
  let s = linearPart(e, x, r);
  for (const t of e.trees) {
    let n = 0;
    while (t.feature[n] >= 0) n = x[r * width + t.feature[n]] <= t.threshold[n] ? t.left[n] : t.right[n];
    s += t.value[n];
  }
  return s;
};

/** Input `features` FP32 [batch, N]; output `scores` FP32 [batch, 1], the sum of the trees' leaves. */
export const treeRankerGraph = (e: TreeEnsemble): Buffer => {
  const ids: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const weights: number[] = [];
  e.trees.forEach((t, tree) => {
    for (let n = 0; n < t.feature.length; n++) {
      const leaf = t.feature[n] < 0;
      ids.push(tree);
      nodeIds.push(n);
      featureIds.push(leaf ? 0 : t.feature[n]);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      values.push(leaf ? 0 : t.threshold[n]);
      trueIds.push(leaf ? 0 : t.left[n]);
      falseIds.push(leaf ? 0 : t.right[n]);
      if (leaf) {
        targetTree.push(tree);
        targetNode.push(n);
        weights.push(t.value[n]);
      }
    }
  });
  const treesOut = e.linear ? 'tree_scores' : RANKER_OUTPUT;
  const width = e.features.length;
  return encodeModel({
    name: 'quiver_search_ranker_trees',
    inputs: [valueInfo(RANKER_INPUT, 'FP32', ['batch', width])],
    outputs: [valueInfo(RANKER_OUTPUT, 'FP32', ['batch', 1])],
    opsets: [{ domain: ML_DOMAIN, version: 3 }],
    initializers: e.linear ? [floatTensor(LINEAR_WEIGHTS, [width, 1], Float32Array.from(e.linear))] : [],
    nodes: [
      node(
        'TreeEnsembleRegressor',
        [RANKER_INPUT],
        [treesOut],
        {
          n_targets: 1,
          aggregate_function: 'SUM',
          post_transform: 'NONE',
          nodes_treeids: ids,
          nodes_nodeids: nodeIds,
          nodes_featureids: featureIds,
          nodes_modes: modes,
          nodes_values: Float32Array.from(values),
          nodes_truenodeids: trueIds,
          nodes_falsenodeids: falseIds,
          target_treeids: targetTree,
          target_nodeids: targetNode,
          target_ids: targetTree.map(() => 0),
          target_weights: Float32Array.from(weights),
        },
        ML_DOMAIN,
      ),
      ...(e.linear
        ? [
            node('MatMul', [RANKER_INPUT, LINEAR_WEIGHTS], ['linear_scores']),
            node('Add', ['linear_scores', treesOut], [RANKER_OUTPUT]),
          ]
        : []),
    ],
  });
};

/**
 * The trees of a graph `treeRankerGraph` wrote, read back from its bytes (undefined: not such a graph), so a
 * trainer can score the serving trees ranker on its test queries. `features` names the input columns.
 */
export const treesFromGraph = (bytes: Uint8Array, features: readonly string[]): TreeEnsemble | undefined => {
  const model = onnx.ModelProto.decode(bytes);
  const n = model.graph?.node?.find((x) => x.opType === 'TreeEnsembleRegressor' && x.domain === ML_DOMAIN);
  if (!n) return undefined;
  const attr = new Map((n.attribute ?? []).map((a) => [a.name ?? '', a]));
  const ints = (name: string) => (attr.get(name)?.ints ?? []).map(Number);
  const floats = (name: string) => attr.get(name)?.floats ?? [];
  const modes = (attr.get('nodes_modes')?.strings ?? []).map((s) => new TextDecoder().decode(s));
  const [treeIds, nodeIds, featureIds, trueIds, falseIds] = [
    'nodes_treeids',
    'nodes_nodeids',
    'nodes_featureids',
    'nodes_truenodeids',
    'nodes_falsenodeids',
  ].map(ints);
  const values = floats('nodes_values');
  const trees: RegressionTree[] = [];
  treeIds.forEach((t, i) => {
    trees[t] ??= { feature: [], threshold: [], left: [], right: [], value: [] };
    const tree = trees[t];
    const at = nodeIds[i];
    const leaf = modes[i] === 'LEAF';
    tree.feature[at] = leaf ? -1 : featureIds[i];
    tree.threshold[at] = leaf ? 0 : values[i];
    tree.left[at] = leaf ? 0 : trueIds[i];
    tree.right[at] = leaf ? 0 : falseIds[i];
    tree.value[at] = 0;
  });
  const targetTrees = ints('target_treeids');
  const targetNodes = ints('target_nodeids');
  const weights = floats('target_weights');
  targetTrees.forEach((t, i) => {
    trees[t].value[targetNodes[i]] += weights[i];
  });
  const w = model.graph?.initializer?.find((t) => t.name === LINEAR_WEIGHTS);
  const raw = w?.rawData;
  const linear = raw
    ? [...new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))]
    : undefined;
  return { features: [...features], trees, ...(linear ? { linear } : {}) };
};

/** A trees ranker version's artifact and metadata (`ranker.kind` 'trees', its input columns named). */
export const treeRankerVersion = (
  e: TreeEnsemble,
  o: RankerVersionOptions,
  params?: Record<string, number>,
): { artifact: Buffer; metadata: VersionMetadata } => ({
  artifact: treeRankerGraph(e),
  metadata: rankerVersionMetadata(e.features, o, {
    kind: 'trees',
    features: [...e.features],
    trees: e.trees.length,
    ...(params ? { params } : {}),
  }),
});

/** The input columns of a trees ranker version from its metadata (undefined: not a trees ranker). */
export const treeRankerFeatures = (metadata: Record<string, unknown>): string[] | undefined => {
  const ranker = metadata.ranker as { kind?: unknown; features?: unknown } | undefined;
  return ranker?.kind === 'trees' && Array.isArray(ranker.features)
    ? (ranker.features as string[])
    : undefined;
};
