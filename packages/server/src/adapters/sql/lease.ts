// Cluster leases: work that must happen once per cluster (a rollout decision, a schedule tick) is done only
// by the replica holding its lease, a row with an expiry that the holder renews and others take over when
// it lapses (a replica killed mid-term is replaced after at most one term).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/index.ts';
import type { Migration, SqlDatabase } from './port.ts';

/** How long a lease lasts unless renewed; a dead holder's work resumes elsewhere after at most this. */
export const DEFAULT_LEASE_TERM_MS = 15_000;

export const leaseMigrations: Migration[] = [
  {
    version: 1200,
    name: 'cluster_leases',
    sql: `CREATE TABLE IF NOT EXISTS cluster_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);`,
  },
];

export interface Lease {
  readonly name: string;
  /** This process's holder id (shown in the table). */
  readonly holder: string;
  /**
   * Takes the lease if it is free or lapsed, renews it if this process holds it; true when this process
   * holds it for another term from now. One conditional upsert: two contenders cannot both win a term.
   */
  acquire(): Promise<boolean>;
  /** Gives the lease up at once (on close), so another replica need not wait for it to lapse. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  termMs?: number;
  /** Tells holders apart; default: random per process. */
  holder?: string;
}

/** A unique id for this process, for lease rows and logs. */
export const processHolderId = (): string => `${process.pid}-${randomBytes(6).toString('hex')}`;

const PROCESS_HOLDER = processHolderId();

export const createLease = (
  db: Pick<SqlDatabase, 'query' | 'execute'>,
  clock: Clock,
  name: string,
  { termMs = DEFAULT_LEASE_TERM_MS, holder = PROCESS_HOLDER }: LeaseOptions = {},
): Lease => ({
  name,
  holder,
  async acquire() {
    const now = clock.now();
    // Portable upsert (PostgreSQL and SQLite ≥ 3.35): the update applies only to a lapsed or own lease.
    const rows = await db.query<{ holder: string }>(
      `INSERT INTO cluster_leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE cluster_leases.holder = excluded.holder OR cluster_leases.expires_at <= $4
       RETURNING holder`,
      [name, holder, now + termMs, now],
    );
    return rows[0]?.holder === holder;
  },
  async release() {
    await db.execute('DELETE FROM cluster_leases WHERE name = $1 AND holder = $2', [name, holder]);
  },
});

/**
 * Runs `work` only while holding the lease: each call renews (or tries to take) it first; a call that does
 * not hold it does nothing and resolves false.
 */
export const underLease = async (lease: Lease, work: () => Promise<void>): Promise<boolean> => {
  if (!(await lease.acquire())) return false;
  await work();
  return true;
};
