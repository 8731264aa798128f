// Score parts of a page's hits (`explain: true`): each retriever's own score and rank, what fusion added for
// each, the second phase's score and who gave it. Recomputed for the page's hits after the page is built, so
// the page builders stay as they are; costs one more full keyword scoring and vector query per search.
import type { ScoreParts, SearchHit } from '@quiver/contracts';
import { DEFAULT_FUSION, type FusionConfig, type Ranked } from './fusion.ts';
import { type PageRequest, type Retrieval, VECTOR_CANDIDATES } from './page.ts';
import { personalFactor } from './personalize.ts';

type Place = { score: number; rank: number };

/** Each id's first place in a ranked list (rank 1 = first). */
const placesOf = (list: readonly Ranked[]): Map<string, Place> => {
  const places = new Map<string, Place>();
  list.forEach((h, i) => {
    if (!places.has(h.id)) places.set(h.id, { score: h.score, rank: i + 1 });
  });
  return places;
};

/** What one retriever's place adds to the fused score (as `fuse` computes it). */
const contribution = (
  config: FusionConfig,
  name: 'keyword' | 'vector',
  place: Place | undefined,
  top: number,
): number => {
  if (!place) return 0;
  if (config.method === 'rrf') return 1 / (config.k + place.rank);
  return config[name] * (top > 0 ? place.score / top : 0);
};

/** The hits with their `scoreParts`. */
export const explainHits = async (
  retrieval: Retrieval,
  req: PageRequest,
  hits: readonly SearchHit[],
  affinity: ReadonlyMap<string, number> | undefined,
): Promise<SearchHit[]> => {
  const { mode, query } = req;
  const keyword = mode === 'vector' || query.empty ? [] : req.index.keyword.search(query, req.keyword);
  const vector =
    mode === 'keyword' || query.empty || !retrieval.vectors
      ? []
      : await retrieval.vectors.query(req.tenantId, query.text, VECTOR_CANDIDATES);
  const keywordAt = placesOf(keyword);
  const vectorAt = placesOf(vector);
  // With the second phase on, matches below its candidates are ordered by RRF (rerank.ts, ranksBelow).
  const fusion = retrieval.rerank ? DEFAULT_FUSION : retrieval.fusion;
  const rescored = req.rescored;
  const secondScores = new Map(rescored?.candidates.map((c) => [c.id, c.score]));
  return hits.map((hit) => {
    const id = hit.item.id;
    const k = keywordAt.get(id);
    const v = vectorAt.get(id);
    const parts: ScoreParts = {};
    if (k) parts.keyword = { bm25: k.score, rank: k.rank };
    if (v) parts.vector = { similarity: v.score, rank: v.rank };
    if (mode === 'hybrid' && (k || v)) {
      const kw = contribution(fusion, 'keyword', k, keyword[0]?.score ?? 0);
      const vec = contribution(fusion, 'vector', v, vector[0]?.score ?? 0);
      parts.fusion = { method: fusion.method, keyword: kw, vector: vec, score: kw + vec };
    }
    const second = secondScores.get(id);
    if (rescored && second !== undefined)
      parts.secondPhase = {
        score: second,
        ranker: rescored.byModel ? 'model' : 'built-in',
        ...(req.served ? { variant: req.served.variant } : {}),
      };
    const pinned = hit.retrievers.includes('pinned');
    if (pinned) parts.pinned = true;
    else if (affinity) parts.personalFactor = personalFactor(hit.item, affinity);
    return { ...hit, scoreParts: parts };
  });
};
