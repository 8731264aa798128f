// A search request's query analyzed once: what the rules, the keyword index and the second phase read of it,
// computed together so no stage tokenizes the text again (items are still analyzed by `tokenize.ts`).
import { isStopWord, stem, words } from './tokenize.ts';

export interface AnalyzedQuery {
  /** The query as sent (the vector retriever's input). */
  readonly text: string;
  /** Lowercase, accent-folded words, stop words kept (`words`). */
  readonly words: readonly string[];
  /** The words joined by single spaces: what curations match on. */
  readonly normalized: string;
  /** No words at all: a browse (every item, in id order). */
  readonly empty: boolean;
  /** The keyword index's clauses: the words without stop words, or all of them when every word is one. */
  readonly clauses: readonly string[];
  /** The last clause is the last word typed, so it may be a fragment (prefix expansion applies to it). */
  readonly lastIsTyped: boolean;
  /** The distinct analyzed terms (stop words dropped, stemmed), in order: what coverage counts. */
  readonly terms: readonly string[];
}

export const analyzeQuery = (text: string): AnalyzedQuery => {
  const all = words(text);
  const meaningful = all.filter((w) => !isStopWord(w));
  const clauses = meaningful.length > 0 ? meaningful : all;
  return {
    text,
    words: all,
    normalized: all.join(' '),
    empty: all.length === 0,
    clauses,
    lastIsTyped: clauses.length > 0 && all[all.length - 1] === clauses[clauses.length - 1],
    terms: [...new Set(meaningful.map(stem))],
  };
};

/** Callers that hold only the text (tests, benchmarks, the index's own string API) analyze it here. */
export const asQuery = (query: string | AnalyzedQuery): AnalyzedQuery =>
  typeof query === 'string' ? analyzeQuery(query) : query;
