// The storage port: a small SQL surface that both the embedded (SQLite) and distributed (PostgreSQL)
// implementations provide. Repositories write portable SQL with `$1`-style placeholders.

export type SqlValue = string | number | boolean | null | Buffer;
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * A hot statement with fixed text (never one built per call, such as a VALUES or IN list): PostgreSQL keeps
   * it parsed and planned on each connection (a named prepared statement) instead of parsing it every time.
   * SQLite prepares every statement once anyway.
   */
  prepare?: boolean;
  /**
   * Each row as an array of its columns in the statement's order instead of an object keyed by column name:
   * no object per row (a SQLite point read costs about a fifth less), for hot reads that map columns themselves.
   */
  arrays?: boolean;
}

export interface SqlExecutor {
  /** Runs a statement and returns its rows (empty for statements without RETURNING). */
  query<T extends object = Row>(
    sql: string,
    params?: readonly SqlValue[],
    options?: QueryOptions,
  ): Promise<T[]>;
  /** Runs a statement and returns how many rows it changed. */
  execute(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<number>;
}

/**
 * Work that joins another module's transaction: run last inside it, before the commit, with the value
 * the transaction produced. A throw rolls the whole transaction back.
 */
export type TxHook<T> = (tx: SqlExecutor, value: T) => Promise<void>;

/** The hook that adds nothing (the default where no caller joins). */
export const noTxHook: TxHook<unknown> = async () => {};

export interface Migration {
  version: number;
  name: string;
  /** One script for both dialects, or one per dialect. Statements are separated by `;` at line ends. */
  sql: string | { sqlite: string; postgres: string };
}

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Applies the migrations not yet applied, in order; returns how many ran. Safe across replicas. */
  migrate(migrations: readonly Migration[]): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Migrations sorted by version; two with one version would leave the second unapplied, so that throws. */
export const orderedMigrations = (migrations: readonly Migration[]): Migration[] => {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].version === sorted[i - 1].version)
      throw new Error(
        `migrations '${sorted[i - 1].name}' and '${sorted[i].name}' share version ${sorted[i].version}`,
      );
  return sorted;
};

export const migrationSql = (m: Migration, dialect: Dialect): string =>
  typeof m.sql === 'string' ? m.sql : m.sql[dialect];

/** Splits a migration script into statements (our scripts end each statement with `;` at a line end). */
export const splitStatements = (script: string): string[] =>
  script
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Placeholders for a multi-row VALUES list: rows × cols, numbered from `start`. */
export const valuesList = (rows: number, cols: number, start = 1): string => {
  const out: string[] = [];
  let n = start;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < cols; c++) cells.push(`$${n++}`);
    out.push(`(${cells.join(',')})`);
  }
  return out.join(',');
};

/** `$a,$b,...` placeholders for an IN list, numbered from `start`. */
export const inList = (count: number, start = 1): string =>
  Array.from({ length: count }, (_, i) => `$${start + i}`).join(',');
