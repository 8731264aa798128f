// The best k of the keyword index's scored matches: a heap in typed arrays (scores and document numbers side by
// side, no entry objects, no comparator closure per offer) for a page, the k-th best score first for a deep head;
// either counts the accepted matches and zeroes every score it reads, so the score buffer is clean for the next query.

export interface Selected {
  /** The best documents' numbers, best first: score descending, then id ascending. */
  nos: number[];
  /** Their scores, in the same order. */
  scores: number[];
  /** Matches the filter accepted (all of them without one). */
  total: number;
}

type Select = (
  matched: Int32Array,
  count: number,
  scores: Float64Array,
  k: number,
  idBefore: IdBefore,
  accept?: (no: number) => boolean,
) => Selected;

/**
 * Selects from `matched[0 … count)`, scored in `scores` by document number. `idBefore(a, b)`: whether document a's
 * id sorts before b's (the tie-break). `accept`: only the documents it accepts are counted and ranked.
 */
export const selectBest: Select = (matched, count, scores, k, idBefore, accept) =>
  k > HEAP_MAX
    ? selectByKth(matched, count, scores, k, idBefore, accept)
    : selectByHeap(matched, count, scores, k, idBefore, accept);

/**
 * Up to this k the heap of (score, number) entries is used; deeper selections (hybrid's 500-deep head) find the
 * k-th best score first, by a heap of scores alone, and compare ids only among the matches tied with it: a deep
 * heap's root is often tied (generated catalogs tie a lot), and each tie there costs id comparisons.
 */
export const HEAP_MAX = 64;

/** Whether document a's id sorts before b's (the tie-break of every ranking here). */
export type IdBefore = (a: number, b: number) => boolean;

/**
 * The best `size` of the (score, number) pairs offered: a heap in typed arrays with its worst entry at the root
 * (an entry is worse when its score is lower, or equal with a later id).
 */
export class PageHeap {
  private heapScore = new Float64Array(HEAP_MAX);
  private heapNo = new Int32Array(HEAP_MAX);
  private held = 0;
  private size = 0;
  private idBefore: IdBefore = () => false;

  /**
   * Empties it for a selection of `size` by `idBefore`. An index keeps one and resets it per query: a heap made
   * per query had its optimized code thrown away at major garbage collections (V8's "weak objects" deopt).
   */
  reset(size: number, idBefore: IdBefore): this {
    if (this.heapScore.length < size) {
      this.heapScore = new Float64Array(size);
      this.heapNo = new Int32Array(size);
    }
    this.size = size;
    this.idBefore = idBefore;
    this.held = 0;
    return this;
  }

  /**
   * Offers a document; returns the floor: a later score below it cannot enter (−Infinity while the heap has
   * room), so the caller skips the call for most matches.
   */
  offer(s: number, no: number): number {
    const { heapScore, heapNo, size, idBefore } = this;
    if (this.held < size) {
      // Sift up: parents better than the new entry move down (the worst stays at the root).
      let at = this.held++;
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
      return this.held < size ? Number.NEGATIVE_INFINITY : heapScore[0];
    }
    if (size === 0) return Number.POSITIVE_INFINITY;
    const rootScore = heapScore[0];
    if (s < rootScore || (s === rootScore && idBefore(heapNo[0], no))) return rootScore;
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
    return heapScore[0];
  }

  /** What it holds, best first, with the count of accepted matches the caller kept. */
  selected(total: number): Selected {
    const { heapScore, heapNo, idBefore } = this;
    const order = Array.from({ length: this.held }, (_, i) => i).sort(
      (a, b) => heapScore[b] - heapScore[a] || (idBefore(heapNo[a], heapNo[b]) ? -1 : 1),
    );
    return { nos: order.map((i) => heapNo[i]), scores: order.map((i) => heapScore[i]), total };
  }
}

/** selectByHeap's heap, one for the module: a selection runs to its end synchronously (see `PageHeap.reset`). */
const scratch = new PageHeap();

const selectByHeap: Select = (matched, count, scores, k, idBefore, accept) => {
  const heap = scratch.reset(Math.max(0, k), idBefore);
  // Most matches lose to the worst held on score alone.
  let floor = Number.NEGATIVE_INFINITY;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const no = matched[i];
    const s = scores[no];
    scores[no] = 0;
    if (accept !== undefined && !accept(no)) continue;
    total++;
    if (s >= floor) floor = heap.offer(s, no);
  }
  const selected = heap.selected(total);
  // Not kept: the tie-break belongs to the caller's index.
  heap.reset(0, NO_ORDER);
  return selected;
};
const NO_ORDER: IdBefore = () => false;

const selectByKth: Select = (matched, count, scores, k, idBefore, accept) => {
  let total = count;
  if (accept !== undefined) {
    // The accepted matches move to the front; the others are cleared now.
    total = 0;
    for (let i = 0; i < count; i++) {
      const no = matched[i];
      if (accept(no)) matched[total++] = no;
      else scores[no] = 0;
    }
  }
  if (total <= k) return selectByHeap(matched, total, scores, k, idBefore);
  const kth = kthBest(matched, total, scores, k);
  const above: number[] = [];
  const aboveScores: number[] = [];
  const tied: number[] = [];
  for (let i = 0; i < total; i++) {
    const no = matched[i];
    const s = scores[no];
    scores[no] = 0;
    if (s > kth) {
      above.push(no);
      aboveScores.push(s);
    } else if (s === kth) tied.push(no);
  }
  // The smallest ids among the tied fill the rest (a heap of `need` by id when more tie than fit).
  const need = k - above.length;
  let chosen = tied;
  if (tied.length > need) {
    // The module's heap, not a TopK made per query (its code was deoptimized at major GCs, as PageHeap's was).
    const first = scratch.reset(Math.max(0, need), idBefore);
    for (const no of tied) first.offer(kth, no);
    chosen = first.selected(0).nos;
    first.reset(0, NO_ORDER);
  }
  for (const no of chosen) {
    above.push(no);
    aboveScores.push(kth);
  }
  const order = Array.from({ length: above.length }, (_, i) => i).sort(
    (a, b) => aboveScores[b] - aboveScores[a] || (idBefore(above[a], above[b]) ? -1 : 1),
  );
  return { nos: order.map((i) => above[i]), scores: order.map((i) => aboveScores[i]), total };
};

/** kthBest's copy of the scores, one for the module (a selection runs to its end synchronously). */
let work = new Float64Array(1024);

/**
 * The k-th largest of the scores of `matched[0 … count)` (1 ≤ k ≤ count), by quickselect on a copy: linear on
 * average, where a k-deep heap pays a sift per score above its root (most of a 500-deep head's matches).
 */
export const kthBest = (matched: Int32Array, count: number, scores: Float64Array, k: number): number => {
  if (work.length < count) work = new Float64Array(Math.max(count, work.length * 2));
  const a = work;
  for (let i = 0; i < count; i++) a[i] = scores[matched[i]];
  // Its place in ascending order.
  const target = count - k;
  let lo = 0;
  let hi = count - 1;
  while (hi > lo) {
    const x = a[lo];
    const y = a[(lo + hi) >> 1];
    const z = a[hi];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    // Hoare's partition: [lo … j] ≤ pivot, [i … hi] ≥ pivot, anything between equals it. Ties swap too, so
    // long runs of equal scores (generated catalogs tie a lot) still split in the middle.
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
};
