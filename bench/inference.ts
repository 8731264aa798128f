// Inference benchmark: for two MLPs built in code, the raw onnxruntime ceiling (in-process worker pool, best
// batch size) against served throughput over HTTP (/v2 infer, 64 single-row clients) with batching on and
// off; and for the small model, a bare Fastify route parsing the same body. All measured in the same run, in
// short interleaved segments (raw, on, off, bare, repeated), so that other load on the machine weighs on
// every figure alike instead of on whichever phase it happened to overlap.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { type ChildServer, startChild } from './lib/child.ts';
import { combine, type LoadResult, postLoad } from './lib/http-load.ts';
import { openRawEngine } from './lib/raw-inference.ts';
import { fmt, table } from './lib/report.ts';

const SEGMENT_S = Number(process.env.BENCH_SEGMENT_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const RAW_BATCHES = [1, 8, 32, 64, 128];
const MAX_BATCH = Number(process.env.BENCH_MAX_BATCH ?? 64);
const QUEUE_DELAY_MS = Number(process.env.BENCH_QUEUE_DELAY_MS ?? 0);
const BODIES = 32;
const SERVERS = new URL('./servers/', import.meta.url).pathname;

interface Reference {
  name: string;
  dims: number[];
  goal: string;
  bare: boolean;
}

const MODELS: Reference[] = [
  {
    name: 'large',
    dims: [1024, 4096, 4096, 256],
    goal: 'served ÷ raw ≥ 0.8, batching on ÷ off ≥ 5',
    bare: false,
  },
  { name: 'small', dims: [384, 1024, 1024, 1], goal: 'served ≥ 0.6 × bare route', bare: true },
];

/** Single-row OIP bodies with values rounded to 4 decimals, as a client would send them. */
const bodies = (width: number): string[] =>
  Array.from({ length: BODIES }, (_, b) =>
    JSON.stringify({
      inputs: [
        {
          name: 'x',
          datatype: 'FP32',
          shape: [1, width],
          data: Array.from({ length: width }, (_, i) => Math.round(Math.sin(b * 7919 + i) * 1e4) / 1e4),
        },
      ],
    }),
  );

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
    const models = Object.entries(batching).map(([name, b]) => ({ name, path, metadata: { batching: b } }));
    const server = await startChild<{ port: number; key: string }>(`${SERVERS}inference.ts`, {
      QUIVER_INFERENCE_WORKERS: String(WORKERS),
      BENCH_MODELS: JSON.stringify(models),
      DATABASE_URL: '',
    });
    children.push(server);
    const bare = ref.bare ? await startChild<{ port: number }>(`${SERVERS}bare-infer.ts`) : undefined;
    if (bare) children.push(bare);

    const auth = { authorization: `Bearer ${server.info.key}` };
    const segment = (port: number, url: string, headers = {}) =>
      postLoad(port, url, payloads, { connections: CONNECTIONS, durationS: SEGMENT_S, headers });
    const kinds: Record<string, () => Promise<LoadResult>> = {
      raw: async () => ({
        rps: await raw.run(best.batch, SEGMENT_S * 1000),
        p50: Number.NaN,
        p99: Number.NaN,
      }),
      on: () => segment(server.info.port, '/v2/models/on/infer', auth),
      off: () => segment(server.info.port, '/v2/models/off/infer', auth),
      ...(bare ? { bare: () => segment(bare.info.port, '/v2/models/small/infer') } : {}),
    };
    const runs: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    for (let round = -1; round < ROUNDS; round++) {
      for (const [kind, run] of Object.entries(kinds)) {
        const result = await run();
        if (round >= 0) runs[kind].push(result); // round -1 warms everything up
      }
    }
    const [r, on, off] = [combine(runs.raw), combine(runs.on), combine(runs.off)];
    return {
      ref,
      scan,
      best,
      raw: r,
      on,
      off,
      bare: runs.bare && combine(runs.bare),
      bodyBytes: payloads[0].length,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await raw.close();
  }
};

const report = (r: Awaited<ReturnType<typeof bench>>) => {
  const { ref, best, on, off, bare } = r;
  console.log(`\n${ref.name}: MLP ${ref.dims.join('→')} (request body ${fmt(r.bodyBytes)} bytes)`);
  console.log(
    `raw rows/s by batch size (scan): ${r.scan.map((x) => `${x.batch}: ${fmt(x.rowsPerS)}`).join(', ')}`,
  );
  const rows: Record<string, string | number>[] = [
    {
      run: `raw onnxruntime, batch ${best.batch} (ceiling)`,
      'rows/s': r.raw.rps,
      'p50 ms': '',
      'p99 ms': '',
    },
    { run: 'served /v2, batching on', 'rows/s': on.rps, 'p50 ms': on.p50, 'p99 ms': on.p99 },
    { run: 'served /v2, batching off', 'rows/s': off.rps, 'p50 ms': off.p50, 'p99 ms': off.p99 },
  ];
  if (bare)
    rows.push({
      run: 'bare Fastify route (baseline)',
      'rows/s': bare.rps,
      'p50 ms': bare.p50,
      'p99 ms': bare.p99,
    });
  console.log(table(rows));
  console.log(`served ÷ raw: ${fmt(on.rps / r.raw.rps, 2)}; batching on ÷ off: ${fmt(on.rps / off.rps, 2)}`);
  if (bare) console.log(`served ÷ bare route: ${fmt(on.rps / bare.rps, 2)}`);
  console.log(`goal: ${ref.goal}`);
};

export const main = async () => {
  console.log(
    `inference benchmark: ${ROUNDS} rounds of ${SEGMENT_S}s segments per run, ${CONNECTIONS} connections, ` +
      `${WORKERS} workers, batching on = maxBatchSize ${MAX_BATCH}, maxQueueDelayMs ${QUEUE_DELAY_MS}`,
  );
  // Other processes on the machine skew every figure; the load average says how busy it was.
  console.log(
    `load average before: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  const only = process.env.BENCH_MODEL;
  for (const ref of MODELS) if (!only || only === ref.name) report(await bench(ref));
  console.log(
    `\nload average after: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
};
