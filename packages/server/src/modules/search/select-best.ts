// The best k of the keyword index's scored matches in one pass over them: a heap in typed arrays (scores and
// document numbers side by side, no entry objects, no comparator closure per offer), which also counts the
// accepted matches and zeroes every score it reads, so the index's score buffer is clean for the next query.

export interface Selected {
  /** The best documents' numbers, best first: score descending, then id ascending. */
  nos: number[];
  /** Their scores, in the same order. */
  scores: number[];
  /** Matches the filter accepted (all of them without one). */
  total: number;
}

/**
 * Selects from `matched[0 … count)`, scored in `scores` by document number. `idBefore(a, b)`: whether document a's
 * id sorts before b's (the tie-break). `accept`: only the documents it accepts are counted and ranked.
 */
export const selectBest = (
  matched: Int32Array,
  count: number,
  scores: Float64Array,
  k: number,
  idBefore: (a: number, b: number) => boolean,
  accept?: (no: number) => boolean,
): Selected => {
  const size = Math.max(0, k);
  const heapScore = new Float64Array(size);
  const heapNo = new Int32Array(size);
  // The heap's worst entry at the root: entry i is worse than (s, no) when its score is lower, or equal with a
  // later id.
  let held = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const no = matched[i];
    const s = scores[no];
    scores[no] = 0;
    if (accept !== undefined && !accept(no)) continue;
    total++;
    if (held < size) {
      // Sift up: parents better than the new entry move down (the worst stays at the root).
      let at = held++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        const ps = heapScore[parent];
        if (ps < s || (ps === s && idBefore(no, heapNo[parent]))) break;
        heapScore[at] = ps;
        heapNo[at] = heapNo[parent];
        at = parent;
      }
      heapScore[at] = s;
      heapNo[at] = no;
      continue;
    }
    if (size === 0) continue;
    // Most matches lose to the worst held on score alone.
    const rootScore = heapScore[0];
    if (s < rootScore || (s === rootScore && idBefore(heapNo[0], no))) continue;
    let at = 0;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      let c = l;
      const r = l + 1;
      if (r < size) {
        const ls = heapScore[l];
        const rs = heapScore[r];
        // The worse child: lower score, or the same score and the later id.
        if (rs < ls || (rs === ls && idBefore(heapNo[l], heapNo[r]))) c = r;
      }
      const cs = heapScore[c];
      if (cs > s || (cs === s && idBefore(heapNo[c], no))) break;
      heapScore[at] = cs;
      heapNo[at] = heapNo[c];
      at = c;
    }
    heapScore[at] = s;
    heapNo[at] = no;
  }
  const order = Array.from({ length: held }, (_, i) => i).sort(
    (a, b) => heapScore[b] - heapScore[a] || (idBefore(heapNo[a], heapNo[b]) ? -1 : 1),
  );
  return { nos: order.map((i) => heapNo[i]), scores: order.map((i) => heapScore[i]), total };
};
