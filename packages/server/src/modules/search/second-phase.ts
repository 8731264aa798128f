// Hybrid's second phase as the service runs it: the candidates' features, scored by the tenant's ranker (an
// ONNX model through the inference path) or, when there is none or it fails, by the built-in weights here.
import type { Fused, Ranked } from './fusion.ts';
import type { RankerServed, SecondPhaseScorer } from './ports.ts';
import type { AnalyzedQuery } from './query.ts';
import {
  bestRescored,
  type CoverageOf,
  type RerankCandidate,
  type RerankConfig,
  ranksBelow,
  rerankCandidates,
  rerankScore,
  sortRescored,
} from './rerank.ts';

export interface Rescored {
  /** The rescored candidates, best first (sorted when first read). */
  readonly candidates: Fused[];
  /** The first `count` of `candidates` that `accept` takes (fewer when there are not so many), without sorting them all. */
  best(count: number, accept: (id: string) => boolean): Fused[];
  /**
   * Every other entry of `lists` in RRF order, scored below the candidates: computed only when called (a
   * page within the candidates does not need it).
   */
  rest: () => Fused[];
  /** The endpoint variant that scored them, when the ranker is an endpoint and answered. */
  served?: RankerServed;
  /** Whether the tenant's ranker scored them (else the built-in weights did). */
  byModel: boolean;
}

export const rescore = async (
  deps: { ranker?: SecondPhaseScorer; onError?: (error: unknown) => void },
  config: RerankConfig,
  tenantId: string,
  query: AnalyzedQuery,
  lists: { keyword: Ranked[]; vector: Ranked[]; keywordDocs?: readonly number[] },
  coverageOf: CoverageOf,
  notices: string[],
  unit?: { userId?: string },
  wideOf?: (candidates: readonly RerankCandidate[]) => readonly (readonly number[])[],
): Promise<Rescored> => {
  const candidates = rerankCandidates(query, lists, coverageOf, config);
  const inProcess = () => candidates.map((c) => rerankScore(c, config.weights));
  let scores: number[];
  let served: RankerServed | undefined;
  let byModel = deps.ranker !== undefined;
  try {
    const answer = deps.ranker
      ? await deps.ranker.score(
          tenantId,
          candidates.map((c) => c.features),
          unit,
          wideOf && (() => wideOf(candidates)),
        )
      : { scores: inProcess() };
    scores = answer.scores;
    served = answer.served;
    if (scores.length !== candidates.length)
      throw new Error(`the ranker gave ${scores.length} scores for ${candidates.length} candidates`);
  } catch (error) {
    // A failing ranker degrades the ranking, never the answer.
    deps.onError?.(error);
    notices.push('hybrid: the ranker failed, ranked by the built-in weights');
    scores = inProcess();
    served = undefined;
    byModel = false;
  }
  if (served?.degraded) notices.push(`hybrid: the ${served.endpoint} endpoint answered from its fallback`);
  let sorted: Fused[] | undefined;
  const all = () => {
    sorted ??= sortRescored(candidates, scores);
    return sorted;
  };
  return {
    get candidates() {
      return all();
    },
    best: (count, accept) => bestRescored(candidates, scores, count, accept),
    rest: () => ranksBelow(all(), lists),
    served,
    byModel,
  };
};
