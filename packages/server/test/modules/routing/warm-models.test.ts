// The endpoints' models are loaded before a serving replica reports ready: /readyz names `models` while they
// load, and once ready the engine holds each endpoint's route and fallback versions without any request. The
// endpoint listing is held at a gate (a wrapper over the real PostgreSQL) to observe the warm-up while it runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../../support/app.ts';
import { shutGate, startGatedApp } from '../../support/gated-db.ts';
import { lookupModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { metric, uploadModel } from '../inference/testing.ts';

const isEndpointPage = (sql: string) =>
  sql.includes('FROM routing_endpoints WHERE tenant_id = $1 AND name > $2');

test("readiness waits for the endpoints' models: loaded at start, before any request", async () => {
  const first = await startTestApp(STORAGE_KINDS[1], { inferenceWorkers: 1 });
  const gate = shutGate();
  let second: Awaited<ReturnType<typeof startGatedApp>> | undefined;
  try {
    const acme = await first.tenant('acme');
    for (const seed of [1, 2, 3]) await uploadModel(first, acme, 'lookup', lookupModel(10, 3, seed));
    const put = await first.request({
      method: 'PUT',
      url: '/v1/endpoints/home',
      headers: acme,
      payload: {
        routes: [
          { model: 'lookup', version: 1, weight: 100 },
          { model: 'lookup', version: 2, weight: 0 },
        ],
        fallback: [{ model: 'lookup', version: 3 }],
      },
    });
    assert.equal(put.statusCode, 201, put.body);
    await first.app.close();

    second = await startGatedApp(first.config, isEndpointPage, gate.wait);
    const warming = await second.readyz();
    assert.equal(warming.status, 503);
    assert.ok(warming.body.warming.includes('models'), JSON.stringify(warming.body));
    assert.equal(await metric(second, 'quiver_inference_loaded_models', { tenant: 'acme' }), 0);
    gate.open();
    await second.whenWarm();
    assert.deepEqual(await second.readyz(), { status: 200, body: { status: 'ready' } });
    // The route with traffic and the fallback; not the route at weight 0.
    const loaded = await second.inference.repositoryIndex('acme', true);
    assert.deepEqual(loaded.map((m) => `${m.name}@${m.version}`).sort(), ['lookup@1', 'lookup@3']);
  } finally {
    gate.open();
    await second?.app.close();
    await first.close();
  }
});
