// Ranks of a few documents among many matches without sorting the matches: O(matches × log targets).

/**
 * For each target (document numbers sorted best first: score descending, then id ascending), how many of
 * `matched` rank above it in that order. Each match is above a suffix of the targets, found by binary search
 * on score; among targets with the same score, by a second binary search on id.
 */
export const ranksAmong = (
  matched: ArrayLike<number>,
  targets: readonly number[],
  scores: Float64Array,
  ids: readonly string[],
): Int32Array => {
  const n = targets.length;
  const ranks = new Int32Array(n);
  if (n === 0) return ranks;
  const tScores = Float64Array.from(targets, (no) => scores[no]);
  // Where each target's run of equal scores begins (ids ascend within a run).
  const runStart = new Int32Array(n);
  for (let t = 1; t < n; t++) runStart[t] = tScores[t] === tScores[t - 1] ? runStart[t - 1] : t;
  // starts[t]: matches whose suffix of targets below them begins at t.
  const starts = new Int32Array(n + 1);
  for (let i = 0; i < matched.length; i++) {
    const no = matched[i];
    const x = scores[no];
    if (x < tScores[n - 1]) continue; // below every target
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tScores[mid] < x) hi = mid;
      else lo = mid + 1;
    }
    if (lo > 0 && tScores[lo - 1] === x) {
      const id = ids[no];
      let a = runStart[lo - 1];
      let z = lo;
      while (a < z) {
        const mid = (a + z) >> 1;
        if (ids[targets[mid]] > id) z = mid;
        else a = mid + 1;
      }
      lo = a;
    }
    starts[lo]++;
  }
  let above = 0;
  for (let t = 0; t < n; t++) {
    above += starts[t];
    ranks[t] = above;
  }
  return ranks;
};
