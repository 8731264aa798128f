// Bounded top-k selection over numbered entries (documents, item rows): a binary heap holding the k best seen
// so far, its worst at the root, so keeping the best k of m costs O(m log k) instead of sorting all m.

/** True when entry `a` ranks below `b` (e.g. a lower score, or the same score and a later id). */
export type Worse = (a: number, b: number) => boolean;

export class TopK {
  private readonly heap: number[] = [];

  constructor(
    private readonly k: number,
    private readonly worse: Worse,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** The worst document held once k are held (a candidate must beat it), else undefined. */
  get threshold(): number | undefined {
    return this.heap.length === this.k ? this.heap[0] : undefined;
  }

  /** Offers a document; it is kept when fewer than k are held or it beats the worst held. */
  offer(no: number): void {
    const h = this.heap;
    if (this.k <= 0) return;
    if (h.length < this.k) {
      h.push(no);
      this.up(h.length - 1);
    } else if (this.worse(h[0], no)) {
      h[0] = no;
      this.down(0);
    }
  }

  /** The documents held, best first (empties the heap). */
  drain(): number[] {
    const out = new Array<number>(this.heap.length);
    for (let i = out.length - 1; i >= 0; i--) {
      out[i] = this.heap[0];
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
    }
    return out;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.worse(h[l], h[m])) m = l;
      if (r < h.length && this.worse(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
