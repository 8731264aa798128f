// Second-phase ranking of hybrid search (phased ranking, as in Vespa): the first phase's best candidates from
// each retriever are rescored by a small linear model over their retriever scores and the share of the
// query's words the item contains; the rest of the matches follow in reciprocal-rank-fusion order.
import type { Retriever } from '@quiver/contracts';
import { TopK } from '../../kernel/index.ts';
import { type Fused, fuse, type Ranked } from './fusion.ts';
import { type AnalyzedQuery, analyzeQuery } from './query.ts';
import { analyze } from './tokenize.ts';

export interface RerankConfig {
  /** How many of the keyword retriever's best hits are rescored. */
  keywordWindow: number;
  /** How many of the vector retriever's nearest items are rescored. */
  vectorWindow: number;
  weights: {
    /** × keyword score / the best keyword score among the candidates (0 when not found by keyword). */
    keyword: number;
    /** × cosine / the best cosine among the candidates (a keyword-only candidate gets the window's lowest). */
    vector: number;
    /** × the share of the query's distinct terms found in the item's title, brand or description start. */
    coverage: number;
  };
}

/**
 * Learned on chorus-icecat by coordinate ascent on NDCG@10 over all 135 judged queries (`npm run bench --
 * relevance`, which also cross-validates it: 0.680 on held-out queries against 0.634 for keyword alone).
 */
export const DEFAULT_RERANK: RerankConfig = {
  keywordWindow: 500,
  vectorWindow: 50,
  weights: { keyword: 1, vector: 0.15, coverage: 1.4 },
};

/** Only the start of a description is read for coverage: what an item is comes first, and it bounds the cost. */
export const COVERAGE_DESCRIPTION_CHARS = 1000;

/** The fields of an item the coverage feature reads. */
export interface RerankText {
  title: string;
  brand?: string;
  description?: string;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Whether the lowercased, accent-folded `text` holds a word whose analyzed form is `term`: the same answer as
 * `analyze(text).includes(term)` without analyzing every word. Stems keep all but at most their last letter
 * of the word as a prefix ("batteries" → "battery", "spies" → "spy"), so only words starting so are stemmed.
 */
export const containsTerm = (text: string, term: string): boolean => {
  const head = term.length > 1 ? term.slice(0, -1) : term;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, at + 1)) {
    if (at > 0 && WORD_CHAR.test(text[at - 1])) continue;
    let end = at + head.length;
    while (end < text.length && WORD_CHAR.test(text[end])) end++;
    const word = text.slice(at, end);
    if (analyze(word)[0] === term) return true;
  }
  return false;
};

/** The text coverage reads: title, brand and the description's start, accents folded, lowercased. */
export const coverageText = (item: RerankText): string => {
  let text = `${item.title} ${item.brand ?? ''} ${(item.description ?? '').slice(0, COVERAGE_DESCRIPTION_CHARS)}`;
  if (NON_ASCII.test(text)) text = text.normalize('NFKD').replace(/\p{M}/gu, '');
  return text.toLowerCase();
};

/** The share of `terms` (distinct analyzed query terms) among the item's analyzed text. */
export const coverage = (terms: readonly string[], item: RerankText): number => {
  if (terms.length === 0) return 0;
  const text = coverageText(item);
  return terms.filter((t) => containsTerm(text, t)).length / terms.length;
};

/**
 * For the distinct analyzed query terms, each item's coverage by id (undefined: unknown item), given with the
 * item's keyword-index document number when the caller has it. The search service answers from
 * `CoverageTerms` (analyzed at index time, by document number); `coverageOfText` reads the items' text.
 * `candidates`: about how many items will be asked (lets `CoverageTerms` count the terms' documents at once).
 */
export type CoverageOf = (
  terms: readonly string[],
  candidates?: number,
) => (id: string, doc?: number) => number | undefined;

export const coverageOfText =
  (textOf: (id: string) => RerankText | undefined): CoverageOf =>
  (terms) =>
  (id) => {
    const text = textOf(id);
    return text && coverage(terms, text);
  };

/** A rescored candidate's features, in the order of `RERANK_FEATURES`. */
export const RERANK_FEATURES = ['keyword', 'vector', 'coverage'] as const;
export interface RerankCandidate {
  id: string;
  retrievers: Retriever[];
  features: [keyword: number, vector: number, coverage: number];
}

/** The model's score of one candidate. */
export const rerankScore = (c: RerankCandidate, weights: RerankConfig['weights']): number =>
  weights.keyword * c.features[0] + weights.vector * c.features[1] + weights.coverage * c.features[2];

/**
 * The candidates of the second phase (each retriever's window) with their features; `coverageOf` gives an
 * item's coverage (undefined: unknown item, left out), by document number for the keyword hits when
 * `keywordDocs` gives them (the keyword head's `docs`).
 */
export const rerankCandidates = (
  query: AnalyzedQuery,
  lists: { keyword: Ranked[]; vector: Ranked[]; keywordDocs?: readonly number[] },
  coverageOf: CoverageOf,
  windows: Pick<RerankConfig, 'keywordWindow' | 'vectorWindow'> = DEFAULT_RERANK,
): RerankCandidate[] => {
  const keyword =
    lists.keyword.length > windows.keywordWindow
      ? lists.keyword.slice(0, windows.keywordWindow)
      : lists.keyword;
  const vector =
    lists.vector.length > windows.vectorWindow ? lists.vector.slice(0, windows.vectorWindow) : lists.vector;
  const maxKeyword = keyword[0]?.score ?? 0;
  const maxVector = vector[0]?.score ?? 0;
  const minVector = vector[vector.length - 1]?.score ?? 0;
  const covered = coverageOf(query.terms, keyword.length + vector.length);
  // Keyword candidates first, in their order (the keyword list holds each id once, as an index's head does),
  // then the vector-only ones. A candidate found by both gets its cosine where it stands (the last one listed,
  // should the vector list repeat an id). Without vector candidates (vectors off) no id is looked up twice.
  const cosineOf = new Map<string, number>();
  for (const h of vector) cosineOf.set(h.id, maxVector > 0 ? h.score / maxVector : 0);
  const emptyVector = maxVector > 0 ? minVector / maxVector : 0;
  const docs = lists.keywordDocs;
  const out: RerankCandidate[] = [];
  for (let i = 0; i < keyword.length; i++) {
    const h = keyword[i];
    const share = covered(h.id, docs?.[i]);
    // An unknown item is left out.
    if (share === undefined) continue;
    const keywordScore = maxKeyword > 0 ? h.score / maxKeyword : 0;
    const cosine = cosineOf.size > 0 ? cosineOf.get(h.id) : undefined;
    out.push(
      cosine === undefined
        ? { id: h.id, retrievers: ['keyword'], features: [keywordScore, emptyVector, share] }
        : { id: h.id, retrievers: ['keyword', 'vector'], features: [keywordScore, cosine, share] },
    );
  }
  if (vector.length === 0) return out;
  const taken = new Set<string>();
  for (const h of keyword) taken.add(h.id);
  for (const h of vector) {
    if (taken.has(h.id)) continue;
    taken.add(h.id);
    const share = covered(h.id);
    if (share === undefined) continue;
    out.push({ id: h.id, retrievers: ['vector'], features: [0, cosineOf.get(h.id) ?? 0, share] });
  }
  return out;
};

/** The candidates with their second-phase scores (in the candidates' order), best first. */
export const sortRescored = (candidates: readonly RerankCandidate[], scores: readonly number[]): Fused[] => {
  const rescored: Fused[] = candidates.map((c, i) => ({
    id: c.id,
    score: scores[i],
    retrievers: c.retrievers,
  }));
  return rescored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
};

/**
 * The first `count` entries of `sortRescored(candidates, scores)` that `accept` takes (fewer when there are
 * not so many), without sorting or making an entry for every candidate: a page reads the best few of ~500.
 */
export const bestRescored = (
  candidates: readonly RerankCandidate[],
  scores: readonly number[],
  count: number,
  accept: (id: string) => boolean,
): Fused[] => {
  const out: Fused[] = [];
  const take = (c: RerankCandidate, score: number) => {
    if (out.length < count && accept(c.id)) out.push({ id: c.id, score, retrievers: c.retrievers });
  };
  // The order of `sortRescored`: score descending, then id ascending.
  const worse = (a: number, b: number) =>
    scores[a] < scores[b] || (scores[a] === scores[b] && candidates[a].id > candidates[b].id);
  // The best k, deepened while the filter leaves fewer than `count` of them.
  for (let k = count; k > 0 && k < candidates.length; k *= 4) {
    const best = new TopK(k, worse);
    for (let i = 0; i < candidates.length; i++) best.offer(i);
    out.length = 0;
    for (const i of best.drain()) take(candidates[i], scores[i]);
    if (out.length === count) return out;
  }
  out.length = 0;
  for (const f of sortRescored(candidates, scores)) if (out.length < count && accept(f.id)) out.push(f);
  return out;
};

/**
 * Every match of `lists` that is not a candidate (`rescored`, best first), in RRF order, with scores below the
 * lowest candidate's.
 */
export const ranksBelow = (
  rescored: readonly Fused[],
  lists: { keyword: Ranked[]; vector: Ranked[] },
): Fused[] => {
  const seen = new Set(rescored.map((c) => c.id));
  const floor = rescored.length > 0 ? rescored[rescored.length - 1].score : 0;
  const rest = fuse(lists, { method: 'rrf', k: 60 }).filter((f) => !seen.has(f.id));
  const top = rest[0]?.score || 1;
  // Below the floor, in fused order: within (0, floor / 2] when the floor is positive, so a personal boost
  // (a factor ≤ 1.5) keeps them below every candidate and never turns into a penalty; else floor − 2 + (0, 1].
  for (const f of rest) f.score = floor > 0 ? (floor / 2) * (f.score / top) : floor - 2 + f.score / top;
  return rest;
};

/**
 * Hybrid ranking from the candidates' second-phase scores (in the candidates' order): the candidates first,
 * best first, then every other match in RRF order with scores below the lowest candidate's.
 */
export const orderRescored = (
  candidates: readonly RerankCandidate[],
  scores: readonly number[],
  lists: { keyword: Ranked[]; vector: Ranked[] },
): Fused[] => {
  const rescored = sortRescored(candidates, scores);
  return [...rescored, ...ranksBelow(rescored, lists)];
};

/** Hybrid ranking with the linear model computed here (the ONNX ranker computes the same in the engine). */
export const rerank = (
  query: string,
  lists: { keyword: Ranked[]; vector: Ranked[] },
  textOf: (id: string) => RerankText | undefined,
  config: RerankConfig = DEFAULT_RERANK,
): Fused[] => {
  const candidates = rerankCandidates(analyzeQuery(query), lists, coverageOfText(textOf), config);
  return orderRescored(
    candidates,
    candidates.map((c) => rerankScore(c, config.weights)),
    lists,
  );
};
