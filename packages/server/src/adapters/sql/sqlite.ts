// Embedded storage: SQLite through better-sqlite3 (synchronous, WAL), behind the async SQL port.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Mutex } from './mutex.ts';
import {
  type Migration,
  migrationSql,
  orderedMigrations,
  type QueryOptions,
  type Row,
  type SqlDatabase,
  type SqlExecutor,
  type SqlValue,
  splitStatements,
} from './port.ts';

interface Compiled {
  stmt: Database.Statement;
  /** For each `?` in order, which 0-based parameter it takes. */
  order: number[];
}

export interface SqliteOptions {
  /**
   * Hold the file's lock for the life of the connection (`locking_mode = EXCLUSIVE`): no other connection or
   * process can open it, and in exchange no statement pays file-lock system calls (a point read costs about a
   * third). For the embedded database, which one process owns.
   */
  exclusive?: boolean;
}

const toSqlite = (v: SqlValue | undefined): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null));

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Compiled>();
  /** The same texts compiled to answer rows as arrays (`arrays`): a statement's raw mode is its own state. */
  private readonly arrayStatements = new Map<string, Compiled>();
  private readonly mutex = new Mutex();
  private readonly direct: SqlExecutor;

  constructor(filename: string, options: SqliteOptions = {}) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    // Before the first read: the lock is taken with it and kept until the connection closes.
    if (options.exclusive) this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.direct = {
      query: async <T extends object>(sql: string, params?: readonly SqlValue[], options?: QueryOptions) =>
        this.runQuery<T>(sql, params, options),
      execute: async (sql: string, params?: readonly SqlValue[]) => this.runExecute(sql, params),
    };
  }

  private compile(sql: string, arrays = false): Compiled {
    const cache = arrays ? this.arrayStatements : this.statements;
    let compiled = cache.get(sql);
    if (!compiled) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      const stmt = this.db.prepare(text);
      // Only a statement that returns rows has a raw mode (better-sqlite3 throws for the others).
      if (arrays && stmt.reader) stmt.raw(true);
      compiled = { stmt, order };
      cache.set(sql, compiled);
    }
    return compiled;
  }

  private bind(c: Compiled, params: readonly SqlValue[] = []): unknown[] {
    return c.order.map((i) => toSqlite(params[i]));
  }

  private runQuery<T extends object>(sql: string, params?: readonly SqlValue[], options?: QueryOptions): T[] {
    const c = this.compile(sql, options?.arrays);
    const args = this.bind(c, params);
    if (c.stmt.reader) return c.stmt.all(...args) as T[];
    c.stmt.run(...args);
    return [];
  }

  private runExecute(sql: string, params?: readonly SqlValue[]): number {
    const c = this.compile(sql);
    return c.stmt.run(...this.bind(c, params)).changes;
  }

  // Outside a transaction a statement runs at once (it is synchronous, so it cannot interleave);
  // while a transaction holds the connection, it waits so it does not become part of it.
  async query<T extends object = Row>(
    sql: string,
    params?: readonly SqlValue[],
    options?: QueryOptions,
  ): Promise<T[]> {
    if (this.mutex.locked) return this.mutex.run(async () => this.runQuery<T>(sql, params, options));
    return this.runQuery<T>(sql, params, options);
  }

  async execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    if (this.mutex.locked) return this.mutex.run(async () => this.runExecute(sql, params));
    return this.runExecute(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async migrate(migrations: readonly Migration[]): Promise<number> {
    return this.mutex.run(async () => {
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const done = new Set(
        (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
          (r) => r.version,
        ),
      );
      let applied = 0;
      for (const m of orderedMigrations(migrations)) {
        if (done.has(m.version)) continue;
        this.db.transaction(() => {
          for (const statement of splitStatements(migrationSql(m, 'sqlite'))) this.db.exec(statement);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, new Date().toISOString());
        })();
        applied++;
      }
      return applied;
    });
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.mutex.idle();
    if (this.db.open) this.db.close();
  }
}
