// The freshness hooks: visible times from the consumer's marks (in process) and the HTTP probe a benchmark
// runs beside a load against a server in another process. Only that they measure is checked, never how fast.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  featureVisibleTimes,
  histogramQuantile,
  probeFreshness,
} from '../../../src/modules/features/index.ts';
import { TEST_OPERATOR_KEY } from '../../support/app.ts';
import { type FeaturesApp, SETUPS, startFeaturesApp } from './testing.ts';

describe('feature freshness hooks', () => {
  let fa: FeaturesApp;
  let tenant: { id: string; headers: Record<string, string> };
  let baseUrl: string;
  before(async () => {
    fa = await startFeaturesApp(SETUPS[0], { now: () => Date.now() });
    tenant = await fa.tenant('fresh');
    await fa.current().app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(fa.current().app.server.address() as AddressInfo).port}`;
  });
  after(() => fa.close());

  test('the HTTP probe measures event → feature latency beside a load, and reads the server histogram', async () => {
    const load = (async () => {
      for (let b = 0; b < 10; b++) {
        const events = Array.from({ length: 200 }, (_, i) => ({
          id: `load-${b}-${i}`,
          type: 'view',
          userId: `u${i % 50}`,
          itemId: `i${i % 20}`,
          timestamp: new Date().toISOString(),
        }));
        const res = await fa.post('/v1/events', tenant.headers, { events });
        assert.equal(res.status, 202);
      }
    })();
    const report = await probeFreshness(
      { baseUrl, key: tenant.headers.authorization.slice(7), metricsKey: TEST_OPERATOR_KEY },
      load,
    );
    assert.ok(report.probes >= 1);
    assert.ok(report.p50Ms >= 0 && report.p99Ms >= report.p50Ms && report.maxMs >= report.p99Ms);
    assert.ok(report.server.events >= report.probes);
    assert.ok(Number.isFinite(report.server.p99Ms));
    const times = await featureVisibleTimes(fa.current().kv, tenant.id, ['load-0-0', 'never-sent']);
    assert.ok(typeof times[0] === 'number');
    assert.equal(times[1], null);
  });

  test('histogramQuantile interpolates within the bucket holding the rank, over the scrape difference', () => {
    const line = (le: string, n: number) => `quiver_feature_freshness_seconds_bucket{le="${le}"} ${n}`;
    const before = [line('0.1', 2), line('0.5', 2), line('+Inf', 2)].join('\n');
    const after = [line('0.1', 7), line('0.5', 12), line('+Inf', 12)].join('\n');
    assert.deepEqual(histogramQuantile(before, after, 0.5), { count: 10, ms: 100 });
    assert.ok(Math.abs(histogramQuantile(before, after, 0.75).ms - 300) < 1e-6);
  });
});
