// Chooses the storage implementation from a URL: postgres:// → PostgreSQL, otherwise embedded SQLite.
import { join } from 'node:path';
import { type Adapter, openAdapter } from '../open.ts';
import type { SqlDatabase } from './port.ts';
import { PostgresDatabase } from './postgres.ts';
import { SqliteDatabase } from './sqlite.ts';

export type {
  Dialect,
  Migration,
  QueryOptions,
  Row,
  SqlDatabase,
  SqlExecutor,
  SqlValue,
  TxHook,
} from './port.ts';
export { inList, noTxHook, valuesList } from './port.ts';

export const EMBEDDED_DB_FILE = 'quiver.db';

/** Whether a statement failed on a unique constraint or index (PostgreSQL 23505, SQLite's UNIQUE failure). */
export const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

/** `postgres://…` → PostgreSQL; `sqlite://path` or `sqlite://:memory:` → SQLite; none → `<dataDir>/quiver.db`. */
export const sqlAdapter: Adapter<SqlDatabase> = {
  variable: 'DATABASE_URL',
  schemes: {
    postgres: (url) => new PostgresDatabase(url),
    postgresql: (url) => new PostgresDatabase(url),
    sqlite: (url) => new SqliteDatabase(url.slice('sqlite://'.length)),
  },
  // Embedded mode is one process (see README, "Roles"): it keeps the file to itself, which makes reads cheaper.
  embedded: ({ dataDir }) => new SqliteDatabase(join(dataDir, EMBEDDED_DB_FILE), { exclusive: true }),
};

/** Opens the database `url` names (see sqlAdapter). */
export const openSqlDatabase = (url: string | undefined, dataDir: string): SqlDatabase =>
  openAdapter(sqlAdapter, url, { dataDir });
export {
  createLease,
  DEFAULT_LEASE_TERM_MS,
  type Lease,
  type LeaseOptions,
  leaseMigrations,
  processHolderId,
  underLease,
} from './lease.ts';
