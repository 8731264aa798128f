// Query suggestions (autocomplete) for what a shopper has typed: shoppers' past queries that begin with it
// and still find an item the caller may see, then completions of the last word from matching item titles.
import type { Item, Suggestion } from '@quiver/contracts';
import type { QueryOptions } from './keyword-index.ts';
import { analyzeQuery } from './query.ts';
import type { TenantIndex } from './tenant-index.ts';
import { stem, words } from './tokenize.ts';

/** Matching items whose titles are read for completions. */
const TITLE_CANDIDATES = 50;

export interface SuggestInput {
  index: TenantIndex;
  /** What was typed. */
  text: string;
  limit: number;
  keyword: QueryOptions;
  /** Whether the caller may see the item (filters, a scoped key's embedded ones). */
  pass: (item: Item | undefined) => item is Item;
  /** Past queries (normalized) beginning with the typed text, most searched first, with their counts. */
  pastQueries: ReadonlyArray<{ query: string; searches: number }>;
}

export const suggest = ({ index, text, limit, keyword, pass, pastQueries }: SuggestInput): Suggestion[] => {
  const typed = words(text);
  if (typed.length === 0) return [];
  const accept = (id: string) => pass(index.items.get(id));
  const out: Suggestion[] = [];
  const seen = new Set<string>();
  for (const { query, searches } of pastQueries) {
    if (out.length >= limit) break;
    if (seen.has(query) || index.keyword.top(analyzeQuery(query), 1, { ...keyword, accept }).total === 0)
      continue;
    seen.add(query);
    out.push({ text: query, source: 'query', count: searches });
  }
  if (out.length >= limit) return out;
  // The last word completed (or corrected) as the index expands it, with the words before it kept as typed.
  const last = typed[typed.length - 1];
  const head = typed.slice(0, -1).join(' ');
  const lastTerms = index.keyword.matchedTerms(analyzeQuery(last), keyword);
  const counts = new Map<string, number>();
  const found = index.keyword.top(analyzeQuery(text), TITLE_CANDIDATES, { ...keyword, accept });
  for (const hit of found.hits) {
    const completion = words(index.items.get(hit.id)!.title).find(
      (w) => w.startsWith(last) || lastTerms.has(stem(w)),
    );
    if (!completion) continue;
    const suggestion = head ? `${head} ${completion}` : completion;
    counts.set(suggestion, (counts.get(suggestion) ?? 0) + 1);
  }
  const catalog = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [s, count] of catalog) {
    if (out.length >= limit) break;
    if (seen.has(s)) continue;
    seen.add(s);
    out.push({ text: s, source: 'catalog', count });
  }
  return out;
};
