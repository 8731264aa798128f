// The complete ranking a heavy search pages through, every match best first: a browse's every item in id
// order, or the mode's retrievers' matches (hybrid: rescored by the second phase, or fused when it is off).
import type { Retriever } from '@quiver/contracts';
import { fuse } from './fusion.ts';
import { type PageRequest, type Retrieval, secondPhase, VECTOR_CANDIDATES } from './page.ts';
import type { TenantIndex } from './tenant-index.ts';

/** A ranked candidate; without `retrievers`, found by the mode's only retriever. */
export type Candidate = { id: string; score: number; retrievers?: Retriever[] };

export const NO_RETRIEVERS: Retriever[] = [];

/** An empty query's ranking: every item, in id order, found by no retriever. */
export const browseRanking = (index: TenantIndex): Candidate[] =>
  index.sortedIds().map((id) => ({ id, score: 0, retrievers: NO_RETRIEVERS }));

/** Every match of the request's query in its mode, best first. */
export const retrieveRanking = async (retrieval: Retrieval, req: PageRequest): Promise<Candidate[]> => {
  const { mode, query } = req;
  // The vector query (encoder on a worker thread, then HNSW) is started first and runs while the keyword
  // index scores on this thread.
  // Without a vector retriever (the tenant's vectors off) hybrid rescores the keyword matches alone.
  const vectorHits =
    mode === 'keyword'
      ? undefined
      : (retrieval.vectors?.query(req.tenantId, query.text, VECTOR_CANDIDATES) ?? Promise.resolve([]));
  const keyword = mode === 'vector' ? undefined : req.index.keyword.search(query, req.keyword);
  const vector = await vectorHits;
  // Single-retriever lists are passed on as they are: `retrievers` absent means the mode's one retriever.
  if (mode === 'keyword') return keyword!;
  if (mode === 'vector') return vector!;
  if (!retrieval.rerank) return fuse({ keyword, vector }, retrieval.fusion);
  const lists = { keyword: keyword!, vector: vector! };
  const { candidates, rest } = await secondPhase(retrieval, retrieval.rerank, req, lists);
  return [...candidates, ...rest()];
};
