// Lists as async iterators: `for await (const item of quiver.items.list())` walks every page lazily.
import type { CallOptions, Query, Transport } from './transport.ts';
import type { CursorPage } from './types.ts';

/** A lazily fetched list: iterate its items, or its pages; nothing is requested before iteration starts. */
export interface Paginated<T, P> extends AsyncIterable<T> {
  /** Every page as the server answered it (cursors, positions). */
  pages(): AsyncIterable<P>;
  /** Collects every item: convenient for small lists, unbounded for large ones. */
  toArray(): Promise<T[]>;
}

/**
 * `next(page, previousToken)` returns the token for the following page, or null at the end. Cursor lists
 * pass `nextCursor`; position lists (events, changes) pass the last position while a page is not empty.
 */
export const paginate = <T, P, K>(
  fetchPage: (token: K | undefined) => Promise<P>,
  itemsOf: (page: P) => T[],
  next: (page: P) => K | null,
): Paginated<T, P> => {
  const pages = async function* (): AsyncGenerator<P> {
    let token: K | undefined;
    for (;;) {
      const page = await fetchPage(token);
      yield page;
      const following = next(page);
      if (following === null) return;
      token = following;
    }
  };
  const items = async function* (): AsyncGenerator<T> {
    for await (const page of pages()) yield* itemsOf(page);
  };
  return {
    [Symbol.asyncIterator]: items,
    pages,
    async toArray() {
      const all: T[] = [];
      for await (const item of items()) all.push(item);
      return all;
    },
  };
};

/** The usual `{<list>, nextCursor}` page. */
export const byCursor = <P extends { nextCursor: string | null }>(page: P): string | null => page.nextCursor;

/** A `GET` cursor list (`limit`, `cursor` → `{<field>: T[], nextCursor}`) as a Paginated. */
export const cursorList = <F extends string, T>(
  t: Transport,
  path: string,
  field: F,
  { limit, ...o }: CallOptions & { limit?: number },
  query: Query = {},
): Paginated<T, CursorPage<F, T>> =>
  paginate(
    (cursor: string | undefined) =>
      t.call<CursorPage<F, T>>({ method: 'GET', path, query: { ...query, limit, cursor } }, o),
    (page) => page[field] as T[],
    byCursor,
  );
