// Throwaway PostgreSQL databases for tests: created on the real server, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use; CI starts it. Tests that need it fail (never skip) when it is down. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

export const createTempPgDatabase = async (): Promise<TempDatabase> => {
  const name = `quiver_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is required for this test and is not reachable at ${TEST_PG_URL}`, {
      cause: error,
    });
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
};
