// The only file of the events module with SQL: the per-tenant record of accepted event ids.
import { inList, type SqlDatabase, type SqlExecutor, valuesList } from '../../adapters/sql/index.ts';

/** Rows per statement (3 parameters each): one statement for a whole batch, under both databases' limits. */
const CHUNK = 1000;

export interface RecordedEvent {
  id: string;
  position: number;
}

export interface EventCount {
  count: number;
  /** The newest counted event's position; `after` itself when none is newer. */
  lastPosition: number;
}

const chunks = <T>(rows: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
};

export const eventsRepository = {
  /** Which of `ids` this tenant already has on record. */
  async known(db: SqlExecutor, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(ids)) {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM event_ids WHERE tenant_id = $1 AND id IN (${inList(part.length, 2)})`,
        [tenantId, ...part],
      );
      for (const r of rows) found.add(r.id);
    }
    return found;
  },

  /** Where each of `ids` that is on record was stored: the copy that counts. */
  async positions(db: SqlExecutor, tenantId: string, ids: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = await db.query<{ id: string; position: number }>(
        `SELECT id, position FROM event_ids WHERE tenant_id = $1 AND id IN (${inList(part.length, 2)})`,
        [tenantId, ...part],
      );
      for (const r of rows) found.set(r.id, Number(r.position));
    }
    return found;
  },

  /** How many of the tenant's recorded events are after stream position `after`, and the last position. */
  async countAfter(db: SqlExecutor, tenantId: string, after: number): Promise<EventCount> {
    const rows = await db.query<{ n: number | string; last: number | string | null }>(
      'SELECT COUNT(*) AS n, MAX(position) AS last FROM event_ids WHERE tenant_id = $1 AND position > $2',
      [tenantId, after],
    );
    const last = rows[0]?.last;
    return { count: Number(rows[0]?.n ?? 0), lastPosition: last == null ? after : Number(last) };
  },

  /** Records ids (unique within the call); returns how many were new. A concurrent writer's ids are not new. */
  async record(db: SqlDatabase, tenantId: string, rows: readonly RecordedEvent[]): Promise<number> {
    if (rows.length === 0) return 0;
    // The count of changed rows is the count of new ids (cheaper than RETURNING on SQLite).
    const insert = (tx: SqlExecutor, part: readonly RecordedEvent[]) =>
      tx.execute(
        `INSERT INTO event_ids (tenant_id, id, position) VALUES ${valuesList(part.length, 3)}
         ON CONFLICT (tenant_id, id) DO NOTHING`,
        part.flatMap((r) => [tenantId, r.id, r.position]),
      );
    if (rows.length <= CHUNK) return insert(db, rows);
    return db.transaction(async (tx) => {
      let added = 0;
      for (const part of chunks(rows)) added += await insert(tx, part);
      return added;
    });
  },
};
