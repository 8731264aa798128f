// The `userknn` graph (contract version 2): the same inputs and outputs as every recommender, but the scores
// come from the request's K most similar customers, chosen per request by TopK inside the graph:
//   sims[u]   = Σ_j w_j · itemUsers[j, u]             (ScatterElements over the context items' customer rows)
//   top       = TopK(sims, K)
//   scores[i] = Σ_{u ∈ top} sims[u]^sharpen · userItems[u, i]
// Both tables are padded rows (item → customers, customer → items); the pad customer U and pad item N carry 0.
import { floatTensor, int32Tensor, int64Tensor, node } from '../../kernel/onnx/graph.ts';
import { check, checkIds, common, model, padded, scatterRows, topKOf } from './artifact.ts';

export interface UserKnnSpec {
  ids: readonly string[];
  /** Customers (U). */
  users: number;
  /** Neighbours per request (K, at most U). */
  k: number;
  /** Similarities are raised to this power before they weigh a neighbour's items (1: as they are). */
  sharpen?: number;
  /** Row-major [N, mu]: each item's customers (-1 = none) and their similarity terms. */
  itemUsers: Int32Array;
  itemUserWeights: Float32Array;
  mu: number;
  /** Row-major [U, mi]: each customer's items (-1 = none) and their recency-weighted strengths. */
  userItems: Int32Array;
  userItemWeights: Float32Array;
  mi: number;
  topK?: number;
}

export const userKnnGraph = (s: UserKnnSpec): Buffer => {
  checkIds(s.ids);
  const n = s.ids.length;
  const u = s.users;
  check(u > 0, 'no customers');
  check(
    s.itemUsers.length === n * s.mu && s.itemUserWeights.length === n * s.mu,
    'item table is not [N, mu]',
  );
  check(
    s.userItems.length === u * s.mi && s.userItemWeights.length === u * s.mi,
    'customer table is not [U, mi]',
  );
  const iu = padded(s.itemUsers, s.itemUserWeights, n, s.mu, u, u);
  const ui = padded(s.userItems, s.userItemWeights, u, s.mi, n, n);
  const kUsers = Math.max(1, Math.min(s.k, u + 1));
  const sharpen = s.sharpen ?? 1;
  const k = topKOf(n, 'userknn', s.topK);
  const c = common(s.ids, k);
  return model(
    'quiver_recommender_userknn',
    k,
    c,
    [
      ...scatterRows({
        indices: 'item_users',
        weights: 'item_user_weights',
        rows: 'rows',
        scale: 'weights3',
        zeros: 'user_zeros',
        out: 'sims',
      }),
      node('TopK', ['sims', 'k_users'], ['top_sims', 'top_users'], { axis: -1, largest: 1, sorted: 1 }),
      ...(sharpen === 1
        ? [node('Identity', ['top_sims'], ['lent'])]
        : [node('Pow', ['top_sims', 'sharpen'], ['lent'])]),
      node('Unsqueeze', ['lent', 'axis_last'], ['lent3']),
      ...scatterRows({
        indices: 'user_items',
        weights: 'user_item_weights',
        rows: 'top_users',
        scale: 'lent3',
        zeros: 'zeros',
        out: 'all_scores',
      }),
    ],
    [
      int32Tensor('item_users', [n + 1, s.mu], iu.outIdx),
      floatTensor('item_user_weights', [n + 1, s.mu], iu.outW),
      int32Tensor('user_items', [u + 1, s.mi], ui.outIdx),
      floatTensor('user_item_weights', [u + 1, s.mi], ui.outW),
      int64Tensor('k_users', [1], [kUsers]),
      int64Tensor('flat', [2], [1, -1]),
      floatTensor('user_zeros', [1, u + 1], new Float32Array(u + 1)),
      floatTensor('zeros', [1, n + 1], new Float32Array(n + 1)),
      ...(sharpen === 1 ? [] : [floatTensor('sharpen', [], Float32Array.of(sharpen))]),
    ],
  );
};
