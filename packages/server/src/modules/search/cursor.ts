// A search's opaque cursor: the offset where the next page starts and a fingerprint of the search it belongs
// to (query, effective filter, sort, mode, user), so a cursor is refused by any other search. After an explored
// first page shorter than the explored ranks, it also carries the ids that page showed (`x`): later pages leave
// them out, so no item shows twice and none of the best 20 is skipped.
import type { SearchRequest } from '@quiver/contracts';
import { decodeCursor, encodeCursor, QuiverError, sha256Hex } from '../../kernel/index.ts';
import type { Filter } from './filters.ts';

/** The effective filter, not the request's: a cursor from a search with other embedded filters is refused. */
export const fingerprintOf = (request: SearchRequest, filter: Filter | undefined, sort: string): string =>
  sha256Hex(JSON.stringify([request.query, filter, sort, request.mode, request.userId])).slice(0, 16);

/** The most ids a cursor carries: an explored first page's, which is shorter than the ranks it explores. */
const MAX_SHOWN = 20;

const notThisSearch = () =>
  new QuiverError('invalid_cursor', 'The cursor belongs to a different search', {
    errors: [{ path: '/cursor', message: 'not from this query' }],
  });

/** The ids an explored first page showed, as a cursor carries them; anything else is not a cursor of ours. */
const shownOf = (x: unknown): string[] | undefined => {
  if (x === undefined) return undefined;
  const ids: unknown = typeof x === 'string' ? JSON.parse(x) : undefined;
  if (!Array.isArray(ids) || ids.length > MAX_SHOWN || !ids.every((id) => typeof id === 'string'))
    throw notThisSearch();
  return ids;
};

/**
 * Where the cursor resumes (0 without one), and the ids an explored first page showed (later pages leave them
 * out); a cursor of another search is refused.
 */
export const positionOf = (
  cursor: string | undefined,
  fingerprint: string,
): { offset: number; shown?: string[] } => {
  if (!cursor) return { offset: 0 };
  const c = decodeCursor(cursor, ['o', 'f']) as Record<string, unknown>;
  if (c.f !== fingerprint || typeof c.o !== 'number' || c.o < 0) throw notThisSearch();
  let shown: string[] | undefined;
  try {
    shown = shownOf(c.x);
  } catch {
    throw notThisSearch();
  }
  return { offset: c.o, ...(shown ? { shown } : {}) };
};

/**
 * The cursor of the page after the one ending at `end`, or null when that was the last; `shown`: the ids an
 * explored first page showed, carried on to every later page.
 */
export const nextCursor = (
  end: number,
  total: number,
  fingerprint: string,
  shown?: readonly string[],
): string | null => {
  if (end >= total) return null;
  return encodeCursor(
    shown?.length ? { o: end, f: fingerprint, x: JSON.stringify(shown) } : { o: end, f: fingerprint },
  );
};

const DEFAULT_LIMIT = 20;

/** Where a request's page starts and how long it is: by cursor, or by page number (`page`, 1 = first). */
export const pagingOf = (
  request: SearchRequest,
  fingerprint: string,
): { offset: number; limit: number; page?: number; shown?: string[] } => {
  const { hitsPerPage, page } = request;
  // `limit` has a schema default, so it is always there: hitsPerPage, when sent, wins.
  const limit = hitsPerPage ?? request.limit ?? DEFAULT_LIMIT;
  if (page === undefined) return { ...positionOf(request.cursor, fingerprint), limit };
  if (request.cursor)
    throw new QuiverError('validation_failed', 'page and cursor are two ways of paging: send one', {
      errors: [{ path: '/page', message: 'cannot be combined with cursor' }],
    });
  return { offset: (page - 1) * limit, limit, page };
};
