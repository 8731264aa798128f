// A search's opaque cursor: the offset where the next page starts and a fingerprint of the search it belongs
// to (query, effective filter, sort, mode, user), so a cursor is refused by any other search.
import type { SearchRequest } from '@quiver/contracts';
import { decodeCursor, encodeCursor, QuiverError, sha256Hex } from '../../kernel/index.ts';
import type { Filter } from './filters.ts';

/** The effective filter, not the request's: a cursor from a search with other embedded filters is refused. */
export const fingerprintOf = (request: SearchRequest, filter: Filter | undefined, sort: string): string =>
  sha256Hex(JSON.stringify([request.query, filter, sort, request.mode, request.userId])).slice(0, 16);

/** Where the cursor resumes (0 without one); a cursor of another search is refused. */
export const offsetOf = (cursor: string | undefined, fingerprint: string): number => {
  if (!cursor) return 0;
  const c = decodeCursor(cursor, ['o', 'f']);
  if (c.f !== fingerprint || typeof c.o !== 'number' || c.o < 0)
    throw new QuiverError('invalid_cursor', 'The cursor belongs to a different search', {
      errors: [{ path: '/cursor', message: 'not from this query' }],
    });
  return c.o;
};

/** The cursor of the page after the one ending at `end`, or null when that was the last. */
export const nextCursor = (end: number, total: number, fingerprint: string): string | null =>
  end < total ? encodeCursor({ o: end, f: fingerprint }) : null;

const DEFAULT_LIMIT = 20;

/** Where a request's page starts and how long it is: by cursor, or by page number (`page`, 1 = first). */
export const pagingOf = (
  request: SearchRequest,
  fingerprint: string,
): { offset: number; limit: number; page?: number } => {
  const { hitsPerPage, page } = request;
  // `limit` has a schema default, so it is always there: hitsPerPage, when sent, wins.
  const limit = hitsPerPage ?? request.limit ?? DEFAULT_LIMIT;
  if (page === undefined) return { offset: offsetOf(request.cursor, fingerprint), limit };
  if (request.cursor)
    throw new QuiverError('validation_failed', 'page and cursor are two ways of paging: send one', {
      errors: [{ path: '/page', message: 'cannot be combined with cursor' }],
    });
  return { offset: (page - 1) * limit, limit, page };
};
