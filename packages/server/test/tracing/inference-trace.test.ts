// One inference through an endpoint is one trace: the HTTP span continues the caller's traceparent, and the
// endpoint, inference, batch and worker-thread spans hang below it (SDK with an in-memory exporter).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/tracing/index.ts';
import { uploadModel } from '../modules/inference/testing.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { lookupModel } from '../support/onnx/index.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('tracing: inference through an endpoint', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let t: TestApp;
  let acme: Record<string, string>;

  before(async () => {
    tracing = await startTracing({ env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
    await uploadModel(t, acme, 'lookup', lookupModel(100, 3, 1));
    const put = await t.request({
      method: 'PUT',
      url: '/v1/endpoints/home',
      headers: acme,
      payload: { routes: [{ model: 'lookup', version: 1, weight: 100 }] },
    });
    assert.equal(put.statusCode, 201, put.body);
    // Loaded and warmed up before the traced call (a first call's trace also holds `inference.load`).
    const ready = await t.request({
      method: 'GET',
      url: '/v2/models/lookup/versions/1/ready',
      headers: acme,
    });
    assert.equal(ready.statusCode, 200, ready.body);
  });
  after(async () => {
    await t.close();
    await tracing.shutdown();
  });

  test('one trace from the HTTP span down to the worker thread, continuing the caller', async () => {
    exporter.reset();
    const res = await t.request({
      method: 'POST',
      url: '/v1/endpoints/home/infer',
      headers: { ...acme, traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=1' },
      payload: { inputs: [{ name: 'idx', datatype: 'INT64', shape: [1, 1], data: [7] }] },
    });
    assert.equal(res.statusCode, 200, res.body);
    const returned = String(res.headers.traceparent);
    assert.match(returned, new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    assert.equal(res.headers.tracestate, 'vendor=1');

    const spans = exporter.getFinishedSpans();
    assert.deepEqual([...new Set(spans.map((s) => s.spanContext().traceId))], [CALLER_TRACE]);
    const named = (name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name);
      assert.equal(found.length, 1, `one ${name} span in ${spans.map((s) => s.name).join(', ')}`);
      return found[0];
    };
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    const server = named('POST /v1/endpoints/:name/infer');
    const endpoint = named('endpoint.infer');
    const inference = named('inference.infer');
    const batch = named('inference.batch');
    const worker = named('inference.worker.run');
    const run = named('onnx.session.run');
    assert.equal(parentOf(server), CALLER_SPAN);
    assert.equal(returned.split('-')[2], server.spanContext().spanId);
    assert.equal(parentOf(endpoint), server.spanContext().spanId);
    assert.equal(parentOf(inference), endpoint.spanContext().spanId);
    assert.equal(parentOf(batch), inference.spanContext().spanId);
    assert.equal(parentOf(worker), batch.spanContext().spanId);
    assert.equal(parentOf(run), worker.spanContext().spanId);

    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['quiver.tenant'], 'acme');
    assert.equal(endpoint.attributes['quiver.endpoint'], 'home');
    assert.equal(endpoint.attributes['quiver.endpoint.variant'], 'lookup@1');
    assert.equal(inference.attributes['quiver.model'], 'lookup');
    assert.equal(inference.attributes['quiver.model.version'], '1');
    assert.equal(batch.attributes['quiver.batch.size'], 1);
    assert.equal(typeof batch.attributes['quiver.batch.id'], 'number');
    assert.equal(worker.attributes['quiver.batch.id'], batch.attributes['quiver.batch.id']);
    assert.equal(typeof run.attributes['quiver.compute_ms'], 'number');
    // session.run() lies inside the worker thread's span, which lies inside its batch span, which lies inside
    // the request's (the worker's times are epoch times from its own clock origin: within a millisecond).
    const ms = (s: ReadableSpan, end = false) => {
      const [sec, ns] = end ? s.endTime : s.startTime;
      return sec * 1e3 + ns / 1e6;
    };
    assert.ok(ms(run) >= ms(worker) - 1 && ms(run, true) <= ms(worker, true) + 1);
    assert.ok(ms(worker) >= ms(batch) - 1 && ms(worker, true) <= ms(batch, true) + 1);
    assert.ok(ms(batch) >= ms(server) - 1 && ms(batch, true) <= ms(server, true) + 1);
  });

  test('without a traceparent the request starts its own trace and returns it', async () => {
    exporter.reset();
    const res = await t.request({ method: 'GET', url: '/v1/endpoints/home', headers: acme });
    assert.equal(res.statusCode, 200);
    const [server] = exporter.getFinishedSpans().filter((s) => s.name === 'GET /v1/endpoints/:name');
    assert.ok(server, 'a server span');
    assert.equal(server.parentSpanContext, undefined);
    assert.equal(String(res.headers.traceparent).split('-')[1], server.spanContext().traceId);
  });
});
