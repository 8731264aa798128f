// Distributed storage: PostgreSQL through a `pg` pool, behind the SQL port.
import pg from 'pg';
import { SpanKind, tracingEnabled, withSpan } from '../../kernel/tracing.ts';
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

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** Key of the advisory lock that serializes migrations across replicas. */
const MIGRATION_LOCK_KEY = 7_316_001;
const DEFAULT_POOL_SIZE = 10;

// Our BIGINT values (sequences, epoch milliseconds, counts) fit in a double; return them as numbers.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Longest statement text a span carries. */
const MAX_SPAN_SQL = 500;

/** A CLIENT span per statement (hand-made: a `pg` instrumentation would patch the module for every call). */
const traced = <T>(sql: string, run: () => Promise<T>): Promise<T> =>
  tracingEnabled()
    ? withSpan(
        `${sql.trimStart().split(/\s/, 1)[0].toUpperCase()} postgresql`,
        { 'db.system.name': 'postgresql', 'db.query.text': sql.slice(0, MAX_SPAN_SQL) },
        run,
        { kind: SpanKind.CLIENT },
      )
    : run();

/** Prepared statements get one name per distinct text, process-wide; past this many, the rest run unnamed. */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

/** The statement's name when it should be prepared (`pg` prepares a name once per connection, then reuses it). */
const preparedName = (sql: string, options: QueryOptions | undefined): string | undefined => {
  if (!options?.prepare) return undefined;
  let name = preparedNames.get(sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `quiver_${preparedNames.size}`;
    preparedNames.set(sql, name);
  }
  return name;
};

const run = <T extends object>(
  client: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly SqlValue[] | undefined,
  options: QueryOptions | undefined,
) =>
  traced(sql, () =>
    client.query<T>({
      text: sql,
      values: params as unknown[] | undefined,
      name: preparedName(sql, options),
      ...(options?.arrays ? { rowMode: 'array' } : {}),
    }),
  );

const executorOf = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
  async query<T extends object>(sql: string, params?: readonly SqlValue[], options?: QueryOptions) {
    return (await run<T>(client, sql, params, options)).rows;
  },
  async execute(sql: string, params?: readonly SqlValue[], options?: QueryOptions) {
    return (await run(client, sql, params, options)).rowCount ?? 0;
  },
});

export interface PostgresOptions {
  poolSize?: number;
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly direct: SqlExecutor;

  constructor(url: string, options: PostgresOptions = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? DEFAULT_POOL_SIZE, types });
    // An idle client that loses its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
    this.direct = executorOf(this.pool);
  }

  query<T extends object = Row>(
    sql: string,
    params?: readonly SqlValue[],
    options?: QueryOptions,
  ): Promise<T[]> {
    return this.direct.query<T>(sql, params, options);
  }

  execute(sql: string, params?: readonly SqlValue[], options?: QueryOptions): Promise<number> {
    return this.direct.execute(sql, params, options);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(executorOf(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      let applied = 0;
      for (const m of orderedMigrations(migrations)) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          for (const statement of splitStatements(migrationSql(m, 'postgres'))) await client.query(statement);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [m.version, m.name, new Date().toISOString()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        applied++;
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
