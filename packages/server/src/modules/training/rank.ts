// Top-k selection over a score array: best first, ties broken by the lower index so results are deterministic.

/** Whether a (score, index) pair ranks before another. */
const better = (sa: number, ia: number, sb: number, ib: number) => sa > sb || (sa === sb && ia < ib);

/**
 * The indexes of the k best entries of `scores` among `candidates` (all indexes when absent) whose score is
 * above `minScore`, skipping those where `skip(i)` is true. A bounded min-heap: O(n log k).
 */
export const topK = (
  scores: ArrayLike<number>,
  k: number,
  options: { candidates?: ArrayLike<number>; skip?: (i: number) => boolean; minScore?: number } = {},
): number[] => {
  const { candidates, skip, minScore = Number.NEGATIVE_INFINITY } = options;
  const heap: number[] = []; // worst at heap[0]
  const worse = (a: number, b: number) => better(scores[b], b, scores[a], a);
  const down = (at: number) => {
    for (let p = at; ; ) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === p) return;
      [heap[p], heap[m]] = [heap[m], heap[p]];
      p = m;
    }
  };
  const up = (at: number) => {
    for (let c = at; c > 0; ) {
      const p = (c - 1) >> 1;
      if (!worse(heap[c], heap[p])) return;
      [heap[p], heap[c]] = [heap[c], heap[p]];
      c = p;
    }
  };
  const n = candidates ? candidates.length : scores.length;
  if (k <= 0) return [];
  for (let c = 0; c < n; c++) {
    const i = candidates ? candidates[c] : c;
    const s = scores[i];
    if (!(s > minScore) || skip?.(i)) continue;
    if (heap.length < k) {
      heap.push(i);
      up(heap.length - 1);
    } else if (better(s, i, scores[heap[0]], heap[0])) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((a, b) => (better(scores[a], a, scores[b], b) ? -1 : 1));
};
