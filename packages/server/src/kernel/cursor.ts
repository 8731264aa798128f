// Opaque pagination cursors: base64url JSON that clients must not parse.
import { QuiverError } from './errors.ts';

export const encodeCursor = (position: Record<string, string | number>): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

export const decodeCursor = <K extends string>(
  cursor: string,
  keys: readonly K[],
): Record<K, string | number> => {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const key of keys) {
      const v = value?.[key];
      if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`missing ${key}`);
    }
    return value as Record<K, string | number>;
  } catch (cause) {
    throw new QuiverError('invalid_cursor', 'The cursor is not one this server issued', {
      errors: [{ path: '/cursor', message: 'not a valid cursor' }],
      cause,
    });
  }
};

export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
}

/** Turns `limit + 1` fetched rows into a page and the cursor after its last row. */
export const pageOf = <T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => Record<string, string | number>,
): Page<T> => {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(positionOf(page[page.length - 1])) };
};
