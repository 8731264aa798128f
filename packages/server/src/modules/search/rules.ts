// Applies a tenant's search rules: synonyms become per-word alternatives for the keyword index; curations
// pin items first (in order) and hide items for a query, matched on the normalized query text.
import type { SearchRules } from '@quiver/contracts';
import type { AnalyzedQuery } from './query.ts';
import { words } from './tokenize.ts';

export const EMPTY_RULES: SearchRules = { synonyms: [], curations: [] };

/** A rule's text as curations and synonym keys compare it (the query's own is `AnalyzedQuery.normalized`). */
export const normalizeQuery = (text: string): string => words(text).join(' ');

/** Word → the terms it also stands for (multi-way: each term ↔ the others; one-way: `from` → terms). */
export const synonymMap = (rules: SearchRules, query: AnalyzedQuery): Map<string, string[]> => {
  const qwords = new Set(query.words);
  const out = new Map<string, string[]>();
  const add = (word: string, alts: string[]) => {
    const key = normalizeQuery(word);
    if (!qwords.has(key)) return;
    out.set(key, [...(out.get(key) ?? []), ...alts.filter((a) => normalizeQuery(a) !== key)]);
  };
  for (const s of rules.synonyms) {
    if (s.from !== undefined) add(s.from, s.terms);
    else for (const t of s.terms) add(t, s.terms);
  }
  return out;
};

export const curationFor = (
  rules: SearchRules,
  query: AnalyzedQuery,
): { pin: string[]; hide: Set<string> } => {
  const q = query.normalized;
  const pin: string[] = [];
  const hide = new Set<string>();
  for (const c of rules.curations) {
    if (normalizeQuery(c.query) !== q) continue;
    pin.push(...(c.pin ?? []));
    for (const id of c.hide ?? []) hide.add(id);
  }
  return { pin: pin.filter((id) => !hide.has(id)), hide };
};
