// One page of a hybrid ranking without fusing every keyword match: the keyword head plus the exact keyword
// ranks of the vector candidates are fused, and the page is read only as far as that fused list is certain.
import { type Fused, type FusionConfig, fuse, type Ranked } from './fusion.ts';
import type { KeywordIndex, QueryOptions } from './keyword-index.ts';
import type { AnalyzedQuery } from './query.ts';

export interface FusedWindow {
  /** Positions from … to - 1 of the accepted entries of the complete fused ranking. */
  page: Fused[];
  /** Accepted entries in the complete fused ranking (keyword matches and vector candidates). */
  total: number;
}

/**
 * The same page and total as fusing every keyword match with `vector` and then filtering by `accept`.
 * Keyword matches left out of the head rank below it and are in no other list, so none of them can fuse
 * above the first one left out: the fused list is certain down to that score (found by fusing it alone,
 * whatever the fusion method). When the filter leaves too few above it, the head is deepened.
 */
export const fusedWindow = (
  keyword: KeywordIndex,
  query: AnalyzedQuery,
  options: QueryOptions,
  vector: readonly Ranked[],
  fusion: FusionConfig,
  window: { from: number; to: number },
  accept: (id: string) => boolean,
  /** `accept` for keyword matches; undefined when it takes them all (they are indexed items): not called then. */
  acceptMatch: ((id: string) => boolean) | undefined,
): FusedWindow => {
  const locate = vector.map((v) => v.id);
  // The head's own entries all fuse above the first one left out, so `to` of them always fill an unfiltered
  // page; a filter may reject some, so it starts deeper.
  let depth = acceptMatch ? window.to + vector.length : window.to;
  for (;;) {
    const head = keyword.head(query, depth + 1, { ...options, accept: acceptMatch, locate });
    const complete = head.hits.length <= depth;
    // A sparse list: each entry at its true rank in the complete keyword ranking (fuse reads ranks from it).
    const list: Ranked[] = head.hits.slice(0, depth);
    for (const [id, { rank, score }] of head.located) if (rank >= depth) list[rank] = { id, score };
    let bound = Number.NEGATIVE_INFINITY;
    if (!complete) {
      const first = head.hits[depth];
      const probe: Ranked[] = [head.hits[0]];
      probe[depth] = first;
      bound = fuse({ keyword: probe }, fusion).find((f) => f.id === first.id)!.score;
    }
    const page: Fused[] = [];
    let taken = 0;
    for (const r of fuse({ keyword: list, vector: [...vector] }, fusion)) {
      if (r.score <= bound || taken >= window.to) break;
      if (!accept(r.id)) continue;
      if (taken >= window.from) page.push(r);
      taken++;
    }
    if (taken >= window.to || complete) {
      let total = head.total;
      for (const id of new Set(locate)) if (!head.located.has(id) && accept(id)) total++;
      return { page, total };
    }
    depth *= 4;
  }
};
