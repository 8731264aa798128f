// One event is one trace from the HTTP request through the stream into the feature consumer: the trace
// context rides in the embedded log's records and in JetStream's message headers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/tracing/index.ts';
import { type FeaturesApp, NOW, SETUPS, startFeaturesApp } from '../modules/features/testing.ts';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
before(async () => {
  tracing = await startTracing({ env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
});
after(() => tracing.shutdown());

// Embedded log on SQLite, and JetStream (with Redis for the feature state).
for (const setup of [SETUPS[0], SETUPS[2]]) {
  describe(`tracing: an event into the feature consumer (${setup.name})`, () => {
    let fa: FeaturesApp;
    before(async () => {
      fa = await startFeaturesApp(setup);
    });
    after(() => fa.close());

    test('the consumer span continues the trace of the request that sent the event', async () => {
      const tenant = await fa.tenant('traced', ['events:write', 'features:read']);
      const traceId = `${Date.now().toString(16).padStart(16, '0')}${'a'.repeat(16)}`.slice(-32);
      const id = `traced-${traceId.slice(0, 12)}`;
      const timestamp = new Date(NOW - 60_000).toISOString();
      const res = await fa.post(
        '/v1/events',
        { ...tenant.headers, traceparent: `00-${traceId}-1111111111111111-01` },
        {
          events: [{ id, type: 'view', userId: 'u1', itemId: 'i1', timestamp }],
        },
      );
      assert.equal(res.status, 202, JSON.stringify(res.body));
      await fa.waitApplied(tenant.id, [id]);
      const consumer = fa.current().features.consumerName;
      const inTrace = (): ReadableSpan[] =>
        exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      // The span ends once the handler returns, just after the features it wrote became readable.
      for (let waited = 0; !inTrace().some((s) => s.name === `process ${consumer}`); waited += 20) {
        assert.ok(
          waited < 30_000,
          `no consumer span in ${inTrace()
            .map((s) => s.name)
            .join(', ')}`,
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      const spans = inTrace();
      const one = (name: string) => {
        const found = spans.filter((s) => s.name === name);
        assert.equal(found.length, 1, `one ${name} in ${spans.map((s) => s.name).join(', ')}`);
        return found[0];
      };
      const server = one('POST /v1/events');
      const send = one('send events');
      const processed = one(`process ${consumer}`);
      assert.equal(server.parentSpanContext?.spanId, '1111111111111111');
      assert.equal(send.kind, SpanKind.PRODUCER);
      assert.equal(
        send.attributes['messaging.system'],
        setup.name === 'NATS + Redis' ? 'nats' : 'quiver_log',
      );
      assert.equal(processed.kind, SpanKind.CONSUMER);
      assert.equal(processed.parentSpanContext?.spanId, send.spanContext().spanId);
      assert.equal(processed.attributes['messaging.destination.name'], `events.${tenant.id}`);
    });
  });
}
