// The only file of the idempotency module with SQL; every statement names the caller's scope.
import type { SqlExecutor } from '../../adapters/sql/index.ts';

/** What a retry under the same key replays. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

export interface StoredAnswer {
  fingerprint: string;
  createdAt: number;
  status: number | null;
  /** Until when the owner of an unanswered claim holds it; null for claims made before leases. */
  leaseUntil: number | null;
  headers: Record<string, string>;
  body: string | null;
}

/** Who holds a claim: a random token per request, so only the holder renews, completes or releases it. */
export interface Claim {
  scope: string;
  key: string;
  owner: string;
  /** The answer stored in the transaction of the request's effect, if the write path did so. */
  recorded?: Answer;
}

export const idempotencyRepository = {
  /** Claims the key for a new request; false when it is already claimed or answered. */
  async claim(db: SqlExecutor, c: Claim, fingerprint: string, now: number, leaseUntil: number) {
    const changed = await db.execute(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, created_at, owner, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`,
      [c.scope, c.key, fingerprint, now, c.owner, leaseUntil],
    );
    return changed === 1;
  },

  /**
   * Takes over an unanswered claim whose lease ran out. One statement, so of two racing retries only
   * one matches: the other sees the new lease (PostgreSQL re-checks the row after the first commits).
   */
  async takeOver(db: SqlExecutor, c: Claim, fingerprint: string, now: number, leaseUntil: number) {
    const changed = await db.execute(
      `UPDATE idempotency_keys SET owner = $3, lease_until = $4, created_at = $5
       WHERE scope = $1 AND key = $2 AND fingerprint = $6 AND status IS NULL
         AND (lease_until IS NULL OR lease_until < $5)`,
      [c.scope, c.key, c.owner, leaseUntil, now, fingerprint],
    );
    return changed === 1;
  },

  /** Extends the holder's lease; false when the claim is no longer its own. */
  async renew(db: SqlExecutor, c: Claim, leaseUntil: number) {
    const changed = await db.execute(
      `UPDATE idempotency_keys SET lease_until = $4
       WHERE scope = $1 AND key = $2 AND owner = $3 AND status IS NULL`,
      [c.scope, c.key, c.owner, leaseUntil],
    );
    return changed === 1;
  },

  async get(db: SqlExecutor, scope: string, key: string): Promise<StoredAnswer | undefined> {
    const [row] = await db.query<{
      fingerprint: string;
      created_at: number;
      status: number | null;
      lease_until: number | null;
      headers: string | null;
      body: string | null;
    }>(
      `SELECT fingerprint, created_at, status, lease_until, headers, body FROM idempotency_keys
       WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      createdAt: Number(row.created_at),
      status: row.status === null ? null : Number(row.status),
      leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
      headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {},
      body: row.body,
    };
  },

  /** Stores the holder's answer; false when the claim is no longer its own (taken over or released). */
  async complete(db: SqlExecutor, c: Claim, answer: Answer): Promise<boolean> {
    const changed = await db.execute(
      `UPDATE idempotency_keys SET status = $4, headers = $5, body = $6, lease_until = NULL
       WHERE scope = $1 AND key = $2 AND owner = $3`,
      [c.scope, c.key, c.owner, answer.status, JSON.stringify(answer.headers), answer.body],
    );
    return changed === 1;
  },

  /**
   * Gives an unanswered claim up (the request failed), so a retry runs at once. An answer committed with
   * the request's effect stays: the effect happened, so a retry must replay it, not run again.
   */
  async release(db: SqlExecutor, c: Claim): Promise<void> {
    await db.execute(
      'DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND owner = $3 AND status IS NULL',
      [c.scope, c.key, c.owner],
    );
  },

  /** Forgets one key whose 24 h are over (answered or not). */
  async expire(db: SqlExecutor, scope: string, key: string, cutoff: number): Promise<void> {
    await db.execute('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < $3', [
      scope,
      key,
      cutoff,
    ]);
  },

  async purgeOlderThan(db: SqlExecutor, cutoff: number): Promise<number> {
    return db.execute('DELETE FROM idempotency_keys WHERE created_at < $1', [cutoff]);
  },
};
