// A Quiver server for the crash test: listens on a free port, prints {port, key}, and with
// QUIVER_TEST_HOLD=1 holds every catalog write forever after printing HOLDING, so it can be killed mid-request;
// with QUIVER_TEST_CRASH_AFTER_COMMIT=1 it kills itself (SIGKILL) as soon as a transaction that wrote the
// catalog change feed has committed, before the request's answer is sent.

import { openSqlDatabase, type SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { buildApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config/index.ts';

const TEST_LEASE_MS = 1000;

const config = loadConfig();
const inner = openSqlDatabase(config.databaseUrl, config.dataDir);
let holding = false;
let crashAfterCommit = false;
const db: SqlDatabase = {
  dialect: inner.dialect,
  query: (sql, params) => inner.query(sql, params),
  execute: (sql, params) => inner.execute(sql, params),
  transaction: async (fn) => {
    if (holding) {
      process.stdout.write('HOLDING\n');
      return new Promise(() => {});
    }
    let wroteCatalog = false;
    const result = await inner.transaction((tx) =>
      fn({
        query: (sql, params) => tx.query(sql, params),
        execute: (sql, params) => {
          wroteCatalog ||= sql.includes('INSERT INTO item_changes');
          return tx.execute(sql, params);
        },
      }),
    );
    if (crashAfterCommit && wroteCatalog) process.kill(process.pid, 'SIGKILL');
    return result;
  },
  migrate: (migrations) => inner.migrate(migrations),
  ping: () => inner.ping(),
  close: () => inner.close(),
};

const { app } = await buildApp(config, { db, idempotencyLeaseMs: TEST_LEASE_MS });
let key = process.env.QUIVER_TEST_KEY;
if (!key) {
  const operator = { authorization: `Bearer ${config.operatorKey}` };
  await app.inject({
    method: 'POST',
    url: '/v1/tenants',
    headers: operator,
    payload: { id: 'shop', name: 'Shop' },
  });
  const created = await app.inject({
    method: 'POST',
    url: '/v1/tenants/shop/keys',
    headers: operator,
    payload: { name: 'crash', scopes: ['admin'] },
  });
  key = created.json().secret as string;
}
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
holding = process.env.QUIVER_TEST_HOLD === '1';
crashAfterCommit = process.env.QUIVER_TEST_CRASH_AFTER_COMMIT === '1';
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' ? address?.port : 0, key })}\n`);
