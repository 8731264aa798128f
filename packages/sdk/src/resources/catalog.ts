// The catalog: items (ETags and preconditions), batch upsert, the change feed: /v1/items, /v1/changes.
import { cursorList, type Paginated, paginate } from '../paginate.ts';
import { type CallOptions, path, type Transport } from '../transport.ts';
import type { BatchItem, BatchResponse, Change, ChangePage, Item, ItemInput, ItemPage } from '../types.ts';
import type { PageOptions } from './tenancy.ts';

export interface Preconditions extends CallOptions {
  /** Write only if the item's ETag still matches (else 412 precondition_failed). */
  ifMatch?: string;
  /** `*`: create only, never overwrite. */
  ifNoneMatch?: string;
}

/** An item read with its ETag; `item` is null when `ifNoneMatch` still matched (304). */
export interface ItemRead {
  item: Item | null;
  etag: string | null;
}

const preconditionHeaders = ({ ifMatch, ifNoneMatch, ...o }: Preconditions) => ({
  o,
  headers: {
    ...(ifMatch !== undefined ? { 'if-match': ifMatch } : {}),
    ...(ifNoneMatch !== undefined ? { 'if-none-match': ifNoneMatch } : {}),
  },
});

export const itemsResource = (t: Transport) => ({
  /** Creates or replaces the item. */
  put: (id: string, item: ItemInput, options: Preconditions = {}) => {
    const { o, headers } = preconditionHeaders(options);
    return t.call<Item>({ method: 'PUT', path: path`/v1/items/${id}`, json: item, headers }, o);
  },
  get: (id: string, o?: CallOptions) => t.call<Item>({ method: 'GET', path: path`/v1/items/${id}` }, o),
  /** `get` with the ETag, and a conditional read when `ifNoneMatch` is given. */
  read: async (id: string, options: Preconditions = {}): Promise<ItemRead> => {
    const { o, headers } = preconditionHeaders(options);
    const answer = await t.send<Item>({ method: 'GET', path: path`/v1/items/${id}`, headers }, o);
    return { item: answer.status === 304 ? null : answer.body, etag: answer.headers.get('etag') };
  },
  /** JSON merge patch: a field set to null is removed. */
  patch: (id: string, patch: Partial<Record<keyof ItemInput, unknown>>, options: Preconditions = {}) => {
    const { o, headers } = preconditionHeaders(options);
    return t.call<Item>(
      {
        method: 'PATCH',
        path: path`/v1/items/${id}`,
        json: patch,
        contentType: 'application/merge-patch+json',
        headers,
      },
      o,
    );
  },
  delete: (id: string, options: Preconditions = {}) => {
    const { o, headers } = preconditionHeaders(options);
    return t.call<void>({ method: 'DELETE', path: path`/v1/items/${id}`, headers }, o);
  },
  list: (o: PageOptions = {}): Paginated<Item, ItemPage> => cursorList(t, '/v1/items', 'items', o),
  /** Up to 1,000 items; per-item results (one invalid item does not fail the others). */
  batch: (items: BatchItem[], o?: CallOptions) =>
    t.call<BatchResponse>({ method: 'POST', path: '/v1/items/batch', json: { items } }, o),
});

export const changesResource = (t: Transport) => ({
  /** The catalog change feed after `after` (exclusive), to its current end. */
  list: ({ after = 0, limit, ...o }: PageOptions & { after?: number } = {}): Paginated<Change, ChangePage> =>
    paginate(
      (from: number | undefined) =>
        t.call<ChangePage>({ method: 'GET', path: '/v1/changes', query: { after: from ?? after, limit } }, o),
      (page) => page.changes,
      (page) => (page.changes.length === 0 ? null : page.lastSeq),
    ),
});
