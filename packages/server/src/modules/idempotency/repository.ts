// The only file of the idempotency module with SQL; every statement names the caller's scope.
import type { SqlExecutor } from '../../adapters/sql/index.ts';

export interface StoredAnswer {
  fingerprint: string;
  createdAt: number;
  status: number | null;
  headers: Record<string, string>;
  body: string | null;
}

export const idempotencyRepository = {
  /** Claims the key for a new request; false when it is already claimed or answered. */
  async claim(
    db: SqlExecutor,
    scope: string,
    key: string,
    fingerprint: string,
    now: number,
  ): Promise<boolean> {
    const changed = await db.execute(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, key) DO NOTHING`,
      [scope, key, fingerprint, now],
    );
    return changed === 1;
  },

  async get(db: SqlExecutor, scope: string, key: string): Promise<StoredAnswer | undefined> {
    const [row] = await db.query<{
      fingerprint: string;
      created_at: number;
      status: number | null;
      headers: string | null;
      body: string | null;
    }>(
      'SELECT fingerprint, created_at, status, headers, body FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      createdAt: Number(row.created_at),
      status: row.status === null ? null : Number(row.status),
      headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {},
      body: row.body,
    };
  },

  async complete(
    db: SqlExecutor,
    scope: string,
    key: string,
    status: number,
    headers: Record<string, string>,
    body: string | null,
  ) {
    await db.execute(
      'UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE scope = $1 AND key = $2',
      [scope, key, status, JSON.stringify(headers), body],
    );
  },

  async release(db: SqlExecutor, scope: string, key: string): Promise<void> {
    await db.execute('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
  },

  async purgeOlderThan(db: SqlExecutor, cutoff: number): Promise<number> {
    return db.execute('DELETE FROM idempotency_keys WHERE created_at < $1', [cutoff]);
  },
};
