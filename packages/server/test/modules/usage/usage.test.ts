// GET /v1/usage and quotas on both SQL backends: two replicas over one database add to the same hourly rows,
// a replica's counts survive its restart (written at close), a tenant key sees only its own usage, and a
// tenant past its monthly events or compute quota gets a 429 quota_exceeded problem.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { lookupModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { uploadModel } from '../inference/testing.ts';

type Headers = Record<string, string>;
// Long enough that only the tests' own flushes (and close) write.
const MANUAL = { usage: { flushMs: 600_000 } };

const sendEvents = (t: TestApp, key: Headers, ids: string[]) =>
  t.request({
    method: 'POST',
    url: '/v1/events',
    headers: key,
    payload: {
      events: ids.map((id) => ({
        id,
        type: 'view',
        userId: 'u1',
        itemId: 'i1',
        timestamp: new Date().toISOString(),
      })),
    },
  });

const usageOf = async (t: TestApp, key: Headers, query = '') => {
  const res = await t.request({ url: `/v1/usage${query}`, headers: key });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
};

for (const kind of STORAGE_KINDS) {
  describe(`usage and quotas (${kind.name})`, () => {
    let a: TestApp;
    let b: TestApp;
    let acme: Headers;
    let beta: Headers;
    before(async () => {
      a = await startTestApp(kind, { inferenceWorkers: 1 }, undefined, MANUAL);
      b = await startTestApp(
        kind,
        { databaseUrl: a.config.databaseUrl, inferenceWorkers: 1 },
        undefined,
        MANUAL,
      );
      acme = await a.tenant('acme');
      beta = await a.tenant('beta');
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    test('two replicas add to the same rows; a restarted replica keeps what it counted', async () => {
      assert.equal((await sendEvents(a, acme, ['e1', 'e2'])).statusCode, 202);
      assert.equal((await sendEvents(b, acme, ['e3', 'e1'])).statusCode, 202); // e1: a duplicate, not counted
      for (let i = 0; i < 3; i++)
        assert.equal((await b.request({ url: '/v1/items', headers: acme })).statusCode, 200);
      assert.equal((await a.request({ url: '/v1/items', headers: beta })).statusCode, 200);
      await a.usage.flush();
      // b is restarted without a flush: its close writes its counts.
      await b.close();
      b = await startTestApp(
        kind,
        { databaseUrl: a.config.databaseUrl, inferenceWorkers: 1 },
        undefined,
        MANUAL,
      );

      const report = await usageOf(b, b.operator);
      assert.equal(report.granularity, 'hour');
      const byTenant = Object.fromEntries(report.tenants.map((t: { tenantId: string }) => [t.tenantId, t]));
      assert.equal(byTenant.acme.total.events, 3);
      assert.deepEqual(byTenant.acme.total.requests, { events: 2, catalog: 3 });
      assert.deepEqual(byTenant.beta.total.requests, { catalog: 1 });
      // Hourly buckets, on the hour (UTC).
      for (const p of byTenant.acme.points) assert.equal(Date.parse(p.at) % 3_600_000, 0);
      const monthly = await usageOf(b, b.operator, '?granularity=month&tenantId=acme');
      assert.deepEqual(
        monthly.tenants.map((t: { tenantId: string }) => t.tenantId),
        ['acme'],
      );
      assert.equal(monthly.tenants[0].points[0].events, 3);
    });

    test('a tenant key sees only its own usage; naming another tenant is a 404', async () => {
      const own = await usageOf(a, acme);
      assert.deepEqual(
        own.tenants.map((t: { tenantId: string }) => t.tenantId),
        ['acme'],
      );
      const other = await a.request({ url: '/v1/usage?tenantId=beta', headers: acme });
      assert.equal(other.statusCode, 404, other.body);
      const quotas = await a.request({ url: '/v1/tenants/beta/quotas', headers: acme });
      assert.equal(quotas.statusCode, 404, quotas.body);
      const put = await a.request({
        method: 'PUT',
        url: '/v1/tenants/acme/quotas',
        headers: acme,
        payload: { eventsPerMonth: null, computeSPerMonth: null },
      });
      assert.equal(put.statusCode, 403, put.body);
    });

    test('bad ranges and granularities are 400 problems naming the field', async () => {
      const backwards = await a.request({
        url: '/v1/usage?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
        headers: a.operator,
      });
      assert.equal(backwards.statusCode, 400);
      assert.equal(backwards.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(backwards.json().code, 'validation_failed');
      assert.equal(backwards.json().errors[0].path, '/from');
      const week = await a.request({ url: '/v1/usage?granularity=week', headers: a.operator });
      assert.equal(week.statusCode, 400);
      assert.match(JSON.stringify(week.json().errors), /granularity/);
      const unknown = await a.request({
        method: 'PUT',
        url: '/v1/tenants/nobody/quotas',
        headers: a.operator,
        payload: { eventsPerMonth: 1, computeSPerMonth: null },
      });
      assert.equal(unknown.statusCode, 404, unknown.body);
    });

    test('past its monthly events quota a batch is refused with 429 quota_exceeded, on either replica', async () => {
      const put = await a.request({
        method: 'PUT',
        url: '/v1/tenants/beta/quotas',
        headers: a.operator,
        payload: { eventsPerMonth: 3, computeSPerMonth: null },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json().used, { events: 0, computeS: 0 });
      assert.equal((await sendEvents(a, beta, ['q1', 'q2'])).statusCode, 202);
      const over = await sendEvents(a, beta, ['q3', 'q4']);
      assert.equal(over.statusCode, 429, over.body);
      assert.equal(over.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(over.json().code, 'quota_exceeded');
      assert.match(over.json().detail, /used 2 of its 3 events/);
      assert.equal((await sendEvents(a, beta, ['q3'])).statusCode, 202);
      // The other replica learns the quota and a's counts at its next flush.
      await a.usage.flush();
      await b.usage.flush();
      assert.equal((await sendEvents(b, beta, ['q5'])).statusCode, 429);
      const quotas = await b.request({ url: '/v1/tenants/beta/quotas', headers: beta });
      assert.equal(quotas.statusCode, 200, quotas.body);
      assert.equal(quotas.json().eventsPerMonth, 3);
      assert.equal(quotas.json().used.events, 3);
      assert.equal(quotas.json().month, new Date().toISOString().slice(0, 7));
      // Lifting the quota lets events in again.
      await a.request({
        method: 'PUT',
        url: '/v1/tenants/beta/quotas',
        headers: a.operator,
        payload: { eventsPerMonth: null, computeSPerMonth: null },
      });
      assert.equal((await sendEvents(a, beta, ['q6'])).statusCode, 202);
    });

    test('inference compute is metered per tenant and refused past the compute quota', async () => {
      const solo = await a.tenant(`solo-${kind.name}`);
      const model = lookupModel(100, 3, 1);
      await uploadModel(a, solo, 'lookup', model);
      const item = await a.request({
        method: 'PUT',
        url: '/v1/items/lamp-1',
        headers: solo,
        payload: { title: 'Brass Table Lamp' },
      });
      assert.equal(item.statusCode, 201, item.body);
      const infer = () =>
        a.request({
          method: 'POST',
          url: '/v2/models/lookup/infer',
          headers: solo,
          payload: { inputs: [{ name: 'idx', datatype: 'INT64', shape: [2, 1], data: [1, 2] }] },
        });
      assert.equal((await infer()).statusCode, 200);
      await a.usage.flush();
      const report = await usageOf(a, solo);
      assert.ok(report.tenants[0].total.computeS > 0, JSON.stringify(report));
      assert.equal(report.tenants[0].total.requests.infer, 1);
      // Stored amounts are sampled from the shared store: the artifact's bytes, one item, no vector index here.
      await a.usage.sampleLevels();
      const stored = (await usageOf(a, solo)).tenants[0].total;
      assert.equal(stored.artifactBytes, model.length);
      assert.equal(stored.items, 1);
      assert.equal(stored.vectors, null);
      const put = await a.request({
        method: 'PUT',
        url: `/v1/tenants/solo-${kind.name}/quotas`,
        headers: a.operator,
        payload: { eventsPerMonth: null, computeSPerMonth: report.tenants[0].total.computeS / 2 },
      });
      assert.equal(put.statusCode, 200, put.body);
      const refused = await infer();
      assert.equal(refused.statusCode, 429, refused.body);
      assert.match(refused.body, /compute seconds/);
    });
  });
}
