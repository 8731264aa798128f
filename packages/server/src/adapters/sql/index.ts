// Chooses the storage implementation from a URL: postgres:// → PostgreSQL, otherwise embedded SQLite.
import { join } from 'node:path';
import type { SqlDatabase } from './port.ts';
import { PostgresDatabase } from './postgres.ts';
import { SqliteDatabase } from './sqlite.ts';

export type { Dialect, Migration, Row, SqlDatabase, SqlExecutor, SqlValue, TxHook } from './port.ts';
export { inList, noTxHook, valuesList } from './port.ts';

export const EMBEDDED_DB_FILE = 'quiver.db';

/** Whether a statement failed on a unique constraint or index (PostgreSQL 23505, SQLite's UNIQUE failure). */
export const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

/** `postgres://…` → PostgreSQL; `sqlite://path` or `sqlite://:memory:` → SQLite; none → `<dataDir>/quiver.db`. */
export const openSqlDatabase = (url: string | undefined, dataDir: string): SqlDatabase => {
  if (!url) return new SqliteDatabase(join(dataDir, EMBEDDED_DB_FILE));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return new PostgresDatabase(url);
  if (url.startsWith('sqlite://')) return new SqliteDatabase(url.slice('sqlite://'.length));
  throw new Error(`unsupported DATABASE_URL scheme in '${url.split(':')[0]}:'`);
};
