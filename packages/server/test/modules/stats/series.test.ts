// GET /v1/stats/series on both SQL backends: two replicas over one database write their windows and either
// one reads the sum; the operator sees every tenant and the global figures, a tenant key only its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const SERVED = { tenant: 'acme', model: 'ranker', version: '1' };

for (const kind of STORAGE_KINDS) {
  describe(`stats series (${kind.name})`, () => {
    let a: TestApp;
    let b: TestApp;
    let acme: Record<string, string>;
    let beta: Record<string, string>;
    before(async () => {
      a = await startTestApp(kind, {}, undefined, { stats: { flushMs: 60_000 } });
      // A second replica on the same database.
      b = await startTestApp(kind, { databaseUrl: a.config.databaseUrl }, undefined, {
        stats: { flushMs: 60_000 },
      });
      acme = await a.tenant('acme');
      beta = await a.tenant('beta');
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    test('sums both replicas: requests, errors, latency, per-tenant compute and the global figures', async () => {
      for (let i = 0; i < 3; i++)
        assert.equal((await a.request({ url: '/v1/items', headers: acme })).statusCode, 200);
      for (let i = 0; i < 2; i++)
        assert.equal((await b.request({ url: '/v1/items', headers: beta })).statusCode, 200);
      b.stats.observe({ route: '/v1/items', tenantId: 'beta', statusCode: 503, elapsedMs: 40 });
      // Console and stats reads are not traffic.
      await a.request({ url: '/v1/stats/series', headers: a.operator });
      a.metrics.counter('inference_cache_hits_total', '', ['tenant', 'model', 'version']).inc(SERVED, 3);
      a.metrics.counter('inference_cache_misses_total', '', ['tenant', 'model', 'version']).inc(SERVED, 1);
      a.metrics.histogram('inference_batch_size', '', ['tenant', 'model', 'version']).observe(SERVED, 4);
      a.metrics.histogram('inference_batch_size', '', ['tenant', 'model', 'version']).observe(SERVED, 2);
      await a.stats.flush();
      await b.stats.flush();

      const res = await b.request({ url: '/v1/stats/series?minutes=5', headers: b.operator });
      assert.equal(res.statusCode, 200, res.body);
      const series = res.json();
      assert.equal(series.scope, 'all');
      assert.equal(series.points.length, Math.ceil(300 / series.windowS));
      const busy = series.points.filter((p: { requests: number }) => p.requests > 0);
      const sum = (key: string) => busy.reduce((s: number, p: Record<string, number>) => s + p[key], 0);
      // 2 tenant creations + 2 key creations by the operator, 5 item reads, 1 observed failure.
      assert.equal(sum('requests'), 10);
      assert.ok(busy.some((p: { errorRate: number }) => p.errorRate > 0));
      assert.ok(
        busy.every(
          (p: { p50Ms: number | null; p99Ms: number | null }) => p.p50Ms !== null && p.p99Ms! >= p.p50Ms!,
        ),
      );
      const cached = series.points.find((p: { cacheHitRatio: number | null }) => p.cacheHitRatio !== null);
      assert.equal(cached.cacheHitRatio, 0.75);
      assert.equal(cached.meanBatchSize, 3);
      const tenants = Object.fromEntries(series.tenants.map((t: { tenantId: string }) => [t.tenantId, t]));
      assert.equal(tenants.acme.requests, 3);
      assert.equal(tenants.beta.requests, 3);
      assert.ok(tenants.beta.computeMs >= 40);
    });

    test('a tenant key sees only its own requests and no global figures', async () => {
      const res = await a.request({ url: '/v1/stats/series?minutes=5', headers: acme });
      assert.equal(res.statusCode, 200, res.body);
      const series = res.json();
      assert.equal(series.scope, 'tenant');
      assert.deepEqual(
        series.tenants.map((t: { tenantId: string }) => t.tenantId),
        ['acme'],
      );
      assert.ok(
        series.points.every(
          (p: { cacheHitRatio: unknown; streamLag: unknown }) =>
            p.cacheHitRatio === null && p.streamLag === null,
        ),
      );
      const total = series.points.reduce((s: number, p: { requests: number }) => s + p.requests, 0);
      assert.equal(total, 3);
    });

    test('a bad range is a problem naming the field', async () => {
      const res = await a.request({ url: '/v1/stats/series?minutes=0', headers: a.operator });
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'validation_failed');
      assert.equal(res.json().errors[0].path, '/query/minutes');
    });

    test('without a key it is 401', async () => {
      const res = await a.request({ url: '/v1/stats/series' });
      assert.equal(res.statusCode, 401);
    });
  });
}
