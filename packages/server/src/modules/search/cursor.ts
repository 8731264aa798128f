// A search's opaque cursor: the offset where the next page starts and a fingerprint of the search it belongs
// to (query, effective filter, sort, mode, user), so a cursor is refused by any other search. After an explored
// first page shorter than the explored ranks, it also carries which of the ranking's best 20 that page showed
// (`x`, a mask of ranks: a few bytes whatever the ids): later pages leave them out, so no item shows twice and
// none of the best 20 is skipped.
import type { SearchRequest } from '@quiver/contracts';
import { decodeCursor, encodeCursor, QuiverError, sha256Hex } from '../../kernel/index.ts';
import { EXPLORE_TO } from './explore.ts';
import type { Filter } from './filters.ts';

/** The effective filter, not the request's: a cursor from a search with other embedded filters is refused. */
export const fingerprintOf = (request: SearchRequest, filter: Filter | undefined, sort: string): string =>
  sha256Hex(JSON.stringify([request.query, filter, sort, request.mode, request.userId])).slice(0, 16);

const notThisSearch = () =>
  new QuiverError('invalid_cursor', 'The cursor belongs to a different search', {
    errors: [{ path: '/cursor', message: 'not from this query' }],
  });

/** A mask of ranks among the best EXPLORE_TO (explore.ts ranksOf), at least one set. */
const isRanks = (x: unknown): x is number =>
  Number.isInteger(x) && (x as number) > 0 && (x as number) < 2 ** EXPLORE_TO;

/**
 * Where the cursor resumes (0 without one), and the ranks an explored first page showed (later pages leave
 * them out); a cursor of another search is refused.
 */
export const positionOf = (
  cursor: string | undefined,
  fingerprint: string,
): { offset: number; shownRanks?: number } => {
  if (!cursor) return { offset: 0 };
  const c = decodeCursor(cursor, ['o', 'f']) as Record<string, unknown>;
  if (c.f !== fingerprint || typeof c.o !== 'number' || c.o < 0) throw notThisSearch();
  if (c.x === undefined) return { offset: c.o };
  if (!isRanks(c.x)) throw notThisSearch();
  return { offset: c.o, shownRanks: c.x };
};

/**
 * The cursor of the page after the one ending at `end`, or null when that was the last; `shownRanks`: the
 * ranks an explored first page showed, carried on to every later page.
 */
export const nextCursor = (
  end: number,
  total: number,
  fingerprint: string,
  shownRanks?: number,
): string | null => {
  if (end >= total) return null;
  return encodeCursor(shownRanks ? { o: end, f: fingerprint, x: shownRanks } : { o: end, f: fingerprint });
};

const DEFAULT_LIMIT = 20;

/** Where a request's page starts and how long it is: by cursor, or by page number (`page`, 1 = first). */
export const pagingOf = (
  request: SearchRequest,
  fingerprint: string,
): { offset: number; limit: number; page?: number; shownRanks?: number } => {
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
