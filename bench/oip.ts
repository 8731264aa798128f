// OIP transport benchmark: the same model (MLP 384→1024→1024→1, batching on) at the same concurrency over
// /v2 HTTP JSON, /v2 HTTP binary (Triton's binary tensor data extension) and gRPC ModelInfer (raw contents),
// next to raw onnxruntime (the engine's pool in this process, best batch size), in interleaved segments so
// that other load on the machine weighs on every figure alike.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import autocannon from 'autocannon';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { type ChildServer, startChild } from './lib/child.ts';
import { combine, type LoadResult } from './lib/http-load.ts';
import { openRawEngine } from './lib/raw-inference.ts';
import { fmt, table } from './lib/report.ts';

const SEGMENT_S = Number(process.env.BENCH_SEGMENT_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const MAX_BATCH = Number(process.env.BENCH_MAX_BATCH ?? 64);
const DIMS = [384, 1024, 1024, 1];
const RAW_BATCHES = [1, 8, 32, 64];
const BODIES = 32;
const SERVERS = new URL('./servers/', import.meta.url).pathname;
const PROTO_DIR = fileURLToPath(
  new URL('../packages/server/src/modules/inference/grpc/proto/', import.meta.url),
);

const rowsOf = (width: number): Float32Array[] =>
  Array.from(
    { length: BODIES },
    (_, b) =>
      new Float32Array(
        Array.from({ length: width }, (_, i) => Math.round(Math.sin(b * 7919 + i) * 1e4) / 1e4),
      ),
  );

const httpLoad = async (
  port: number,
  path: string,
  bodies: readonly (string | Buffer)[],
  headers: (i: number) => Record<string, string>,
): Promise<LoadResult> => {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SEGMENT_S,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const i = n++ % bodies.length;
          return { ...req, path, headers: headers(i), body: bodies[i] };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
};

// biome-ignore lint/suspicious/noExplicitAny: proto-loader's client methods carry no static types
type GrpcClient = grpc.Client & Record<string, any>;

const grpcClient = (port: number): GrpcClient => {
  const definition = protoLoader.loadSync('grpc_service.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    defaults: true,
  });
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const root = grpc.loadPackageDefinition(definition) as any;
  return new root.inference.GRPCInferenceService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
};

/** CONNECTIONS callers in a loop over one HTTP/2 channel, each waiting for its answer before the next call. */
const grpcLoad = async (
  client: GrpcClient,
  key: string,
  rows: readonly Float32Array[],
): Promise<LoadResult> => {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  const latencies: number[] = [];
  const end = performance.now() + SEGMENT_S * 1000;
  let n = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) =>
      client.ModelInfer(
        {
          model_name: 'on',
          inputs: [{ name: 'x', datatype: 'FP32', shape: [1, DIMS[0]] }],
          raw_input_contents: [Buffer.from(rows[i].buffer)],
        },
        metadata,
        (error: Error | null) => (error ? reject(error) : resolve()),
      ),
    );
  const caller = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      await one(n++ % rows.length);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, caller));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
};

export const main = async () => {
  console.log(
    `OIP transports: ${ROUNDS} rounds of ${SEGMENT_S}s segments, ${CONNECTIONS} concurrent single-row clients, ` +
      `${WORKERS} workers, MLP ${DIMS.join('→')}, batching on (maxBatchSize ${MAX_BATCH})`,
  );
  console.log(
    `load average before: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  const { bytes } = mlpModel(DIMS, 1);
  const path = join(tmpdir(), `quiver-bench-oip-${process.pid}.onnx`);
  writeFileSync(path, bytes);
  const width = DIMS[0];
  const rows = rowsOf(width);
  const json = rows.map((r) =>
    JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, width], data: [...r] }] }),
  );
  const binary = rows.map((r) => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, width], parameters: { binary_data_size: r.byteLength } },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    return { body: Buffer.concat([header, Buffer.from(r.buffer)]), headerLength: String(header.length) };
  });

  const raw = await openRawEngine(bytes, width, WORKERS);
  const children: ChildServer<{ port: number; key: string; grpcPort: number }>[] = [];
  let client: GrpcClient | undefined;
  try {
    const scan = [];
    for (const batch of RAW_BATCHES) scan.push({ batch, rowsPerS: await raw.run(batch, SEGMENT_S * 500) });
    const best = scan.reduce((a, b) => (b.rowsPerS > a.rowsPerS ? b : a));
    const server = await startChild<{ port: number; key: string; grpcPort: number }>(
      `${SERVERS}inference.ts`,
      {
        QUIVER_INFERENCE_WORKERS: String(WORKERS),
        QUIVER_GRPC_PORT: '0',
        BENCH_MODELS: JSON.stringify([
          { name: 'on', path, metadata: { batching: { maxBatchSize: MAX_BATCH } } },
        ]),
        DATABASE_URL: '',
      },
    );
    children.push(server);
    const { port, key, grpcPort } = server.info;
    client = grpcClient(grpcPort);
    const auth = { authorization: `Bearer ${key}` };
    const kinds: Record<string, () => Promise<LoadResult>> = {
      raw: async () => ({
        rps: await raw.run(best.batch, SEGMENT_S * 1000),
        p50: Number.NaN,
        p99: Number.NaN,
      }),
      json: () =>
        httpLoad(port, '/v2/models/on/infer', json, () => ({ ...auth, 'content-type': 'application/json' })),
      binary: () =>
        httpLoad(
          port,
          '/v2/models/on/infer',
          binary.map((b) => b.body),
          (i) => ({
            ...auth,
            'content-type': 'application/octet-stream',
            'inference-header-content-length': binary[i].headerLength,
          }),
        ),
      grpc: () => grpcLoad(client!, key, rows),
    };
    const runs: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    for (let round = -1; round < ROUNDS; round++) {
      for (const [kind, run] of Object.entries(kinds)) {
        const result = await run();
        if (round >= 0) runs[kind].push(result); // round -1 warms everything up
      }
    }
    const r = combine(runs.raw);
    const line = (run: string, x: LoadResult) => ({
      run,
      'rows/s': x.rps,
      '÷ raw': fmt(x.rps / r.rps, 2),
      'p50 ms': Number.isNaN(x.p50) ? '' : fmt(x.p50, 1),
      'p99 ms': Number.isNaN(x.p99) ? '' : fmt(x.p99, 1),
    });
    console.log(
      `raw rows/s by batch size (scan): ${scan.map((x) => `${x.batch}: ${fmt(x.rowsPerS)}`).join(', ')}`,
    );
    console.log(
      table([
        line(`raw onnxruntime, batch ${best.batch} (baseline)`, r),
        line('/v2 HTTP JSON', combine(runs.json)),
        line('/v2 HTTP binary', combine(runs.binary)),
        line('gRPC ModelInfer (raw contents)', combine(runs.grpc)),
      ]),
    );
    console.log(
      `request bodies: JSON ${fmt(json[0].length)} bytes, binary ${fmt(binary[0].body.length)} bytes`,
    );
  } finally {
    client?.close();
    await Promise.all(children.map((c) => c.stop()));
    await raw.close();
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
};
