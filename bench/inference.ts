// Inference benchmark: for two MLPs built in code, the raw onnxruntime ceiling (in-process worker pool, best
// batch size) against served throughput over HTTP (/v2 infer, 64 single-row clients) with batching on and
// off; and for the small model, a bare Fastify route parsing the same body. Each served segment also reports
// the server's CPU per request (all threads; the main thread, the worker threads and the rest apart), the load
// generator's (this process's main thread) and the mean batch size reached, and each raw segment this process's
// worker-thread CPU per row, so the workers' cost per row served is compared with raw's at the same batch;
// right after each batching-on segment raw onnxruntime runs at that batch size, so served ÷ raw compares
// like with like. A tiny model (small enough for the engine to run it on the serving thread) is also served
// pinned to the workers (`execution: 'workers'`), so the engine's choice is compared with the round trip it
// saves. All measured in the same run, in short interleaved segments (raw, on, raw at the batch reached,
// pinned, off, bare, repeated), so that other load on the machine weighs on every figure alike.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { type ChildServer, startChild } from './lib/child.ts';
import { combine, type LoadResult, postLoad } from './lib/http-load.ts';
import { inferBodies } from './lib/infer-bodies.ts';
import { openRawEngine } from './lib/raw-inference.ts';
import { benchEnvironment, fmt, table } from './lib/report.ts';
import { measureServed, type ServedResult } from './lib/served-load.ts';

const SEGMENT_S = Number(process.env.BENCH_SEGMENT_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const RAW_BATCHES = [1, 8, 32, 64, 128];
const MAX_BATCH = Number(process.env.BENCH_MAX_BATCH ?? 64);
const QUEUE_DELAY_MS = Number(process.env.BENCH_QUEUE_DELAY_MS ?? 0);
const BODIES = 32;
/** Which served segments run (e.g. `on` alone, to profile it with BENCH_SERVER_NODE_ARGS=--cpu-prof). */
const SEGMENTS = new Set((process.env.BENCH_SEGMENTS ?? 'on,off,bare').split(','));
const SERVERS = new URL('./servers/', import.meta.url).pathname;

interface Reference {
  name: string;
  dims: number[];
  goal: string;
  bare: boolean;
  /** Also serve it pinned to the workers, batching on (the `pinned` segment). */
  pinned?: boolean;
}

const MODELS: Reference[] = [
  {
    name: 'large',
    dims: [1024, 4096, 4096, 256],
    goal: 'served ÷ raw at the batch reached ≥ 0.6, batching on ÷ off ≥ 5',
    bare: false,
  },
  { name: 'small', dims: [384, 1024, 1024, 1], goal: 'served ≥ 0.6 × bare route', bare: true },
  {
    name: 'tiny',
    dims: [16, 32, 1],
    goal: "served ≥ 0.6 × bare route; the engine's choice ≥ pinned to the workers",
    bare: true,
    pinned: true,
  },
];

/** A raw segment, with the bench process's CPU per row: the callers' thread and the onnxruntime workers. */
type RawResult = LoadResult & { mainUs: number; workerUs: number };

const bodies = (width: number): string[] => inferBodies(width, BODIES);

/** Mean of a field over segments; undefined fields count as NaN. */
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const range = (xs: readonly number[], digits = 2): string =>
  `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

const bench = async (ref: Reference) => {
  const { bytes } = mlpModel(ref.dims, 1);
  const path = join(tmpdir(), `quiver-bench-${ref.name}-${process.pid}.onnx`);
  writeFileSync(path, bytes);
  const width = ref.dims[0];
  const payloads = bodies(width);
  const children: ChildServer<{ port: number; key?: string }>[] = [];
  const raw = await openRawEngine(bytes, width, WORKERS);
  try {
    const scan = [];
    for (const batch of RAW_BATCHES) scan.push({ batch, rowsPerS: await raw.run(batch, SEGMENT_S * 500) });
    const best = scan.reduce((a, b) => (b.rowsPerS > a.rowsPerS ? b : a));

    const batching = {
      on: { maxBatchSize: MAX_BATCH, maxQueueDelayMs: QUEUE_DELAY_MS },
      off: { maxBatchSize: 1 },
    };
    const models: { name: string; path: string; metadata: object }[] = Object.entries(batching).map(
      ([name, b]) => ({ name, path, metadata: { batching: b } }),
    );
    if (ref.pinned)
      models.push({ name: 'pinned', path, metadata: { batching: batching.on, execution: 'workers' } });
    const server = await startChild<{ port: number; key: string }>(`${SERVERS}inference.ts`, {
      QUIVER_INFERENCE_WORKERS: String(WORKERS),
      BENCH_MODELS: JSON.stringify(models),
      DATABASE_URL: '',
    });
    children.push(server);
    const bare = ref.bare ? await startChild<{ port: number }>(`${SERVERS}bare-infer.ts`) : undefined;
    if (bare) children.push(bare);

    const auth = { authorization: `Bearer ${server.info.key}` };
    // Where the engine chose to run the batching-on model (parameters.execution of its Triton config).
    const config = await fetch(`http://127.0.0.1:${server.info.port}/v2/models/on/config`, { headers: auth });
    const execution = ((await config.json()) as { parameters?: { execution?: { string_value?: string } } })
      .parameters?.execution?.string_value;
    const segment = (port: number, url: string, headers = {}) =>
      postLoad(port, url, payloads, { connections: CONNECTIONS, durationS: SEGMENT_S, headers });
    const served = (model: string) =>
      measureServed(
        server,
        () => segment(server.info.port, `/v2/models/${model}/infer`, auth),
        model,
        WORKERS,
      );
    const rawAt = async (batch: number): Promise<RawResult> => {
      const m = await raw.measure(batch, SEGMENT_S * 1000);
      return { rps: m.rowsPerS, p50: Number.NaN, p99: Number.NaN, mainUs: m.mainUs, workerUs: m.workerUs };
    };
    const runs = {
      raw: [] as RawResult[],
      on: [] as ServedResult[],
      /** Raw onnxruntime right after each `on` segment, at the batch size that segment reached. */
      reached: [] as (RawResult & { batch: number })[],
      off: [] as ServedResult[],
      bare: [] as ServedResult[],
      pinned: [] as ServedResult[],
    };
    for (let round = -1; round < ROUNDS; round++) {
      const keep = round >= 0; // round -1 warms everything up
      const r = await rawAt(best.batch);
      const on = SEGMENTS.has('on') ? await served('on') : undefined;
      const batch = Math.max(1, Math.round(on?.batch ?? 1));
      const reached = on ? { ...(await rawAt(batch)), batch } : undefined;
      const pinned = ref.pinned && SEGMENTS.has('on') ? await served('pinned') : undefined;
      const off = SEGMENTS.has('off') ? await served('off') : undefined;
      const b =
        bare && SEGMENTS.has('bare')
          ? await measureServed(bare, () => segment(bare.info.port, '/v2/models/small/infer'), undefined, 0)
          : undefined;
      if (!keep) continue;
      runs.raw.push(r);
      if (on && reached) runs.on.push(on);
      if (reached) runs.reached.push(reached);
      if (off) runs.off.push(off);
      if (b) runs.bare.push(b);
      if (pinned) runs.pinned.push(pinned);
    }
    return { ref, scan, best, runs, bodyBytes: payloads[0].length, execution };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await raw.close();
  }
};

const servedRow = (run: string, rs: readonly ServedResult[]) => {
  const c = combine(rs);
  return {
    run,
    'rows/s': c.rps,
    'p50 ms': c.p50,
    'p99 ms': c.p99,
    'CPU µs/req': mean(rs.map((r) => r.cpuUs)),
    'main µs/req': mean(rs.map((r) => r.mainUs)),
    'workers µs/req': mean(rs.map((r) => r.workerUs)),
    'other µs/req': mean(rs.map((r) => r.otherUs)),
    'client µs/req': mean(rs.map((r) => r.clientUs)),
    batch: rs[0].batch === undefined ? '' : fmt(mean(rs.map((r) => r.batch ?? Number.NaN)), 1),
  };
};

const report = (r: Awaited<ReturnType<typeof bench>>) => {
  const { ref, best, runs } = r;
  console.log(
    `\n${ref.name}: MLP ${ref.dims.join('→')} (request body ${fmt(r.bodyBytes)} bytes; ` +
      `batching on runs in: ${r.execution ?? 'not said'})`,
  );
  console.log(
    `raw rows/s by batch size (scan): ${r.scan.map((x) => `${x.batch}: ${fmt(x.rowsPerS)}`).join(', ')}`,
  );
  // Raw CPU is the bench process's, per row: its main thread runs the callers, its workers onnxruntime.
  const rawRow = (run: string, rs: readonly RawResult[], batch: string) => ({
    run,
    'rows/s': combine(rs).rps,
    'p50 ms': '',
    'p99 ms': '',
    'CPU µs/req': '',
    'main µs/req': mean(rs.map((r) => r.mainUs)),
    'workers µs/req': mean(rs.map((r) => r.workerUs)),
    'other µs/req': '',
    'client µs/req': '',
    batch,
  });
  const batches = runs.reached.map((x) => x.batch);
  const rows: Record<string, string | number>[] = [
    rawRow(`raw onnxruntime, batch ${best.batch} (ceiling)`, runs.raw, String(best.batch)),
  ];
  if (runs.reached.length > 0)
    rows.push(rawRow('raw onnxruntime at the batch reached', runs.reached, batches.join('/')));
  if (runs.on.length > 0) rows.push(servedRow('served /v2, batching on', runs.on));
  if (runs.pinned.length > 0) rows.push(servedRow('served /v2, batching on, pinned to workers', runs.pinned));
  if (runs.off.length > 0) rows.push(servedRow('served /v2, batching off', runs.off));
  if (runs.bare.length > 0) rows.push(servedRow('bare Fastify route (baseline)', runs.bare));
  console.log(table(rows));
  // Per-round ratios: each segment against its neighbour in the same round, so their range shows the noise.
  const line = (what: string, a: readonly LoadResult[], b: readonly LoadResult[], of = 'rps' as const) => {
    if (a.length === 0 || b.length === 0) return;
    const ratios = a.map((x, i) => x[of] / b[i][of]);
    console.log(`${what}: ${fmt(mean(ratios), 2)} (rounds ${range(ratios)}, n=${ratios.length})`);
  };
  line('served ÷ raw at the batch reached', runs.on, runs.reached);
  if (runs.on.length > 0 && runs.reached.length > 0) {
    // Served requests are single rows, so µs/req is µs/row: what the workers spend per row beyond raw's.
    const w = runs.on.map((x, i) => x.workerUs / runs.reached[i].workerUs);
    console.log(
      `worker-thread CPU per row, served ÷ raw at the batch reached: ${fmt(mean(w), 2)} (rounds ${range(w)})`,
    );
    // On a saturated machine rows/s go as the inverse of the CPU a row costs, so this is what served ÷ raw
    // comes to once the cores are all ours: raw's CPU per row ÷ the served row's (server and load generator).
    const c = runs.on.map(
      (x, i) => (runs.reached[i].workerUs + runs.reached[i].mainUs) / (x.cpuUs + x.clientUs),
    );
    console.log(
      `CPU per row, raw at the batch reached ÷ served (server + load generator): ${fmt(mean(c), 2)} (rounds ${range(c)})`,
    );
  }
  line(`served ÷ raw ceiling (batch ${best.batch})`, runs.on, runs.raw);
  line('batching on ÷ off', runs.on, runs.off);
  line('served ÷ bare route', runs.on, runs.bare);
  line("engine's choice ÷ pinned to workers", runs.on, runs.pinned);
  line('pinned to workers ÷ bare route', runs.pinned, runs.bare);
  if (runs.on.length > 0 && runs.bare.length > 0) {
    const cpu = runs.bare.map((b, i) => b.cpuUs / runs.on[i].cpuUs);
    console.log(`server CPU per request, bare ÷ served: ${fmt(mean(cpu), 2)} (rounds ${range(cpu)})`);
  }
  console.log(`goal: ${ref.goal}`);
};

export const main = async () => {
  console.log(
    `inference benchmark: ${ROUNDS} rounds of ${SEGMENT_S}s segments per run, ${CONNECTIONS} connections, ` +
      `${WORKERS} workers, batching on = maxBatchSize ${MAX_BATCH}, maxQueueDelayMs ${QUEUE_DELAY_MS}`,
  );
  // Other processes on the machine skew every figure; the load average says how busy it was.
  console.log(benchEnvironment());
  const only = process.env.BENCH_MODEL;
  for (const ref of MODELS) if (!only || only === ref.name) report(await bench(ref));
  console.log(
    `\nload average after: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
};
