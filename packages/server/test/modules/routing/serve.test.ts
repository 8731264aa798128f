// Serving through an endpoint with a stand-in model call: a shadow that never answers neither alters nor
// delays the caller's answer; a deadline sends the request to the fallback.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PutEndpoint } from '@quiver/contracts';
import { systemClock } from '../../../src/kernel/index.ts';
import { createMetrics } from '../../../src/metrics/index.ts';
import type { InferResponseBody } from '../../../src/modules/inference/index.ts';
import { createEndpointCache } from '../../../src/modules/routing/endpoints.ts';
import type { RoutingRepository } from '../../../src/modules/routing/repository.ts';
import { createServer, type InferFn } from '../../../src/modules/routing/serve.ts';
import { createTelemetry } from '../../../src/modules/routing/telemetry.ts';

const answer = (model: string, version: string, value: number): InferResponseBody => ({
  model_name: model,
  model_version: version,
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1], data: [value] }],
});

const serverFor = (spec: PutEndpoint, infer: InferFn) => {
  const repo = {
    getEndpoint: async () => ({
      tenantId: 't',
      name: 'e',
      spec,
      salt: 's',
      revision: 1,
      createdAt: '',
      updatedAt: '',
    }),
    writeStats: async () => undefined,
    writeExposures: async () => undefined,
  } as unknown as RoutingRepository;
  const telemetry = createTelemetry({ repo, clock: systemClock, metrics: createMetrics() });
  return createServer({
    cache: createEndpointCache({ repo, clock: systemClock }),
    infer,
    telemetry,
    clock: systemClock,
  });
};

describe('endpoint serving', () => {
  test('a shadow that hangs neither alters nor delays the answer', async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => {
      release = r;
    });
    const shadowCalls: string[] = [];
    const server = serverFor(
      {
        routes: [{ model: 'main', version: 1, weight: 1 }],
        shadow: [{ model: 'slow', version: 1, percent: 100 }],
      },
      async (_t, model) => {
        if (model === 'slow') {
          shadowCalls.push(model);
          await hung; // the shadow model takes as long as the test likes
          return answer('slow', '1', 999);
        }
        return answer('main', '1', 1);
      },
    );
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const res = await server.infer('t', 'e', { inputs: [] }, {});
      // Generous bound: the primary answers at once, while the shadow never has.
      assert.ok(performance.now() - started < 250);
      assert.equal(res.model, 'main');
      assert.deepEqual(res.body.outputs[0].data, [1]);
    }
    await new Promise((r) => setImmediate(r));
    assert.equal(shadowCalls.length, 20);
    release();
  });

  test('a route past its deadline gives way to the fallback', async () => {
    const server = serverFor(
      {
        routes: [{ model: 'stuck', version: 1, weight: 1 }],
        fallback: [{ model: 'main', version: 1 }],
        timeoutMs: 30,
      },
      async (_t, model) => {
        if (model === 'stuck') await new Promise((r) => setTimeout(r, 5_000).unref());
        return answer(model, '1', 2);
      },
    );
    const res = await server.infer('t', 'e', { inputs: [] }, {});
    assert.equal(res.model, 'main');
    assert.equal(res.degraded, true);
  });
});
