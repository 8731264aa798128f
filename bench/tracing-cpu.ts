// Tracing overhead in one process, where the box's noise hurts least: one app, the SDK exporting OTLP/HTTP to
// a sink in this process, and tracing switched between off, on at 100% and on at 1% (parent-based) in short
// interleaved segments, so every variant sees the same JIT state, data and neighbours. Per segment: requests
// made through inject() at a fixed concurrency, process CPU (main and worker threads) per request, p50 and
// p99; each variant's ratio to "off" in the same round, reported as the median and range over rounds.
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { type ContextManager, context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
} from '@opentelemetry/sdk-trace-base';
import { setTracingEnabled, tracingEnabled } from '../packages/server/src/kernel/index.ts';
import { startTracing } from '../packages/server/src/tracing/index.ts';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { startBenchApp } from './lib/bench-app.ts';
import { fmt, table } from './lib/report.ts';
import { generatedItems, generatedQueries } from './lib/search-items.ts';

const SEGMENT_MS = Number(process.env.BENCH_SEGMENT_MS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SEARCH_ITEMS = Number(process.env.SEARCH_ITEMS ?? 10_000);
const WIDTH = 384;

/** An OTLP/HTTP collector that reads and drops what it gets. */
const startSink = async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => server.close() };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

interface Segment {
  rps: number;
  cpuUs: number;
  p50: number;
  p99: number;
}

export const main = async () => {
  const sink = await startSink();
  // The root's sampling ratio is switched between segments; children follow their parent.
  let ratio = 1;
  const root: Sampler = {
    shouldSample: () => ({
      decision: Math.random() < ratio ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
    }),
    toString: () => 'SwitchableRatio',
  };
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${sink.url}/v1/traces` }));
  const tracing = await startTracing({
    env: {},
    spanProcessors: [processor],
    sampler: new ParentBasedSampler({ root }),
  });
  const bench = await startBenchApp();
  const { app, auth, call } = bench;
  // "Off" as a server without OTEL_* runs: no spans (the kernel's switch) and no context manager, whose
  // AsyncLocalStorage would otherwise keep Node's promise hooks on for every request. The API has no public
  // getter for the manager the SDK registered, hence the private one; it is registered again for "on".
  const manager = (context as unknown as { _getContextManager(): ContextManager })._getContextManager();
  const on = (r: number) => {
    if (!tracingEnabled()) context.setGlobalContextManager(manager.enable());
    setTracingEnabled(true);
    ratio = r;
  };
  const variants: Record<string, () => void> = {
    off: () => {
      setTracingEnabled(false);
      manager.disable();
      context.disable();
    },
    'on, 100%': () => on(1),
    'on, 1%': () => on(0.01),
  };
  try {
    console.log(
      `tracing overhead in process: ${ROUNDS} interleaved rounds of ${SEGMENT_MS} ms segments, ` +
        `${CONCURRENCY} requests in flight; load average ${loadavg()
          .map((l) => fmt(l, 2))
          .join(' ')}`,
    );
    await call('POST', '/v1/models', auth, { name: 'small' });
    await call(
      'POST',
      '/v1/models/small/versions',
      {
        ...auth,
        'content-type': 'application/octet-stream',
        'quiver-model-metadata': JSON.stringify({ batching: { maxBatchSize: 64, maxQueueDelayMs: 0 } }),
      },
      Buffer.from(mlpModel([WIDTH, 1024, 1024, 1], 1).bytes),
    );
    const items = generatedItems(SEARCH_ITEMS);
    for (let i = 0; i < items.length; i += 1000)
      await call('POST', '/v1/items/batch', auth, { items: items.slice(i, i + 1000) });
    await bench.vectorsOn();
    const bodies = Array.from({ length: 32 }, (_, b) => ({
      inputs: [
        {
          name: 'x',
          datatype: 'FP32',
          shape: [1, WIDTH],
          data: Array.from({ length: WIDTH }, (_, i) => Math.round(Math.sin(b * 7919 + i) * 1e4) / 1e4),
        },
      ],
    }));
    const queries = generatedQueries(2000);
    const workloads: Record<string, (n: number) => { url: string; payload: unknown }> = {
      'inference /v2 small': (n) => ({ url: '/v2/models/small/infer', payload: bodies[n % 32] }),
      'search keyword': (n) => ({
        url: '/v1/search',
        payload: { query: queries[n % 2000], mode: 'keyword', limit: 10 },
      }),
      'search hybrid': (n) => ({
        url: '/v1/search',
        payload: { query: queries[n % 2000], mode: 'hybrid', limit: 10 },
      }),
    };

    const segment = async (make: (n: number) => { url: string; payload: unknown }): Promise<Segment> => {
      const latencies: number[] = [];
      let n = 0;
      const until = performance.now() + SEGMENT_MS;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const lane = async () => {
        while (performance.now() < until) {
          const { url, payload } = make(n++);
          const t = performance.now();
          const res = await app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
          latencies.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
      // Export what the segment recorded inside it, so each variant pays for its own spans.
      await processor.forceFlush();
      const used = process.cpuUsage(cpu);
      const wallS = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        rps: latencies.length / wallS,
        cpuUs: (used.user + used.system) / latencies.length,
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
      };
    };

    const rows: Record<string, string | number>[] = [];
    for (const [workload, make] of Object.entries(workloads)) {
      const runs: Record<string, Segment[]> = {};
      for (let round = -1; round < ROUNDS; round++)
        for (const [variant, apply] of Object.entries(variants)) {
          apply();
          const s = await segment(make);
          if (round < 0) continue; // round -1 warms up
          runs[variant] ??= [];
          runs[variant].push(s);
        }
      const ratios = (variant: string, key: keyof Segment) =>
        runs[variant].map((s, i) => s[key] / runs.off[i][key]);
      const spread = (xs: number[]) =>
        `${fmt(median(xs), 2)} (${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)})`;
      for (const variant of Object.keys(variants)) {
        const rs = runs[variant];
        rows.push({
          workload,
          tracing: variant,
          'req/s': median(rs.map((s) => s.rps)),
          'p50 ms': median(rs.map((s) => s.p50)),
          'p99 ms': median(rs.map((s) => s.p99)),
          'CPU µs/req': median(rs.map((s) => s.cpuUs)),
          'req/s ÷ off': spread(ratios(variant, 'rps')),
          'CPU ÷ off': spread(ratios(variant, 'cpuUs')),
        });
      }
      console.log(table(rows.filter((r) => r.workload === workload)));
    }
    console.log(`\n${table(rows)}`);
    console.log(
      `OTLP sink: ${fmt(sink.requests())} export requests. Load average after: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
  } finally {
    on(1);
    await app.close();
    await tracing.shutdown();
    sink.close();
  }
};
