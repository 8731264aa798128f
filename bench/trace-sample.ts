// A sample trace as JSON: one inference through an endpoint (HTTP → endpoint → inference → batch → worker
// thread) and one event (HTTP → stream → feature consumer), recorded in process with the SDK's in-memory
// exporter. Times are offsets from the trace's first span, in milliseconds.
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../packages/server/src/tracing/index.ts';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { startBenchApp } from './lib/bench-app.ts';

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const WAIT_MS = 15_000;

const ms = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
const round = (n: number) => Math.round(n * 1000) / 1000;

/** The spans of one trace, oldest first, as plain JSON. */
const traceJson = (spans: readonly ReadableSpan[], traceId: string) => {
  const own = spans
    .filter((s) => s.spanContext().traceId === traceId)
    .sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const t0 = own.length > 0 ? ms(own[0].startTime) : 0;
  return {
    traceId,
    spans: own.map((s) => ({
      name: s.name,
      kind: KINDS[s.kind],
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId ?? null,
      startMs: round(ms(s.startTime) - t0),
      durationMs: round(ms(s.duration)),
      attributes: s.attributes,
      ...(s.links.length > 0 ? { links: s.links.map((l) => l.context.spanId) } : {}),
    })),
  };
};

const until = async (done: () => boolean) => {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > WAIT_MS) throw new Error('the trace did not complete in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

export const main = async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = await startTracing({ env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const bench = await startBenchApp();
  const { app, auth } = bench;
  try {
    const inject = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = {}) => {
      const res = await app.inject({
        method,
        url,
        headers: { ...auth, ...headers },
        payload: payload as string,
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res;
    };
    await inject('POST', '/v1/models', { name: 'ranker' });
    await inject('POST', '/v1/models/ranker/versions', Buffer.from(mlpModel([8, 16, 1], 1).bytes), {
      'content-type': 'application/octet-stream',
    });
    await inject('PUT', '/v1/endpoints/home', { routes: [{ model: 'ranker', version: 1, weight: 100 }] });
    await inject('GET', '/v2/models/ranker/versions/1/ready');

    exporter.reset();
    const inferTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    await inject(
      'POST',
      '/v1/endpoints/home/infer',
      {
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 8], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] },
        ],
      },
      { traceparent: `00-${inferTrace}-00f067aa0ba902b7-01` },
    );
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /v1/endpoints/:name/infer'));
    const inference = traceJson(exporter.getFinishedSpans(), inferTrace);

    const eventTrace = '0af7651916cd43dd8448eb211c80319c';
    await inject(
      'POST',
      '/v1/events',
      {
        events: [{ id: 'e1', type: 'view', userId: 'u1', itemId: 'i1', timestamp: new Date().toISOString() }],
      },
      { traceparent: `00-${eventTrace}-b7ad6b7169203331-01` },
    );
    const consumed = () =>
      exporter
        .getFinishedSpans()
        .some((s) => s.spanContext().traceId === eventTrace && s.name.startsWith('process features'));
    await until(consumed);
    const event = traceJson(exporter.getFinishedSpans(), eventTrace);
    console.log(JSON.stringify({ inference, event }, null, 2));
  } finally {
    await app.close();
    await tracing.shutdown();
  }
};
