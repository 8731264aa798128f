// Endpoints over HTTP with real onnxruntime: definitions and history, tenancy and scopes, sticky serving with
// a token, fallback with a circuit breaker, shadow comparison, and attribution feeding experiment results.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { deepModel, lookupModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { eventually, metric, uploadModel } from '../inference/testing.ts';

type Headers = Record<string, string>;
const body = (idx: number, parameters: Record<string, unknown> = {}) => ({
  parameters,
  inputs: [{ name: 'idx', datatype: 'INT64', shape: [1, 1], data: [idx] }],
});

for (const kind of STORAGE_KINDS) {
  describe(`endpoints (${kind.name})`, () => {
    let t: TestApp;
    let acme: Headers;
    let other: Headers;
    let caller: Headers;
    const put = (key: Headers, name: string, payload: object) =>
      t.request({ method: 'PUT', url: `/v1/endpoints/${name}`, headers: key, payload });
    const call = (key: Headers, name: string, payload: object, headers: Headers = {}) =>
      t.request({
        method: 'POST',
        url: `/v1/endpoints/${name}/infer`,
        headers: { ...key, ...headers },
        payload,
      });
    const get = (key: Headers, url: string) => t.request({ method: 'GET', url, headers: key });

    before(async () => {
      t = await startTestApp(kind, { inferenceWorkers: 1 });
      acme = await t.tenant('acme');
      other = await t.tenant('other');
      caller = await t
        .request({
          method: 'POST',
          url: '/v1/tenants/acme/keys',
          headers: t.operator,
          payload: { name: 'caller', scopes: ['infer', 'events:write'] },
        })
        .then((r) => ({ authorization: `Bearer ${r.json().secret}` }));
      await uploadModel(t, acme, 'lookup', lookupModel(100, 3, 1)); // v1
      await uploadModel(t, acme, 'lookup', lookupModel(100, 3, 2)); // v2: other scores, same inputs
      await uploadModel(t, acme, 'lookup', lookupModel(5, 3, 3)); // v3: fails for idx ≥ 5
    });
    after(() => t.close());

    test('an endpoint is created, read, listed, revised, its history kept, and deleted', async () => {
      const spec = {
        routes: [
          { model: 'lookup', version: 1, weight: 90 },
          { model: 'lookup', version: 2, weight: 10 },
        ],
      };
      const created = await put(acme, 'crud', spec);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().revision, 1);
      const updated = await put(acme, 'crud', {
        ...spec,
        routes: [spec.routes[0], { ...spec.routes[1], weight: 30 }],
      });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().revision, 2);
      assert.equal((await get(acme, '/v1/endpoints/crud')).json().routes[1].weight, 30);
      assert.deepEqual(
        (await get(acme, '/v1/endpoints')).json().endpoints.map((e: { name: string }) => e.name),
        ['crud'],
      );
      const history = (await get(acme, '/v1/endpoints/crud/history')).json().revisions;
      assert.deepEqual(
        history.map((r: { routes: { weight: number }[] }) => r.routes[1].weight),
        [10, 30],
      );
      const del = await t.request({ method: 'DELETE', url: '/v1/endpoints/crud', headers: acme });
      assert.equal(del.statusCode, 204);
      assert.equal((await get(acme, '/v1/endpoints/crud')).statusCode, 404);
    });

    test('bad definitions are 400/422 problems naming the field', async () => {
      const both = await put(acme, 'bad', {
        routes: [{ model: 'lookup', version: 1, alias: 'champion', weight: 1 }],
      });
      assert.equal(both.statusCode, 400, both.body);
      assert.match(String(both.headers['content-type']), /problem\+json/);
      assert.equal(both.json().errors[0].path, '/routes/0');
      const zero = await put(acme, 'bad', { routes: [{ model: 'lookup', version: 1, weight: 0 }] });
      assert.equal(zero.statusCode, 400);
      const unknown = await put(acme, 'bad', { routes: [{ model: 'nope', version: 1, weight: 1 }] });
      assert.equal(unknown.statusCode, 422, unknown.body);
      assert.equal(unknown.json().errors[0].path, '/routes/0');
      const sticky = await put(acme, 'bad', { routes: [{ model: 'lookup', weight: 1 }], stickyBy: 'cookie' });
      assert.equal(sticky.statusCode, 400);
    });

    test("another tenant's key cannot see, call or change an endpoint; scopes are enforced", async () => {
      assert.equal(
        (await put(acme, 'private', { routes: [{ model: 'lookup', version: 1, weight: 1 }] })).statusCode,
        201,
      );
      assert.equal((await get(other, '/v1/endpoints/private')).statusCode, 404);
      assert.equal((await call(other, 'private', body(1))).statusCode, 404);
      assert.equal(
        (await t.request({ method: 'DELETE', url: '/v1/endpoints/private', headers: other })).statusCode,
        404,
      );
      assert.deepEqual((await get(other, '/v1/endpoints')).json().endpoints, []);
      // The other tenant has no model 'lookup': it cannot point an endpoint of its own at acme's.
      assert.equal(
        (await put(other, 'private', { routes: [{ model: 'lookup', version: 1, weight: 1 }] })).statusCode,
        422,
      );
      assert.equal((await get(acme, '/v1/endpoints/private')).json().revision, 1);
      // A key with only `infer` may call but not define.
      assert.equal(
        (await put(caller, 'private', { routes: [{ model: 'lookup', version: 2, weight: 1 }] })).statusCode,
        403,
      );
      assert.equal((await call(caller, 'private', body(1))).statusCode, 200);
      assert.equal((await get(caller, '/v1/endpoints/private/stats')).statusCode, 403);
    });

    test('sticky routing: a user keeps the version, every answer names model, version and a token', async () => {
      await put(acme, 'sticky', {
        routes: [
          { model: 'lookup', version: 1, weight: 50, variant: 'control' },
          { model: 'lookup', version: 2, weight: 50 },
        ],
        stickyBy: 'userId',
      });
      const seen = new Set<string>();
      for (let u = 0; u < 30; u++) {
        const first = await call(caller, 'sticky', body(u, { userId: `u${u}` }));
        assert.equal(first.statusCode, 200, first.body);
        const again = await call(caller, 'sticky', body(u, { userId: `u${u}` }));
        const a = first.json();
        assert.equal(again.json().model_version, a.model_version);
        assert.equal(a.model_name, 'lookup');
        assert.equal(first.headers['quiver-model-version'], a.model_version);
        assert.match(a.parameters.recommendationId, /^rt1~sticky~1~[01]~r[01]~[12]~[0-9a-f]{16}$/);
        assert.equal(a.parameters.degraded, false);
        assert.equal(a.parameters.variant, a.model_version === '1' ? 'control' : 'lookup@2');
        seen.add(a.model_version);
      }
      assert.deepEqual([...seen].sort(), ['1', '2']);
      // The unit may come from a header instead.
      await put(acme, 'by-header', {
        routes: [
          { model: 'lookup', version: 1, weight: 1 },
          { model: 'lookup', version: 2, weight: 1 },
        ],
        stickyBy: 'header:x-shopper',
      });
      const versions = new Set<string>();
      for (let i = 0; i < 5; i++)
        versions.add(
          (await call(caller, 'by-header', body(1), { 'x-shopper': 'alice' })).json().model_version,
        );
      assert.equal(versions.size, 1);
    });

    test('fallback answers (degraded) when the route fails, and the breaker then stops calling it', async () => {
      await put(acme, 'guarded', {
        routes: [{ model: 'lookup', version: 3, weight: 1 }],
        fallback: [{ model: 'lookup', version: 1 }],
        breaker: { consecutiveFailures: 3, coolDownMs: 600_000 },
      });
      const ok = await call(caller, 'guarded', body(2));
      assert.equal(ok.json().model_version, '3');
      assert.equal(ok.json().parameters.degraded, false);
      for (let i = 0; i < 6; i++) {
        const res = await call(caller, 'guarded', body(50));
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().model_version, '1');
        assert.equal(res.json().parameters.degraded, true);
        assert.equal(res.headers['quiver-degraded'], 'true');
        assert.match(res.json().parameters.recommendationId, /~f0~1~/);
      }
      // Open now: even an input v3 could answer goes to the fallback.
      assert.equal((await call(caller, 'guarded', body(2))).json().model_version, '1');
      const stats = (await get(acme, '/v1/endpoints/guarded/stats')).json();
      const v3 = stats.variants.find((v: { variant: string }) => v.variant === 'lookup@3');
      // 8 requests were assigned to v3: 1 answered, 3 failed, then the open breaker skipped 4 (failures too).
      assert.deepEqual([v3.requests, v3.errors], [8, 7]);
      // …and the model itself ran only 4 times.
      assert.equal(
        await metric(t, 'quiver_inference_requests_total', { tenant: 'acme', model: 'lookup', version: '3' }),
        4,
      );
      const fb = stats.variants.find((v: { variant: string }) => v.variant === 'fallback:lookup@1');
      assert.equal(fb.degraded, 7);
      assert.deepEqual(stats.breakers, [
        { target: 'lookup@3', state: 'open' },
        { target: 'lookup@1', state: 'closed' },
      ]);
      // A bad request is the caller's fault: 400, no fallback.
      const bad = await call(caller, 'guarded', {
        inputs: [{ name: 'nope', datatype: 'FP32', shape: [1], data: [1] }],
      });
      assert.equal(bad.statusCode, 400);
    });

    test('shadow: the caller gets the primary answer, divergence is recorded per pair', async () => {
      await put(acme, 'mirrored', {
        routes: [{ model: 'lookup', version: 1, weight: 1 }],
        shadow: [
          { model: 'lookup', version: 2, percent: 100 },
          { model: 'lookup', version: 1, percent: 100, compare: 'topk', k: 2 },
        ],
      });
      const direct = await t.request({
        method: 'POST',
        url: '/v2/models/lookup/versions/1/infer',
        headers: acme,
        payload: body(7),
      });
      for (let i = 0; i < 5; i++) {
        const res = await call(caller, 'mirrored', body(7));
        assert.equal(res.json().model_version, '1');
        assert.deepEqual(res.json().outputs, direct.json().outputs);
      }
      await eventually(async () => {
        const s = (await get(acme, '/v1/endpoints/mirrored/stats')).json();
        return s.shadows.reduce((n: number, x: { requests: number }) => n + x.requests, 0) === 10;
      });
      const s = (await get(acme, '/v1/endpoints/mirrored/stats')).json();
      const v2 = s.shadows.find((x: { shadow: string }) => x.shadow === 'lookup@2');
      assert.equal(v2.primary, 'lookup@1');
      assert.equal(v2.errors, 0);
      assert.ok(v2.meanAbsDiff > 0);
      const self = s.shadows.find((x: { shadow: string }) => x.shadow === 'lookup@1');
      assert.equal(self.topKOverlap, 1);
      const metrics = (await t.request({ method: 'GET', url: '/metrics', headers: t.operator })).body;
      assert.match(
        metrics,
        /quiver_endpoint_shadow_requests_total\{tenant="acme",endpoint="mirrored",primary="lookup@1",shadow="lookup@2"\} 5/,
      );
    });

    test('attribution joins events to the version that served them; results give rates, lift and SRM', async () => {
      await put(acme, 'exp', {
        routes: [
          { model: 'lookup', version: 1, weight: 50, variant: 'control' },
          { model: 'lookup', version: 2, weight: 50, variant: 'treatment' },
        ],
        stickyBy: 'userId',
      });
      const served = new Map<string, number>();
      const buyers = new Map<string, number>();
      const events: object[] = [];
      for (let u = 0; u < 200; u++) {
        const res = (await call(caller, 'exp', body(u % 100, { userId: `user-${u}` }))).json();
        const v = res.parameters.variant;
        served.set(v, (served.get(v) ?? 0) + 1);
        // Treatment users buy twice as often as control users (every 2nd vs every 4th); everyone clicks.
        const buys = v === 'treatment' ? u % 2 === 0 : u % 4 === 0;
        const base = {
          userId: `user-${u}`,
          itemId: 'i1',
          recommendationId: res.parameters.recommendationId,
          timestamp: new Date().toISOString(),
        };
        events.push({ ...base, id: `c-${u}`, type: 'click' });
        if (buys) buyers.set(v, (buyers.get(v) ?? 0) + 1);
        if (buys)
          events.push(
            { ...base, id: `p-${u}`, type: 'purchase' },
            { ...base, id: `p2-${u}`, type: 'purchase' },
          );
      }
      // An event with a foreign or broken token is ignored.
      events.push({
        id: 'x1',
        type: 'purchase',
        userId: 'z',
        itemId: 'i1',
        recommendationId: 'rt1~exp~99~0~r0~1~0123456789abcdef',
        timestamp: new Date().toISOString(),
      });
      for (const batch of [events, events]) {
        const res = await t.request({
          method: 'POST',
          url: '/v1/events',
          headers: caller,
          payload: { events: batch },
        });
        assert.equal(res.statusCode, 202, res.body);
      }
      await eventually(async () => (await t.routing.attributionLag()) === 0);
      const r = (await get(acme, '/v1/endpoints/exp/results?metric=purchase')).json();
      assert.equal(r.control, 'control');
      const [control, treatment] = r.variants;
      assert.equal(control.exposures, served.get('control'));
      assert.equal(treatment.exposures, served.get('treatment'));
      assert.equal(control.exposures + treatment.exposures, 200);
      // Each buyer bought twice: conversions count distinct units, joined to the variant that served them.
      assert.equal(control.conversions, buyers.get('control'));
      assert.equal(treatment.conversions, buyers.get('treatment'));
      assert.ok(treatment.rate > control.rate, JSON.stringify(r));
      assert.ok(control.rateInterval[0] <= control.rate && control.rate <= control.rateInterval[1]);
      assert.ok(Math.abs(treatment.lift - (treatment.rate / control.rate - 1)) < 1e-12);
      assert.ok(treatment.liftInterval[0] < treatment.lift && treatment.lift < treatment.liftInterval[1]);
      assert.equal(r.srm.mismatch, false);
      const clicks = (await get(acme, '/v1/endpoints/exp/results?metric=click')).json();
      assert.deepEqual(
        clicks.variants.map((v: { rate: number }) => v.rate),
        [1, 1],
      );
      const attributed = async () =>
        Number(
          (
            await t.db.query<{ n: number | string }>(
              "SELECT COUNT(*) AS n FROM routing_attributions WHERE tenant_id = 'acme' AND endpoint = 'exp'",
            )
          )[0].n,
        );
      const buyerCount = (buyers.get('control') ?? 0) + (buyers.get('treatment') ?? 0);
      assert.equal(await attributed(), 200 + 2 * buyerCount);
      // Redelivery (the consumer replays the whole log) attributes nothing twice: idempotent by event id.
      await t.stream.seek('routing-attribution', 1);
      await eventually(async () => (await t.routing.attributionLag()) === 0);
      assert.deepEqual(
        (await get(acme, '/v1/endpoints/exp/results?metric=purchase')).json().variants,
        r.variants,
      );
      assert.equal(await attributed(), 200 + 2 * buyerCount);
    });
    test('the sample-ratio check flags a skewed split and not a fair one', async () => {
      const routes = (a: number, b: number) => [
        { model: 'lookup', version: 1, weight: a, variant: 'a' },
        { model: 'lookup', version: 2, weight: b, variant: 'b' },
      ];
      const users = async (from: number, to: number) => {
        for (let u = from; u < to; u++) await call(caller, 'srm', body(1, { userId: `s${u}` }));
      };
      await put(acme, 'srm', { routes: routes(50, 50), stickyBy: 'userId' });
      await users(0, 400);
      const fair = (await get(acme, '/v1/endpoints/srm/results')).json();
      assert.equal(fair.srm.mismatch, false, JSON.stringify(fair.srm));
      // Weights changed mid-experiment (90/10 for a while): the exposures no longer match 50/50.
      await put(acme, 'srm', { routes: routes(90, 10), stickyBy: 'userId' });
      await users(400, 800);
      await put(acme, 'srm', { routes: routes(50, 50), stickyBy: 'userId' });
      const skewed = (await get(acme, '/v1/endpoints/srm/results')).json();
      assert.equal(skewed.srm.mismatch, true, JSON.stringify(skewed));
      assert.ok(skewed.srm.pValue < 0.001);
    });
    test('a slow shadow model neither alters nor delays the answer', async () => {
      const unbatched = { batching: { maxBatchSize: 1 } };
      await uploadModel(t, acme, 'deep', deepModel({ dim: 256, depth: 1 }), unbatched); // v1: fast
      await uploadModel(t, acme, 'deep', deepModel({ dim: 256, depth: 6000 }), unbatched); // v2: slow
      for (const v of [1, 2])
        await eventually(
          async () => (await get(acme, `/v2/models/deep/versions/${v}/ready`)).statusCode === 200,
        );
      await put(acme, 'slow-shadow', {
        routes: [{ model: 'deep', version: 1, weight: 1 }],
        shadow: [{ model: 'deep', version: 2, percent: 100 }],
      });
      const x = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 256], data: Array(256).fill(0.5) }] };
      const direct = await t.request({
        method: 'POST',
        url: '/v2/models/deep/versions/1/infer',
        headers: acme,
        payload: x,
      });
      const started = performance.now();
      const res = await call(caller, 'slow-shadow', x);
      const elapsedMs = performance.now() - started;
      assert.equal(res.json().model_version, '1');
      assert.deepEqual(res.json().outputs, direct.json().outputs);
      await eventually(async () => {
        const s = (await get(acme, '/v1/endpoints/slow-shadow/stats')).json();
        return s.shadows[0]?.requests === 1;
      });
      const shadow = (await get(acme, '/v1/endpoints/slow-shadow/stats')).json().shadows[0];
      // The caller had its answer in less time than the shadow alone took.
      assert.ok(shadow.p50Ms > elapsedMs, `shadow ${shadow.p50Ms} ms, caller ${elapsedMs} ms`);
      assert.ok(shadow.meanAbsDiff > 0);
    });
  });
}
