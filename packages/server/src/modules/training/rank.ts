// Top-k selection over a score array: best first, ties broken by the lower index so results are deterministic.
import { TopK } from '../../kernel/index.ts';

/**
 * The indexes of the k best entries of `scores` among `candidates` (all indexes when absent) whose score is
 * above `minScore`, leaving out those where `exclude(i)` is true.
 */
export const topK = (
  scores: ArrayLike<number>,
  k: number,
  options: { candidates?: ArrayLike<number>; exclude?: (i: number) => boolean; minScore?: number } = {},
): number[] => {
  const { candidates, exclude, minScore = Number.NEGATIVE_INFINITY } = options;
  const best = new TopK(k, (a, b) => scores[a] < scores[b] || (scores[a] === scores[b] && a > b));
  const n = candidates ? candidates.length : scores.length;
  for (let c = 0; c < n; c++) {
    const i = candidates ? candidates[c] : c;
    if (scores[i] > minScore && !exclude?.(i)) best.offer(i);
  }
  return best.drain();
};
