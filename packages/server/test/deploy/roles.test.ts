// Roles: `serve` holds the search indexes and runs no shared stream consumer of the cluster's background
// work (search analytics, routing attribution); `worker` runs those and holds no index; both stop on SIGTERM
// with exit code 0. In process on PostgreSQL first (which consumers exist is read from the stream's table),
// then as real processes over PostgreSQL, Redis and NATS.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SearchAnalytics } from '@quiver/contracts';
import { openSqlDatabase } from '../../src/adapters/sql/index.ts';
import { buildApp } from '../../src/app.ts';
import { startTestApp } from '../support/app.ts';
import { call, eventually, CLUSTER_OPERATOR_KEY as OP, startCluster } from '../support/cluster.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const POSTGRES = STORAGE_KINDS[1];

describe('roles in process (PostgreSQL, its stream)', () => {
  test('serve runs no analytics or attribution consumer; a worker does, and the analytics count the events', async () => {
    const serve = await startTestApp(POSTGRES, { role: 'serve' });
    const consumers = async () =>
      (await serve.db.query<{ name: string }>('SELECT name FROM stream_consumers ORDER BY name')).map(
        (r) => r.name,
      );
    let worker: Awaited<ReturnType<typeof buildApp>> | undefined;
    try {
      const headers = await serve.tenant('roles');
      const events = [1, 2].map((i) => ({
        id: `s-${i}`,
        type: 'search',
        userId: `u${i}`,
        query: 'brass lamp',
        timestamp: new Date().toISOString(),
      }));
      const sent = await serve.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });
      assert.equal(sent.statusCode, 202, sent.body);
      // The features consumer runs on every role: once it has the events, the stream has delivered them.
      const features = serve.features.consumerName;
      await eventually(
        'features consumed the events',
        async () => (await serve.stream.position(features)) > 0,
      );
      const onServe = await consumers();
      assert.ok(onServe.includes('search'), `the index consumer runs on serve: ${onServe}`);
      assert.ok(!onServe.includes('search-analytics'), `${onServe}`);
      assert.ok(!onServe.includes('routing-attribution'), `${onServe}`);
      const analytics = async () =>
        (
          await serve.request({ method: 'GET', url: '/v1/search/analytics', headers })
        ).json() as SearchAnalytics;
      assert.equal((await analytics()).totals.searches, 0);

      const config = { ...serve.config, role: 'worker' as const };
      worker = await buildApp(config, { db: openSqlDatabase(config.databaseUrl, config.dataDir) });
      await eventually(
        'the worker recorded the searches',
        async () => (await analytics()).totals.searches === 2,
      );
      const onWorker = await consumers();
      assert.ok(
        onWorker.includes('search-analytics') && onWorker.includes('routing-attribution'),
        `${onWorker}`,
      );
      // A worker answers no API route (only health and metrics).
      assert.equal((await worker.app.inject({ method: 'GET', url: '/v1/items', headers })).statusCode, 404);
    } finally {
      await worker?.app.close();
      await serve.close();
    }
  });
});

describe('roles as processes (PostgreSQL, Redis, NATS)', () => {
  test('the worker holds no search index; SIGTERM stops worker and serve with exit code 0', async () => {
    const cluster = await startCluster();
    try {
      const worker = await cluster.start('worker', 'worker');
      const serve = await cluster.start('serve', 'serve');
      const created = await call(serve.url, 'POST', '/v1/tenants', OP, { id: 'shop', name: 'Shop' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const key = (
        await call(serve.url, 'POST', '/v1/tenants/shop/keys', OP, { name: 'k', scopes: ['admin'] })
      ).body.secret;
      const put = await call(serve.url, 'PUT', '/v1/items/lamp', key, { title: 'Brass lamp' });
      assert.ok(put.status < 300, JSON.stringify(put.body));
      const indexes = async (url: string) => {
        const text = (await call(url, 'GET', '/metrics', OP)).body as string;
        return Number(/^quiver_search_indexes (\S+)$/m.exec(text)?.[1]);
      };
      await eventually('serve indexed the tenant', async () => (await indexes(serve.url)) === 1);
      assert.equal(await indexes(worker.url), 0);
      assert.deepEqual((await call(worker.url, 'GET', '/readyz', '')).body, { status: 'ready' });

      for (const replica of [worker, serve]) {
        const signalled = Date.now();
        replica.proc.kill('SIGTERM');
        assert.equal(await replica.exited, 0, replica.output().slice(-3000));
        console.log(`# ${replica.role}: SIGTERM to exit 0 in ${Date.now() - signalled} ms`);
      }
    } finally {
      await cluster.close();
    }
  });
});
