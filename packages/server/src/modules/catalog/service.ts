// The catalog: items with versions and ETags, single and batch writes, and the per-tenant change feed.
import {
  type BatchItem,
  BatchItemSchema,
  type BatchResponse,
  type BatchResult,
  type Change,
  type Item,
  type ItemData,
  type ItemInput,
  ItemInputSchema,
} from '@quiver/contracts';
import { noTxHook, type SqlDatabase, type SqlExecutor, type TxHook } from '../../adapters/sql/index.ts';
import {
  type Clock,
  compileValidator,
  createCoalescer,
  decodeCursor,
  isoNow,
  mergePatch,
  notFound,
  pageOf,
  QuiverError,
} from '../../kernel/index.ts';
import { checkPreconditions, etagOf, type Preconditions } from './etag.ts';
import { type ItemRecord, itemKey, catalogRepository as repo } from './repository.ts';

const validateBatchItem = compileValidator<BatchItem>(BatchItemSchema);
const validateItemInput = compileValidator<ItemInput>(ItemInputSchema);

/** Most item reads one coalesced statement carries (PostgreSQL). */
const MAX_COALESCED_READS = 200;

/** Fields the server owns; a client may not set them. */
const SERVER_FIELDS = ['createdAt', 'updatedAt', 'version'] as const;

export interface CatalogDeps {
  db: SqlDatabase;
  clock: Clock;
  /** Told after every committed write (the change-feed relay listens). */
  onChange?: () => void;
}

export interface WrittenItem {
  item: Item;
  etag: string;
  created: boolean;
}

/**
 * The item's JSON as toItem and the response schema would write it (the same members and values: the stored
 * text holds only fields the input schema admitted), built around the stored text without parsing it.
 */
export const itemJson = (r: ItemRecord): string =>
  `{"id":${quoted(r.id)}${r.doc.length > 2 ? `,${r.doc.slice(1, -1)}` : ''},"createdAt":${quoted(r.createdAt)},"updatedAt":${quoted(r.updatedAt)},"version":${r.version}}`;

/** Printable ASCII but `"` and `\`: characters JSON.stringify writes as they are. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** JSON.stringify of a string, without its escaping pass for the usual id or timestamp (a quarter of itemJson). */
const quoted = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

export const toItem = (r: ItemRecord): Item => ({
  id: r.id,
  ...r.data,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

const dataOf = (input: ItemInput | BatchItem): ItemData => {
  const { id: _id, ...data } = input;
  return data;
};

export const createCatalogService = ({ db, clock, onChange = () => {} }: CatalogDeps): CatalogService => {
  /** Locks the tenant's feed, runs `write`, and appends one change; all in one transaction. */
  const writeOne = async <T>(
    tenantId: string,
    write: (tx: SqlExecutor, seq: number, at: string) => Promise<T>,
  ) => {
    const result = await db.transaction(async (tx) => {
      const seq = await repo.reserveSeqs(tx, tenantId, 1);
      if (seq === undefined) throw notFound('tenant', tenantId);
      return write(tx, seq, isoNow(clock));
    });
    onChange();
    return result;
  };

  const reread = async (
    tx: SqlExecutor,
    tenantId: string,
    id: string,
    created: boolean,
  ): Promise<WrittenItem> => {
    const record = (await repo.get(tx, tenantId, id))!;
    return { item: toItem(record), etag: etagOf(record), created };
  };

  // On PostgreSQL the reads of one event-loop turn share a statement (one round trip, one socket write and
  // read for all of them); the embedded database answers in process, where batching would only add a wait.
  const coalesced =
    db.dialect === 'postgres'
      ? createCoalescer((keys) => repo.getByKeys(db, keys), { maxBatch: MAX_COALESCED_READS })
      : undefined;
  const readOne = (tenantId: string, id: string): Promise<ItemRecord | undefined> =>
    coalesced ? coalesced.load(itemKey(tenantId, id)) : repo.get(db, tenantId, id);

  return {
    count: (tenantId: string) => repo.count(db, tenantId),

    async read(tenantId: string, id: string): Promise<{ json: string; etag: string; record: ItemRecord }> {
      const record = await readOne(tenantId, id);
      if (!record) throw notFound('item', id);
      return { json: itemJson(record), etag: etagOf(record), record };
    },

    async get(tenantId: string, id: string): Promise<{ item: Item; etag: string; record: ItemRecord }> {
      const record = await readOne(tenantId, id);
      if (!record) throw notFound('item', id);
      return { item: toItem(record), etag: etagOf(record), record };
    },

    async getMany(tenantId: string, ids: readonly string[]): Promise<Item[]> {
      return (await repo.getMany(db, tenantId, [...new Set(ids)])).map(toItem);
    },

    async put(tenantId: string, id: string, input: ItemInput, pre: Preconditions): Promise<WrittenItem> {
      if (input.id !== undefined && input.id !== id) {
        throw new QuiverError('validation_failed', 'The body id differs from the path id', {
          errors: [{ path: '/id', message: `must equal the path id '${id}'` }],
        });
      }
      return writeOne(tenantId, async (tx, seq, at) => {
        checkPreconditions(await repo.get(tx, tenantId, id), pre);
        const version = (await repo.upsertMany(tx, tenantId, [{ id, data: dataOf(input) }], at)).get(id)!;
        await repo.appendChanges(tx, tenantId, [{ seq, itemId: id, op: 'upsert', version, at }]);
        return reread(tx, tenantId, id, version === 1);
      });
    },

    /** Applies a JSON merge patch (RFC 7386) and validates the result as a whole item. */
    async patch(
      tenantId: string,
      id: string,
      patch: Record<string, unknown>,
      pre: Preconditions,
    ): Promise<WrittenItem> {
      for (const field of SERVER_FIELDS) {
        if (field in patch) {
          throw new QuiverError('validation_failed', `'${field}' is set by the server`, {
            errors: [{ path: `/${field}`, message: 'is read-only' }],
          });
        }
      }
      if ('id' in patch && patch.id !== id) {
        throw new QuiverError('validation_failed', 'An item id cannot be changed', {
          errors: [{ path: '/id', message: 'is read-only' }],
        });
      }
      return writeOne(tenantId, async (tx, seq, at) => {
        const current = await repo.get(tx, tenantId, id);
        if (!current) throw notFound('item', id);
        checkPreconditions(current, pre);
        const checked = validateItemInput(mergePatch(current.data, patch));
        if (!checked.ok) {
          throw new QuiverError('validation_failed', 'The patched item is invalid', {
            errors: checked.errors,
          });
        }
        const version = await repo.updateIfVersion(
          tx,
          tenantId,
          id,
          dataOf(checked.value),
          current.version,
          at,
        );
        if (version === undefined) throw new QuiverError('precondition_failed', 'The item changed meanwhile');
        await repo.appendChanges(tx, tenantId, [{ seq, itemId: id, op: 'upsert', version, at }]);
        return reread(tx, tenantId, id, false);
      });
    },

    async delete(tenantId: string, id: string, pre: Preconditions): Promise<void> {
      await writeOne(tenantId, async (tx, seq, at) => {
        const current = await repo.get(tx, tenantId, id);
        if (!current) throw notFound('item', id);
        checkPreconditions(current, pre);
        await repo.delete(tx, tenantId, id);
        await repo.appendChanges(tx, tenantId, [
          { seq, itemId: id, op: 'delete', version: current.version, at },
        ]);
      });
    },

    async list(tenantId: string, limit: number, cursor?: string) {
      const after = cursor ? String(decodeCursor(cursor, ['id']).id) : '';
      const page = pageOf(await repo.list(db, tenantId, after, limit + 1), limit, (r) => ({ id: r.id }));
      return { items: page.rows.map(toItem), nextCursor: page.nextCursor };
    },

    /**
     * Upserts up to a thousand items; each is validated alone and reported by index. `answer` joins the
     * write's transaction with the response (the idempotency record of an HTTP request).
     */
    async batchUpsert(
      tenantId: string,
      elements: readonly unknown[],
      answer: TxHook<BatchResponse> = noTxHook,
    ): Promise<BatchResponse> {
      const results: BatchResult[] = new Array(elements.length);
      const valid: { index: number; id: string; data: ItemData }[] = [];
      const seen = new Map<string, number>();
      elements.forEach((element, index) => {
        const checked = validateBatchItem(element);
        const rawId = (element as { id?: unknown } | null)?.id;
        const id = typeof rawId === 'string' ? rawId : null;
        if (!checked.ok) {
          results[index] = {
            index,
            id,
            status: 'error',
            error: { code: 'validation_failed', detail: 'The item is invalid', errors: checked.errors },
          };
        } else if (seen.has(checked.value.id)) {
          results[index] = {
            index,
            id,
            status: 'error',
            error: {
              code: 'conflict',
              detail: `The id also appears at index ${seen.get(checked.value.id)} of this batch`,
            },
          };
        } else {
          seen.set(checked.value.id, index);
          valid.push({ index, id: checked.value.id, data: dataOf(checked.value) });
        }
      });
      const respond = (): BatchResponse => {
        const count = (s: BatchResult['status']) => results.filter((r) => r.status === s).length;
        return { created: count('created'), updated: count('updated'), failed: count('error'), results };
      };
      if (valid.length === 0) return respond();
      const response = await db.transaction(async (tx) => {
        const first = await repo.reserveSeqs(tx, tenantId, valid.length);
        if (first === undefined) throw notFound('tenant', tenantId);
        const at = isoNow(clock);
        const versions = await repo.upsertMany(tx, tenantId, valid, at);
        const changes: Change[] = valid.map((v, i) => ({
          seq: first + i,
          itemId: v.id,
          op: 'upsert',
          version: versions.get(v.id)!,
          at,
        }));
        await repo.appendChanges(tx, tenantId, changes);
        for (const v of valid) {
          const version = versions.get(v.id)!;
          results[v.index] = {
            index: v.index,
            id: v.id,
            status: version === 1 ? 'created' : 'updated',
            version,
          };
        }
        const response = respond();
        await answer(tx, response);
        return response;
      });
      onChange();
      return response;
    },

    async changes(tenantId: string, afterSeq: number, limit: number) {
      const changes = await repo.listChanges(db, tenantId, afterSeq, limit);
      return { changes, lastSeq: changes.length > 0 ? changes[changes.length - 1].seq : afterSeq };
    },
  };
};

/** A tenant's items: versioned writes with preconditions, and the change feed they append to. */
export interface CatalogService {
  /** How many items the tenant stores (usage metering). */
  count(tenantId: string): Promise<number>;
  /** The item, its ETag and its stored record; `not_found` when absent. */
  get(tenantId: string, id: string): Promise<{ item: Item; etag: string; record: ItemRecord }>;
  /** The items with these ids that exist, in no particular order (one read per 500 ids). */
  getMany(tenantId: string, ids: readonly string[]): Promise<Item[]>;
  /** The same item as JSON text (GET /v1/items/{id}: answered as stored, neither parsed nor re-serialized). */
  read(tenantId: string, id: string): Promise<{ json: string; etag: string; record: ItemRecord }>;
  /** Creates or replaces the item when the preconditions hold. */
  put(tenantId: string, id: string, input: ItemInput, pre: Preconditions): Promise<WrittenItem>;
  /** Applies a JSON merge patch (RFC 7386) and validates the result as a whole item. */
  patch(
    tenantId: string,
    id: string,
    patch: Record<string, unknown>,
    pre: Preconditions,
  ): Promise<WrittenItem>;
  /** Deletes the item when the preconditions hold. */
  delete(tenantId: string, id: string, pre: Preconditions): Promise<void>;
  /** A page of the tenant's items, in id order. */
  list(
    tenantId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Item[]; nextCursor: string | null }>;
  /** Upserts up to a thousand items; each is validated alone and reported by index. */
  batchUpsert(
    tenantId: string,
    elements: readonly unknown[],
    answer?: TxHook<BatchResponse>,
  ): Promise<BatchResponse>;
  /** The change feed after `afterSeq`, at most `limit` changes, and the last sequence read. */
  changes(tenantId: string, afterSeq: number, limit: number): Promise<{ changes: Change[]; lastSeq: number }>;
}
