// A write that fails keeps its counts for the next one, in the hour they were counted in (real SQLite; the
// failure is injected into the one statement that writes counters).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqlDatabase, type SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { createUsageService, usageMigrations } from '../../../src/modules/usage/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const HOUR = 3_600_000;

test('counts survive a failed write and stay in their own hour', async () => {
  const storage = await STORAGE_KINDS[0].create();
  const real = openSqlDatabase(storage.url, '/nonexistent');
  await real.migrate(usageMigrations);
  let failNext = false;
  const db: SqlDatabase = Object.create(real, {
    execute: {
      value: (sql: string, params?: readonly unknown[]) => {
        if (failNext && sql.includes('INSERT INTO usage_hours')) {
          failNext = false;
          return Promise.reject(new Error('the database went away'));
        }
        return real.execute(sql, params as never);
      },
    },
  });
  let now = Date.UTC(2026, 11, 6, 10, 59, 59);
  const usage = createUsageService({ db, clock: { now: () => now }, tenantExists: async () => {} });
  try {
    usage.count('acme', 'events', 5);
    usage.countRequest('acme', 'events');
    now += 2_000; // the next hour begins before the write, which fails
    failNext = true;
    await assert.rejects(usage.flush(), /went away/);
    usage.count('acme', 'events', 1);
    await usage.flush();
    const report = await usage.report({ kind: 'operator' }, { from: new Date(now - 2 * HOUR).toISOString() });
    assert.deepEqual(
      report.tenants[0].points.map((p) => [p.at, p.events, p.requests]),
      [
        ['2026-12-06T10:00:00.000Z', 5, { events: 1 }],
        ['2026-12-06T11:00:00.000Z', 1, {}],
      ],
    );
  } finally {
    await real.close();
    await storage.cleanup();
  }
});
