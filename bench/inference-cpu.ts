// In-process CPU of /v2 infer (CPU time, so other load on the machine weighs less than on throughput), in
// interleaved rounds, medians of the rounds. (1) The inference module's per-request work on the main thread:
// reading an infer body into tensors and writing an FP32 answer, each next to its same-run baseline. (2) Whole
// requests through app.inject (no sockets: hooks, auth, parsing, service, batcher, worker hand-off and answer)
// with CONCURRENCY in flight, for the small and the large MLP served with batching on, next to a bare Fastify
// route parsing the same body: main-thread CPU µs per request (/proc, the event loop alone) and the whole
// process's (the inference workers included). (3) Loading the large MLP (84 MiB) on every worker: the main
// thread's CPU and its longest event-loop stall (a 1 ms interval's largest gap) during the load.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createInferenceEngine } from '../packages/server/src/modules/engine/index.ts';
import { parseInferBody } from '../packages/server/src/modules/inference/body.ts';
import { decodeInputs } from '../packages/server/src/modules/inference/decode.ts';
import { float32ArrayText } from '../packages/server/src/modules/inference/float-text.ts';
import { stringifyInferResponse } from '../packages/server/src/modules/inference/respond.ts';
import type { RequestInput } from '../packages/server/src/modules/inference/schemas.ts';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { startBenchApp } from './lib/bench-app.ts';
import { processCpuSeconds } from './lib/child.ts';
import { inferBodies } from './lib/infer-bodies.ts';
import { benchEnvironment, fmt, table } from './lib/report.ts';
import { batchTotalsOf } from './lib/served-load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N = Number(process.env.BENCH_ITERATIONS ?? 5_000);
const VARIANTS = 32;
const SEGMENT_MS = Number(process.env.BENCH_SEGMENT_MS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
/** Which parts run: `units` (1), `served` (2) and `load` (3); and which variants of (2): `bare`, `small`, `large`. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'units,served,load').split(','));
const SERVED = new Set((process.env.BENCH_SERVED ?? 'bare,small,large').split(','));

/** Bodies as bench/inference.ts sends them. */
const bodies = (width: number) => inferBodies(width, VARIANTS).map((b) => Buffer.from(b));

/** Model outputs: float32 values of one row. */
const outputs = (width: number) =>
  Array.from({ length: VARIANTS }, (_, b) =>
    Float32Array.from({ length: width }, (_, i) => Math.sin(b * 31 + i) * 3),
  );

/** CPU µs per call of `f` over N calls (after a warm-up). */
const cpuUs = (f: (i: number) => unknown): number => {
  for (let i = 0; i < 500; i++) f(i);
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) f(i);
  const d = process.cpuUsage(start);
  return (d.user + d.system) / N;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const answer = (data: unknown[]) => ({
  model_name: 'large',
  model_version: '1',
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, data.length], data }],
});

/** The bare baseline of bench/servers/bare-infer.ts: Fastify parsing the body as JSON, a fixed one-float answer. */
const bareApp = async (): Promise<FastifyInstance> => {
  const answer = JSON.stringify({
    model_name: 'small',
    model_version: '1',
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [0.125] }],
  });
  const app = Fastify({ logger: false });
  app.post<{ Body: { inputs: unknown[] } }>('/v2/models/:name/infer', async (request, reply) => {
    if (!Array.isArray(request.body?.inputs)) return reply.code(400).send({ error: 'no inputs' });
    return reply.type('application/json; charset=utf-8').send(answer);
  });
  await app.ready();
  return app;
};

interface Variant {
  name: string;
  /** The served model, whose batch sizes are read from /metrics (none for the bare route). */
  model?: string;
  app: FastifyInstance;
  url: string;
  headers: Record<string, string>;
  payloads: Buffer[];
}

/** Rows and batches the app has run for `model` so far (its /metrics, outside the CPU window). */
const batches = async (v: Variant) => {
  if (!v.model) return undefined;
  const res = await v.app.inject({ method: 'GET', url: '/metrics', headers: v.headers });
  return batchTotalsOf(res.body, v.model);
};

/** One segment: CPU µs per request of the main thread and of the whole process, and the mean batch reached. */
const segment = async (v: Variant) => {
  const before = await batches(v);
  let n = 0;
  let done = 0;
  const until = performance.now() + SEGMENT_MS;
  const main0 = processCpuSeconds(process.pid, process.pid);
  const all0 = process.cpuUsage();
  const lane = async () => {
    while (performance.now() < until) {
      const res = await v.app.inject({
        method: 'POST',
        url: v.url,
        headers: { ...v.headers, 'content-type': 'application/json' },
        payload: v.payloads[n++ % v.payloads.length],
      });
      if (res.statusCode !== 200) throw new Error(`${v.name}: ${res.statusCode} ${res.body}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const all = process.cpuUsage(all0);
  const mainUs = ((processCpuSeconds(process.pid, process.pid) - main0) * 1e6) / done;
  const after = await batches(v);
  const batch = before && after ? (after.rows - before.rows) / (after.batches - before.batches) : Number.NaN;
  return { mainUs, allUs: (all.user + all.system) / done, batch };
};

const served = async () => {
  const small = mlpModel([384, 1024, 1024, 1], 1);
  const large = mlpModel([1024, 4096, 4096, 256], 1);
  const bench = await startBenchApp({ inferenceWorkers: WORKERS });
  const bare = await bareApp();
  try {
    for (const [name, model] of [
      ['small', small],
      ['large', large],
    ] as const) {
      const path = join(tmpdir(), `quiver-bench-cpu-${name}-${process.pid}.onnx`);
      writeFileSync(path, model.bytes);
      await bench.call('POST', '/v1/models', bench.auth, { name });
      await bench.call(
        'POST',
        `/v1/models/${name}/versions`,
        {
          ...bench.auth,
          'content-type': 'application/octet-stream',
          'quiver-model-metadata': JSON.stringify({ batching: { maxBatchSize: 64 } }),
        },
        model.bytes,
      );
      await bench.call('GET', `/v2/models/${name}/ready`, bench.auth);
    }
    const all: (Variant & { key: string })[] = [
      {
        key: 'bare',
        name: 'bare Fastify route, 384 floats (baseline)',
        app: bare,
        url: '/v2/models/small/infer',
        headers: {},
        payloads: bodies(384),
      },
      {
        key: 'small',
        model: 'small',
        name: 'served small MLP, batching on',
        app: bench.app,
        url: '/v2/models/small/infer',
        headers: bench.auth,
        payloads: bodies(384),
      },
      {
        key: 'large',
        model: 'large',
        name: 'served large MLP, batching on',
        app: bench.app,
        url: '/v2/models/large/infer',
        headers: bench.auth,
        payloads: bodies(1024),
      },
    ];
    const variants = all.filter((v) => SERVED.has(v.key));
    const runs = new Map(
      variants.map((v) => [v.name, [] as { mainUs: number; allUs: number; batch: number }[]]),
    );
    for (let round = -1; round < ROUNDS; round++)
      for (const v of variants) {
        const r = await segment(v);
        if (round >= 0) runs.get(v.name)!.push(r);
      }
    const bareMain = SERVED.has('bare') ? runs.get(all[0].name)! : undefined;
    console.log(
      `\nwhole requests through app.inject, ${CONCURRENCY} in flight, ${WORKERS} workers, ${SEGMENT_MS} ms segments:`,
    );
    console.log(
      table(
        variants.map((v) => {
          const rs = runs.get(v.name)!;
          return {
            variant: v.name,
            'main µs/req': fmt(median(rs.map((r) => r.mainUs)), 1),
            'process µs/req': fmt(median(rs.map((r) => r.allUs)), 1),
            'bare ÷ this (main)': bareMain
              ? fmt(median(rs.map((r, i) => bareMain[i].mainUs / r.mainUs)), 2)
              : '',
            'main, rounds': rs.map((r) => fmt(r.mainUs)).join(' '),
            batch: v.model ? fmt(median(rs.map((r) => r.batch)), 1) : '',
          };
        }),
      ),
    );
  } finally {
    await bare.close();
    await bench.app.close();
  }
};

/** Loads the large MLP on every worker of a fresh engine, ROUNDS times: main-thread CPU ms and longest stall ms. */
const load = async () => {
  const { bytes } = mlpModel([1024, 4096, 4096, 256], 1);
  const rounds: { cpuMs: number; stallMs: number; wallMs: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const engine = createInferenceEngine({}, { poolSize: WORKERS });
    let last = performance.now();
    let stall = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
    }, 1);
    const main0 = processCpuSeconds(process.pid, process.pid);
    const started = performance.now();
    last = started;
    await engine.load('large', bytes);
    const wallMs = performance.now() - started;
    const cpuMs = (processCpuSeconds(process.pid, process.pid) - main0) * 1000;
    clearInterval(probe);
    rounds.push({ cpuMs, stallMs: stall, wallMs });
    await engine.close();
  }
  console.log(
    `\nloading the large MLP (${fmt(bytes.length / 2 ** 20, 1)} MiB) on ${WORKERS} workers, ${ROUNDS} rounds: ` +
      `main-thread CPU ${rounds.map((r) => fmt(r.cpuMs)).join(', ')} ms; longest event-loop stall ` +
      `${rounds.map((r) => fmt(r.stallMs)).join(', ')} ms; load took ${rounds.map((r) => fmt(r.wallMs)).join(', ')} ms`,
  );
};

export const main = async () => {
  console.log(
    `inference CPU in process: ${ROUNDS} interleaved rounds × ${fmt(N)} calls, medians; ${benchEnvironment()}`,
  );
  if (PARTS.has('units')) units();
  if (PARTS.has('served')) await served();
  if (PARTS.has('load')) await load();
  console.log(
    `load average after: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
};

const units = () => {
  const large = bodies(1024);
  const small = bodies(384);
  const out256 = outputs(256);
  const arrays = out256.map((o) => Array.from(o));
  const cases: Record<string, (i: number) => unknown> = {
    'JSON.parse, 1,024 floats (baseline)': (i) => JSON.parse(large[i % VARIANTS].toString('utf8')),
    'body → tensors, 1,024 floats': (i) =>
      decodeInputs((parseInferBody(large[i % VARIANTS]) as { inputs: RequestInput[] }).inputs),
    'JSON.parse, 384 floats (baseline)': (i) => JSON.parse(small[i % VARIANTS].toString('utf8')),
    'body → tensors, 384 floats': (i) =>
      decodeInputs((parseInferBody(small[i % VARIANTS]) as { inputs: RequestInput[] }).inputs),
    '256 FP32 as widened doubles, JSON.stringify (baseline)': (i) =>
      JSON.stringify(Array.from(out256[i % VARIANTS])),
    '256 FP32, shortest float32 text': (i) => float32ArrayText(out256[i % VARIANTS]),
    'whole answer text, 256 FP32': (i) => stringifyInferResponse(answer(arrays[i % VARIANTS]) as never),
  };
  const results = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, f] of Object.entries(cases)) results.get(name)!.push(cpuUs(f));
  console.log(
    table(
      [...results].map(([name, xs]) => ({
        case: name,
        'CPU µs/call (median)': fmt(median(xs), 1),
        'rounds min–max': `${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)}`,
      })),
    ),
  );
  const bytes = (s: string) => fmt(Buffer.byteLength(s));
  console.log(
    `256 FP32 text: ${bytes(JSON.stringify(arrays[0]))} bytes as widened doubles, ${bytes(float32ArrayText(out256[0]))} shortest`,
  );
};
