// The recommender model contract (issue 10) and the ONNX graphs that carry it. Every recommender — a
// neighbour table, item factors, fixed scores — is one registry model version with the same signature, so
// an endpoint can route, canary and roll back between them like any model:
//   inputs  `items` BYTES [1, n] (context item ids), `weights` FP32 [1, n]
//   outputs `item_ids` BYTES [1, K], `scores` FP32 [1, K], best first.
// Ids map to rows with ai.onnx.ml LabelEncoder; an unknown id (and the padding id "") maps to an all-zero
// padding row, so unknown context counts for nothing.
import {
  encodeModel,
  floatTensor,
  type Initializer,
  int64Tensor,
  type Node,
  node,
  stringTensor,
  valueInfo,
} from '../../kernel/onnx/graph.ts';
import type { InferRequestBody, InferViewsBody } from '../inference/index.ts';
import type { VersionMetadata } from '../registry/index.ts';

export const RECOMMENDER_KINDS = ['cooccurrence', 'als', 'popularity', 'content', 'userknn'] as const;
export type RecommenderKind = (typeof RECOMMENDER_KINDS)[number];

export const SCENARIOS = ['similar-items', 'bought-together', 'for-user', 'trending'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The registry model each trainer kind publishes to. */
export const MODEL_OF_KIND: Readonly<Record<RecommenderKind, string>> = {
  cooccurrence: 'recs-cooccurrence',
  als: 'recs-als',
  popularity: 'recs-popularity',
  content: 'recs-content',
  userknn: 'recs-userknn',
};

/**
 * The endpoint that answers each scenario and the kind named when it is missing; a run of that kind (or of one
 * in `alsoBy`) creates it when missing, routed to its own `champion`.
 */
export const SCENARIO_ENDPOINTS: Readonly<
  Record<Scenario, { endpoint: string; kind: RecommenderKind; alsoBy?: readonly RecommenderKind[] }>
> = {
  'similar-items': { endpoint: 'recs-similar-items', kind: 'content' },
  'bought-together': { endpoint: 'recs-bought-together', kind: 'cooccurrence' },
  'for-user': { endpoint: 'recs-for-user', kind: 'als', alsoBy: ['userknn'] },
  trending: { endpoint: 'recs-trending', kind: 'popularity' },
};

export const INPUT_ITEMS = 'items';
export const INPUT_WEIGHTS = 'weights';
export const OUTPUT_IDS = 'item_ids';
export const OUTPUT_SCORES = 'scores';
/** The id of "no context" (and of the padding row): weight it 0. */
export const PADDING_ID = '';
export const DEFAULT_TOP_K = 500;
/** Fixed-score models (trending) answer more, so a category filter still finds enough. */
export const DEFAULT_SCORES_TOP_K = 5000;
export const RECOMMENDER_FRAMEWORK = 'quiver-recommend';

export type RecommenderGraph = 'neighbours' | 'factors' | 'scores' | 'userknn';

/**
 * The contract's version (`metadata.recommender.contract`): 1 (absent) for the graphs linear in the context
 * (neighbours, factors, scores); 2 adds `userknn`, whose top K over customers is taken per request, so it is
 * not linear in the context. Inputs and outputs are the same in both. A server serves the versions it knows.
 */
export const CONTRACT_VERSION = 2;
export const contractOf = (graph: RecommenderGraph): number => (graph === 'userknn' ? 2 : 1);

/** `metadata.recommender` of a version: what the caller needs to read its answers. */
export interface RecommenderInfo {
  kind: RecommenderKind;
  graph: RecommenderGraph;
  /** The contract version the graph needs (absent: 1). */
  contract?: number;
  /** Items the model knows (N). */
  items: number;
  /** Candidates per answer (K). */
  topK: number;
  runId?: string;
  params?: Record<string, unknown>;
}

export interface NeighboursSpec {
  ids: readonly string[];
  /** Row-major [N, m]: the neighbours' row indices; -1 = none. */
  neighbours: Int32Array;
  /** Row-major [N, m]: their weights (> 0). */
  weights: Float32Array;
  /** Neighbours per item. */
  m: number;
  topK?: number;
}

export interface FactorsSpec {
  ids: readonly string[];
  /** Row-major [N, dim]. */
  factors: Float32Array;
  dim: number;
  /** Row-major [dim, dim], applied to the weighted sum of the context's factors (ALS fold-in); none = identity. */
  projection?: Float32Array;
  topK?: number;
}

export interface ScoresSpec {
  ids: readonly string[];
  scores: Float32Array;
  topK?: number;
}

const ML_OPSET = { domain: 'ai.onnx.ml', version: 2 };

export const check = (ok: boolean, message: string) => {
  if (!ok) throw new Error(`recommender graph: ${message}`);
};

export const checkIds = (ids: readonly string[]) => {
  check(ids.length > 0, 'no items');
  check(new Set(ids).size === ids.length, 'duplicate item ids');
  check(!ids.includes(PADDING_ID), 'the empty id is the padding id');
};

/** K of a graph over `n` items: min(N + 1, topK or the graph's default). */
export const topKOf = (n: number, graph: RecommenderGraph, topK?: number): number =>
  Math.min(n + 1, topK ?? (graph === 'scores' ? DEFAULT_SCORES_TOP_K : DEFAULT_TOP_K));

/** The shared head and tail: ids → row indices (unknown → pad row N), and scores → TopK → ids. */
export const common = (ids: readonly string[], k: number) => ({
  head: [
    node(
      'LabelEncoder',
      [INPUT_ITEMS],
      ['rows'],
      { keys_strings: [...ids], values_int64s: ids.map((_, i) => i), default_int64: ids.length },
      'ai.onnx.ml',
    ),
    node('Unsqueeze', [INPUT_WEIGHTS, 'axis_last'], ['weights3']),
  ] as Node[],
  tail: [
    node('TopK', ['all_scores', 'k'], [OUTPUT_SCORES, 'top_rows'], { axis: -1, largest: 1, sorted: 1 }),
    node('Gather', ['ids', 'top_rows'], [OUTPUT_IDS], { axis: 0 }),
  ] as Node[],
  initializers: [
    stringTensor('ids', [ids.length + 1], [...ids, PADDING_ID]),
    int64Tensor('k', [1], [k]),
    int64Tensor('axis_last', [1], [2]),
  ] as Initializer[],
});

export const model = (
  name: string,
  k: number,
  c: ReturnType<typeof common>,
  nodes: Node[],
  init: Initializer[],
) =>
  encodeModel({
    name,
    inputs: [valueInfo(INPUT_ITEMS, 'BYTES', [1, 'n']), valueInfo(INPUT_WEIGHTS, 'FP32', [1, 'n'])],
    outputs: [valueInfo(OUTPUT_IDS, 'BYTES', [1, k]), valueInfo(OUTPUT_SCORES, 'FP32', [1, k])],
    initializers: [...c.initializers, ...init],
    nodes: [...c.head, ...nodes, ...c.tail],
    opsets: [ML_OPSET],
  });

/**
 * out = Σ_r scale_r · weights[r] placed at indices[r], over the `rows` of a padded sparse table: Gather both
 * tables' rows, scale the weights, flatten (the initializer `flat`) and add each term at its index into
 * `zeros` (ScatterElements with add). Intermediate names are prefixed with `out`.
 */
export const scatterRows = (o: {
  indices: string;
  weights: string;
  rows: string;
  scale: string;
  zeros: string;
  out: string;
}): Node[] => [
  node('Gather', [o.indices, o.rows], [`${o.out}_indices`], { axis: 0 }),
  node('Gather', [o.weights, o.rows], [`${o.out}_weights`], { axis: 0 }),
  node('Mul', [`${o.out}_weights`, o.scale], [`${o.out}_terms`]),
  node('Reshape', [`${o.out}_indices`, 'flat'], [`${o.out}_flat_indices`]),
  node('Reshape', [`${o.out}_terms`, 'flat'], [`${o.out}_flat_terms`]),
  node('ScatterElements', [o.zeros, `${o.out}_flat_indices`, `${o.out}_flat_terms`], [o.out], {
    axis: 1,
    reduction: 'add',
  }),
];

/**
 * Pads a [rows, m] table with a last all-pad row; -1 (and non-positive weights) become `pad` at weight 0.
 * Indices must be below `limit`; `what` names one in the error.
 */
export const padded = (
  idx: Int32Array,
  w: Float32Array,
  rows: number,
  m: number,
  pad: number,
  limit: number,
  what = 'index',
) => {
  const outIdx = new Int32Array((rows + 1) * m).fill(pad);
  const outW = new Float32Array((rows + 1) * m);
  for (let r = 0; r < rows * m; r++) {
    const j = idx[r];
    check(j >= -1 && j < limit, `${what} ${j} out of range`);
    if (j >= 0 && w[r] > 0) {
      outIdx[r] = j;
      outW[r] = w[r];
    }
  }
  return { outIdx, outW };
};

/** scores = Σ_j w_j · row_j of a sparse neighbour table (Gather, then ScatterElements with add). */
export const neighboursGraph = (s: NeighboursSpec): Buffer => {
  checkIds(s.ids);
  const n = s.ids.length;
  check(s.neighbours.length === n * s.m && s.weights.length === n * s.m, 'table is not [N, m]');
  const { outIdx: rows, outW: weights } = padded(s.neighbours, s.weights, n, s.m, n, n, 'neighbour index');
  const k = topKOf(n, 'neighbours', s.topK);
  const c = common(s.ids, k);
  return model(
    'quiver_recommender_neighbours',
    k,
    c,
    [
      ...scatterRows({
        indices: 'neighbour_rows',
        weights: 'neighbour_weights',
        rows: 'rows',
        scale: 'weights3',
        zeros: 'zeros',
        out: 'all_scores',
      }),
    ],
    [
      int64Tensor('neighbour_rows', [n + 1, s.m], rows),
      floatTensor('neighbour_weights', [n + 1, s.m], weights),
      int64Tensor('flat', [2], [1, -1]),
      floatTensor('zeros', [1, n + 1], new Float32Array(n + 1)),
    ],
  );
};

/** scores = ((Σ_j w_j · Q_j) · P) · Qᵀ over item factors Q (kept transposed: [dim, N + 1]). */
export const factorsGraph = (s: FactorsSpec): Buffer => {
  checkIds(s.ids);
  const n = s.ids.length;
  const d = s.dim;
  check(s.factors.length === n * d, 'factors are not [N, dim]');
  check(!s.projection || s.projection.length === d * d, 'projection is not [dim, dim]');
  const qt = new Float32Array(d * (n + 1));
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) qt[f * (n + 1) + i] = s.factors[i * d + f];
  const k = topKOf(n, 'factors', s.topK);
  const c = common(s.ids, k);
  const project = s.projection
    ? [node('MatMul', ['user_raw', 'projection'], ['user'])]
    : [node('Identity', ['user_raw'], ['user'])];
  return model(
    'quiver_recommender_factors',
    k,
    c,
    [
      // [dim, N+1] gathered on axis 1 by rows [1, n] → [dim, 1, n]; weighted; summed over n → [dim, 1].
      node('Gather', ['factors_t', 'rows'], ['ctx_factors'], { axis: 1 }),
      node('Mul', ['ctx_factors', INPUT_WEIGHTS], ['weighted']),
      node('ReduceSum', ['weighted', 'axis_last'], ['summed'], { keepdims: 0 }),
      node('Transpose', ['summed'], ['user_raw'], { perm: [1, 0] }),
      ...project,
      node('MatMul', ['user', 'factors_t'], ['all_scores']),
    ],
    [
      floatTensor('factors_t', [d, n + 1], qt),
      ...(s.projection ? [floatTensor('projection', [d, d], s.projection)] : []),
    ],
  );
};

/** A fixed score per item (popularity); the context is accepted and ignored. */
export const scoresGraph = (s: ScoresSpec): Buffer => {
  checkIds(s.ids);
  const n = s.ids.length;
  check(s.scores.length === n, 'scores are not [N]');
  const k = topKOf(n, 'scores', s.topK);
  const c = common(s.ids, k);
  const fixed = new Float32Array(n + 1);
  fixed.set(s.scores);
  return model(
    'quiver_recommender_scores',
    k,
    c,
    // The context's rows and weights feed nothing; `all_scores` does not depend on them.
    [node('Identity', ['fixed_scores'], ['all_scores'])],
    [floatTensor('fixed_scores', [1, n + 1], fixed)],
  );
};

/** The fixed parts of a recommender version's metadata (the contract's batching, cache and sample). */
export const recommenderMetadata = (o: {
  info: RecommenderInfo;
  description?: string;
  trainingWindow?: { from: string; to: string };
  metrics?: Record<string, number>;
}): VersionMetadata => ({
  framework: RECOMMENDER_FRAMEWORK,
  description: o.description ?? `${o.info.kind} recommender over ${o.info.items} items`,
  ...(o.trainingWindow ? { trainingWindow: o.trainingWindow } : {}),
  ...(o.metrics ? { metrics: o.metrics } : {}),
  // Inputs vary in length per request: one request per run.
  batching: { maxBatchSize: 1 },
  cache: { enabled: true, ttlSeconds: 30 },
  sampleInput: [
    { name: INPUT_ITEMS, datatype: 'BYTES', shape: [1, 1], data: [PADDING_ID] },
    { name: INPUT_WEIGHTS, datatype: 'FP32', shape: [1, 1], data: [0] },
  ],
  recommender: o.info,
});

/** The request body for a context (item ids with weights; none → the padding id at weight 0). */
export const recommenderRequest = (
  context: readonly { id: string; weight: number }[],
  parameters?: InferRequestBody['parameters'],
): InferRequestBody => {
  const ctx = context.length > 0 ? context : [{ id: PADDING_ID, weight: 0 }];
  return {
    ...(parameters ? { parameters } : {}),
    inputs: [
      { name: INPUT_ITEMS, datatype: 'BYTES', shape: [1, ctx.length], data: ctx.map((c) => c.id) },
      { name: INPUT_WEIGHTS, datatype: 'FP32', shape: [1, ctx.length], data: ctx.map((c) => c.weight) },
    ],
  };
};

/**
 * The candidates of an answer, best first, after the contract's rules (no padding; no evidence dropped),
 * read lazily: a caller that needs the first few does not convert the rest. Iterable more than once.
 */
export const candidatesOf = (
  body: InferViewsBody,
  graph: RecommenderGraph,
): Iterable<{ id: string; score: number }> => {
  const ids = body.outputs.find((o) => o.name === OUTPUT_IDS)?.data;
  const scores = body.outputs.find((o) => o.name === OUTPUT_SCORES)?.data;
  if (!ids || !scores || ids.length !== scores.length)
    throw new Error('recommender answer lacks item_ids/scores of one length');
  const evidenceOnly = graph !== 'factors';
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < ids.length; i++) {
        const id = String(ids[i]);
        const score = Number(scores[i]);
        if (id === PADDING_ID || !Number.isFinite(score) || (evidenceOnly && score <= 0)) continue;
        yield { id, score };
      }
    },
  };
};

/** The candidates of an answer, best first, after the contract's rules (no padding; no evidence dropped). */
export const readCandidates = (
  body: InferViewsBody,
  graph: RecommenderGraph,
): { id: string; score: number }[] => [...candidatesOf(body, graph)];

/** `metadata.recommender` of a version, or undefined when the version is not a recommender. */
export const recommenderInfo = (metadata: VersionMetadata): RecommenderInfo | undefined => {
  const info = metadata.recommender as RecommenderInfo | undefined;
  if (metadata.framework !== RECOMMENDER_FRAMEWORK || !info || typeof info !== 'object') return undefined;
  // A version written for a later contract than this server's is not read as a recommender.
  return (info.contract ?? 1) <= CONTRACT_VERSION ? info : undefined;
};
