// The recommend module's SQL: the user-history table (each customer's items with their last event time, as
// of the last training run), replaced per tenant in one transaction and read per user; every statement is
// scoped by tenant.
import { type SqlDatabase, type SqlValue, valuesList } from '../../adapters/sql/index.ts';

/** One of a user's items: its id and its last event's time (ms). */
export type HistoryEntry = readonly [itemId: string, lastMs: number];

export interface UserHistoryRow {
  userId: string;
  /** Newest first. */
  items: readonly HistoryEntry[];
}

export interface UserHistoryStore {
  /** Replaces the tenant's whole table (a training run saw every event) as of `trainedAt`. */
  replace(tenantId: string, rows: readonly UserHistoryRow[], trainedAt: string): Promise<void>;
  get(tenantId: string, userId: string): Promise<UserHistoryRow | undefined>;
}

const BATCH = 200;

export const createUserHistoryStore = (db: SqlDatabase): UserHistoryStore => ({
  async replace(tenantId, rows, trainedAt) {
    await db.transaction(async (tx) => {
      await tx.execute('DELETE FROM recommend_user_history WHERE tenant_id = $1', [tenantId]);
      for (let from = 0; from < rows.length; from += BATCH) {
        const batch = rows.slice(from, from + BATCH);
        const params: SqlValue[] = batch.flatMap((r) => [
          tenantId,
          r.userId,
          JSON.stringify(r.items),
          trainedAt,
        ]);
        await tx.execute(
          `INSERT INTO recommend_user_history (tenant_id, user_id, items, trained_at) VALUES ${valuesList(batch.length, 4)}`,
          params,
        );
      }
    });
  },
  async get(tenantId, userId) {
    const [row] = await db.query<{ items: string }>(
      'SELECT items FROM recommend_user_history WHERE tenant_id = $1 AND user_id = $2',
      [tenantId, userId],
    );
    return row ? { userId, items: JSON.parse(row.items) as HistoryEntry[] } : undefined;
  },
});
