// Highlighting: a text with the words that match the query's index terms in <mark>, HTML-escaped, and a
// snippet (a window of words around the first match) for long texts such as descriptions.
import type { SearchHit } from '@quiver/contracts';
import { stem } from './tokenize.ts';

const WORD = /[\p{L}\p{N}]+/gu;
/** Words of a snippet, and how many of them come before its first match. */
export const SNIPPET_WORDS = 24;
const SNIPPET_BEFORE = 6;

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Lowercase with accents removed, as the index folds words. */
export const fold = (w: string): string => w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** Whether a word of the text stands for one of the terms (as the index analyzes it). */
const isMatch = (word: string, terms: ReadonlySet<string>): boolean => {
  const w = fold(word);
  return terms.has(w) || terms.has(stem(w));
};

interface Span {
  start: number;
  end: number;
  match: boolean;
}

const spansOf = (text: string, terms: ReadonlySet<string>): Span[] =>
  [...text.matchAll(WORD)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    match: isMatch(m[0], terms),
  }));

/** `text[from, to)` escaped, with the matched words in <mark>. */
const mark = (text: string, spans: readonly Span[], from: number, to: number): string => {
  let out = '';
  let at = from;
  for (const s of spans) {
    if (!s.match || s.start < from || s.end > to) continue;
    out += `${escapeHtml(text.slice(at, s.start))}<mark>${escapeHtml(text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  return out + escapeHtml(text.slice(at, to));
};

/** The whole text, escaped, matches marked. */
export const highlight = (text: string, terms: ReadonlySet<string>): string =>
  mark(text, spansOf(text, terms), 0, text.length);

/**
 * A window of SNIPPET_WORDS words starting a few before the first match (the text's start without one), with
 * `…` where it cuts the text.
 */
export const snippet = (text: string, terms: ReadonlySet<string>): string => {
  const spans = spansOf(text, terms);
  if (spans.length <= SNIPPET_WORDS) return mark(text, spans, 0, text.length);
  const first = Math.max(
    0,
    spans.findIndex((s) => s.match),
  );
  const lo = Math.max(0, Math.min(first - SNIPPET_BEFORE, spans.length - SNIPPET_WORDS));
  const hi = Math.min(spans.length, lo + SNIPPET_WORDS);
  const from = lo === 0 ? 0 : spans[lo].start;
  const to = hi === spans.length ? text.length : spans[hi - 1].end;
  return `${from > 0 ? '…' : ''}${mark(text, spans, from, to)}${to < text.length ? '…' : ''}`;
};

/** The hit with its highlights (title, brand, description snippet) for these matched terms. */
export const withHighlights = (hit: SearchHit, terms: ReadonlySet<string>): SearchHit => {
  const { title, brand, description } = hit.item;
  return {
    ...hit,
    highlights: {
      ...(title ? { title: highlight(title, terms) } : {}),
      ...(brand ? { brand: highlight(brand, terms) } : {}),
      ...(description ? { snippet: snippet(description, terms) } : {}),
    },
  };
};
