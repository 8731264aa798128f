// The only file of the catalog module with SQL. Every statement is scoped by tenant_id.
import type { Change, ItemData } from '@quiver/contracts';
import { inList, type SqlExecutor, valuesList } from '../../adapters/sql/index.ts';

export interface ItemRecord {
  id: string;
  data: ItemData;
  /** `data` as stored: JSON text of the client-owned fields (what a read answers without re-serializing). */
  doc: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface ItemRow {
  id: string;
  doc: string;
  version: number;
  created_at: string;
  updated_at: string;
  [k: string]: unknown;
}

/** An item's columns in `get`'s order: doc, version, created_at, updated_at. */
type ItemTuple = [string, number | string, string, string];

export interface WrittenRow {
  id: string;
  version: number;
}

/** Rows per multi-row statement: keeps parameter counts well under both databases' limits. */
const CHUNK = 500;

/** A stored item whose JSON is parsed only when `data` is read (a plain read answers the text as it is). */
class StoredItem implements ItemRecord {
  #data: ItemData | undefined;
  constructor(
    readonly id: string,
    readonly doc: string,
    readonly version: number,
    readonly createdAt: string,
    readonly updatedAt: string,
  ) {}
  get data(): ItemData {
    this.#data ??= JSON.parse(this.doc) as ItemData;
    return this.#data;
  }
}

const toRecord = (r: ItemRow): ItemRecord =>
  new StoredItem(r.id, r.doc, Number(r.version), r.created_at, r.updated_at);

/** The key of an item across tenants (a tenant id holds no newline). */
export const itemKey = (tenantId: string, id: string): string => `${tenantId}\n${id}`;

/** A PostgreSQL array literal of texts, every element quoted (`{"a","b \\"c\\""}`). */
const pgTextArray = (values: readonly string[]): string =>
  `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;

const chunks = <T>(rows: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
};

export const catalogRepository = {
  /**
   * Reserves `count` change-feed sequence numbers and returns the first. Taking the tenant row's lock
   * first also serializes the tenant's writes, which makes version checks and feed order exact.
   */
  async reserveSeqs(tx: SqlExecutor, tenantId: string, count: number): Promise<number | undefined> {
    const [row] = await tx.query<{ change_seq: number }>(
      'UPDATE tenants SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq',
      [tenantId, count],
    );
    return row ? Number(row.change_seq) - count + 1 : undefined;
  },

  async count(db: SqlExecutor, tenantId: string): Promise<number> {
    const [row] = await db.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM items WHERE tenant_id = $1', [
      tenantId,
    ]);
    return Number(row?.n ?? 0);
  },

  async get(db: SqlExecutor, tenantId: string, id: string): Promise<ItemRecord | undefined> {
    // Columns as an array (no object per row) and without the id: both databases match it byte for byte.
    const [row] = await db.query<ItemTuple>(
      'SELECT doc, version, created_at, updated_at FROM items WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
      { prepare: true, arrays: true },
    );
    return row && new StoredItem(id, row[0], Number(row[1]), row[2], row[3]);
  },

  /**
   * Items of several tenants at once, by (tenant, id) key (`tenantId + '\n' + id`): one statement for reads
   * coalesced from concurrent requests (PostgreSQL only; the keys travel as two array parameters so the text
   * stays fixed and prepared). Each row is matched on both its tenant and its id.
   */
  async getByKeys(db: SqlExecutor, keys: readonly string[]): Promise<Map<string, ItemRecord>> {
    const tenants: string[] = [];
    const ids: string[] = [];
    for (const key of keys) {
      const cut = key.indexOf('\n');
      tenants.push(key.slice(0, cut));
      ids.push(key.slice(cut + 1));
    }
    const rows = await db.query<ItemRow & { tenant_id: string }>(
      `SELECT i.tenant_id, i.id, i.doc, i.version, i.created_at, i.updated_at
       FROM unnest($1::text[], $2::text[]) AS k(tenant_id, id)
       JOIN items i ON i.tenant_id = k.tenant_id AND i.id = k.id`,
      [pgTextArray(tenants), pgTextArray(ids)],
      { prepare: true },
    );
    return new Map(rows.map((r) => [itemKey(r.tenant_id, r.id), toRecord(r)]));
  },

  /** The stored items among `ids` (distinct), one statement per chunk; absent ids are left out. */
  async getMany(db: SqlExecutor, tenantId: string, ids: readonly string[]): Promise<ItemRecord[]> {
    const out: ItemRecord[] = [];
    for (const part of chunks(ids)) {
      const rows = await db.query<ItemRow>(
        `SELECT id, doc, version, created_at, updated_at FROM items
         WHERE tenant_id = $1 AND id IN (${inList(part.length, 2)})`,
        [tenantId, ...part],
      );
      for (const row of rows) out.push(toRecord(row));
    }
    return out;
  },

  /** Upserts rows (ids unique); a row that exists keeps its createdAt and gets version + 1. */
  async upsertMany(
    tx: SqlExecutor,
    tenantId: string,
    rows: readonly { id: string; data: ItemData }[],
    at: string,
  ): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    for (const part of chunks(rows)) {
      const params = part.flatMap((r) => [tenantId, r.id, JSON.stringify(r.data), at]);
      const values = part.map(
        (_, i) => `($${4 * i + 1},$${4 * i + 2},$${4 * i + 3},$${4 * i + 4},$${4 * i + 4},1)`,
      );
      const written = await tx.query<WrittenRow>(
        `INSERT INTO items (tenant_id, id, doc, created_at, updated_at, version) VALUES ${values.join(',')}
         ON CONFLICT (tenant_id, id) DO UPDATE SET doc = excluded.doc, version = items.version + 1,
           updated_at = excluded.updated_at RETURNING id, version`,
        params,
      );
      for (const w of written) versions.set(w.id, Number(w.version));
    }
    return versions;
  },

  /** Writes new data only if the stored version is still `expected`; returns the new version. */
  async updateIfVersion(
    tx: SqlExecutor,
    tenantId: string,
    id: string,
    data: ItemData,
    expected: number,
    at: string,
  ): Promise<number | undefined> {
    const [row] = await tx.query<WrittenRow>(
      `UPDATE items SET doc = $3, version = version + 1, updated_at = $5
       WHERE tenant_id = $1 AND id = $2 AND version = $4 RETURNING id, version`,
      [tenantId, id, JSON.stringify(data), expected, at],
    );
    return row ? Number(row.version) : undefined;
  },

  async delete(tx: SqlExecutor, tenantId: string, id: string): Promise<boolean> {
    return (await tx.execute('DELETE FROM items WHERE tenant_id = $1 AND id = $2', [tenantId, id])) === 1;
  },

  async list(db: SqlExecutor, tenantId: string, afterId: string, limit: number): Promise<ItemRecord[]> {
    const rows = await db.query<ItemRow>(
      `SELECT id, doc, version, created_at, updated_at FROM items
       WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [tenantId, afterId, limit],
    );
    return rows.map(toRecord);
  },

  async appendChanges(tx: SqlExecutor, tenantId: string, changes: readonly Change[]): Promise<void> {
    for (const part of chunks(changes)) {
      await tx.execute(
        `INSERT INTO item_changes (tenant_id, seq, item_id, op, version, at) VALUES ${valuesList(part.length, 6)}`,
        part.flatMap((c) => [tenantId, c.seq, c.itemId, c.op, c.version, c.at]),
      );
    }
  },

  async listChanges(db: SqlExecutor, tenantId: string, afterSeq: number, limit: number): Promise<Change[]> {
    const rows = await db.query<{
      seq: number;
      item_id: string;
      op: 'upsert' | 'delete';
      version: number;
      at: string;
    }>(
      'SELECT seq, item_id, op, version, at FROM item_changes WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [tenantId, afterSeq, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      itemId: r.item_id,
      op: r.op,
      version: Number(r.version),
      at: r.at,
    }));
  },

  /** Tenants whose change feed has changes the relay has not published yet. */
  async tenantsBehind(db: SqlExecutor): Promise<string[]> {
    const rows = await db.query<{ id: string }>(
      `SELECT t.id FROM tenants t LEFT JOIN catalog_relay r ON r.tenant_id = t.id
       WHERE t.change_seq > COALESCE(r.last_seq, 0) ORDER BY t.id`,
    );
    return rows.map((r) => r.id);
  },

  async relayedSeq(db: SqlExecutor, tenantId: string): Promise<number> {
    const [row] = await db.query<{ last_seq: number }>(
      'SELECT last_seq FROM catalog_relay WHERE tenant_id = $1',
      [tenantId],
    );
    return row ? Number(row.last_seq) : 0;
  },

  /** Moves the relay's position from `from` to `to`; false when another relay moved it meanwhile. */
  async advanceRelay(db: SqlExecutor, tenantId: string, from: number, to: number): Promise<boolean> {
    const changed = await db.execute(
      `INSERT INTO catalog_relay (tenant_id, last_seq) VALUES ($1, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq WHERE catalog_relay.last_seq = $2`,
      [tenantId, from, to],
    );
    return changed === 1;
  },
};
