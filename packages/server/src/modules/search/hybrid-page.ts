// A hybrid page in relevance order without pins, facets or a personal boost, from the keyword head and the
// vector candidates alone: rescored by the second phase, or fused (`fusedWindow`) when it is off.

import { withSpan } from '../../kernel/index.ts';
import { fusedWindow } from './fused-window.ts';
import type { Fused } from './fusion.ts';
import {
  type Page,
  type PageRequest,
  passes,
  type Retrieval,
  secondPhase,
  VECTOR_CANDIDATES,
} from './page.ts';

const toHits = (req: PageRequest, ranked: readonly Fused[]): Page['hits'] =>
  ranked.map((r) => ({ item: req.index.items.get(r.id)!, score: r.score, retrievers: [...r.retrievers] }));

/**
 * The page, or undefined when the second phase's accepted candidates do not reach its end (a deeper page, or
 * a filter that leaves too few): the complete ranking answers then.
 */
export const hybridPage = async (retrieval: Retrieval, req: PageRequest): Promise<Page | undefined> => {
  const { index, query, offset, limit } = req;
  const from = offset;
  const to = offset + limit;
  // Without a vector retriever (the tenant's vectors off) the keyword head alone is rescored.
  const vectors = retrieval.vectors;
  const vector = vectors
    ? await withSpan('search.vectors', { 'quiver.search.candidates': VECTOR_CANDIDATES }, () =>
        vectors.query(req.tenantId, query.text, VECTOR_CANDIDATES),
      )
    : [];
  const matching = req.filtered ? passes(req) : undefined;
  const accept = matching ?? ((id: string) => index.items.has(id));
  const rerank = retrieval.rerank;
  if (!rerank) {
    const found = fusedWindow(
      index.keyword,
      query,
      req.keyword,
      vector,
      retrieval.fusion,
      { from, to },
      accept,
      matching,
    );
    return { hits: toHits(req, found.page), total: found.total };
  }
  // The second phase rescores the keyword head and the vector candidates; a page within the accepted
  // candidates is final.
  const head = withSpan('search.keyword_head', { 'quiver.search.window': rerank.keywordWindow }, () =>
    index.keyword.head(query, rerank.keywordWindow, {
      ...req.keyword,
      accept: matching,
      present: vector.map((v) => v.id),
    }),
  );
  const rescored = await withSpan('search.second_phase', {}, () =>
    secondPhase(retrieval, rerank, req, { keyword: head.hits, keywordDocs: head.docs, vector }),
  );
  // The page needs the first `to` accepted candidates only.
  const accepted = rescored.best(to, accept);
  if (accepted.length < to) return undefined;
  let total = head.total;
  for (const id of new Set(vector.map((v) => v.id))) if (!head.present.has(id) && accept(id)) total++;
  return { hits: toHits(req, accepted.slice(from, to)), total };
};
