// Tracing overhead: the same servers with tracing off, on at 100% sampling and on at 1% (parent-based
// trace-id ratio), exporting OTLP/HTTP to a sink in this process, under the same load in interleaved rounds:
// /v2 inference of the small MLP (384→1024→1024→1, batching on) and POST /v1/search keyword and hybrid over
// SEARCH_ITEMS generated items. Throughput, latency and server CPU per request, each as a ratio to "off".

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { type ChildServer, startChild } from './lib/child.ts';
import { inferBodies } from './lib/infer-bodies.ts';
import { loadServer, medianRun, type NextRequest, type Run } from './lib/load.ts';
import { fmt, table } from './lib/report.ts';
import { generatedQueries } from './lib/search-items.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const SEARCH_ITEMS = process.env.SEARCH_ITEMS ?? '10000';
const SEARCH_MODES = (process.env.SEARCH_MODES ?? 'keyword,hybrid').split(',');
const SERVERS = new URL('./servers/', import.meta.url).pathname;
const WIDTH = 384;

type Info = { port: number; key: string };

/** An OTLP/HTTP collector that reads and drops what it gets, counting requests and bytes. */
const startSink = async () => {
  const seen = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      seen.bytes += chunk.length;
    });
    req.on('end', () => {
      seen.requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
};

const VARIANTS = (sink: string): Record<string, Record<string, string>> => ({
  off: { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  'on, 100%': {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '1',
  },
  'on, 1%': {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.01',
  },
});

/** Runs each workload on every variant's server, rounds interleaved; medians per workload and variant. */
const measure = async (
  servers: Record<string, ChildServer<Info>>,
  workloads: Record<string, (info: Info) => () => NextRequest>,
) => {
  const runs: Record<string, Record<string, Run[]>> = {};
  for (let round = -1; round < ROUNDS; round++)
    for (const [workload, next] of Object.entries(workloads))
      for (const [variant, server] of Object.entries(servers)) {
        const run = await loadServer(server, next(server.info), {
          connections: CONNECTIONS,
          durationS: DURATION_S,
        });
        if (round < 0) continue; // round -1 warms everything up
        runs[workload] ??= {};
        runs[workload][variant] ??= [];
        runs[workload][variant].push(run);
      }
  const rows = [];
  for (const [workload, byVariant] of Object.entries(runs)) {
    const off = medianRun(byVariant.off);
    for (const [variant, rs] of Object.entries(byVariant)) {
      const r = medianRun(rs);
      rows.push({
        workload,
        tracing: variant,
        'req/s': r.rps,
        '÷ off': r.rps / off.rps,
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        'p99 ÷ off': r.p99 / off.p99,
        'CPU µs/req': r.cpuUs,
        'CPU ÷ off': r.cpuUs / off.cpuUs,
      });
    }
  }
  console.log(table(rows)); // as each part ends, so a long run shows what it has
  return rows;
};

const start = (
  script: string,
  variants: Record<string, Record<string, string>>,
  env: Record<string, string>,
) =>
  Promise.all(
    Object.entries(variants).map(
      async ([name, v]) => [name, await startChild<Info>(script, { ...env, ...v })] as const,
    ),
  ).then(Object.fromEntries) as Promise<Record<string, ChildServer<Info>>>;

export const main = async () => {
  console.log(
    `tracing overhead: ${ROUNDS} interleaved rounds of ${DURATION_S}s, ${CONNECTIONS} connections, ${WORKERS} workers; ` +
      `medians. Load average before: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
  );
  const sink = await startSink();
  const variants = VARIANTS(sink.url);
  const rows = [];
  try {
    const { bytes } = mlpModel([WIDTH, 1024, 1024, 1], 1);
    const path = join(tmpdir(), `quiver-bench-tracing-${process.pid}.onnx`);
    writeFileSync(path, bytes);
    const models = [
      { name: 'small', path, metadata: { batching: { maxBatchSize: 64, maxQueueDelayMs: 0 } } },
    ];
    const bodies = inferBodies(WIDTH);
    const inference = await start(`${SERVERS}inference.ts`, variants, {
      QUIVER_INFERENCE_WORKERS: String(WORKERS),
      BENCH_MODELS: JSON.stringify(models),
      DATABASE_URL: '',
    });
    try {
      rows.push(
        ...(await measure(inference, {
          'inference /v2 small': (info) => {
            let n = 0;
            const headers = { authorization: `Bearer ${info.key}`, 'content-type': 'application/json' };
            return () => ({
              method: 'POST',
              path: '/v2/models/small/infer',
              headers,
              body: bodies[n++ % 32],
            });
          },
        })),
      );
    } finally {
      await Promise.all(Object.values(inference).map((s) => s.stop()));
    }

    const queries = generatedQueries(2000);
    const search = await start(`${SERVERS}search.ts`, variants, {
      SEARCH_ITEMS,
      RECALL_QUERIES: '20',
      DATABASE_URL: '',
    });
    const searchLoad = (mode: string) => (info: Info) => {
      let n = 0;
      const headers = { authorization: `Bearer ${info.key}`, 'content-type': 'application/json' };
      const payloads = queries.map((query) => JSON.stringify({ query, mode, limit: 10 }));
      return (): NextRequest => ({
        method: 'POST',
        path: '/v1/search',
        headers,
        body: payloads[n++ % payloads.length],
      });
    };
    try {
      const workloads = Object.fromEntries(SEARCH_MODES.map((mode) => [`search ${mode}`, searchLoad(mode)]));
      rows.push(...(await measure(search, workloads)));
    } finally {
      await Promise.all(Object.values(search).map((s) => s.stop()));
    }
  } finally {
    sink.close();
  }
  console.log(table(rows));
  console.log(
    `OTLP sink received ${fmt(sink.seen.requests)} export requests, ${fmt(sink.seen.bytes / 2 ** 20, 1)} MiB. ` +
      `Load average after: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
  );
};
