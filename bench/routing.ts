// Routing benchmark: the same model called directly (/v2/models/{m}/infer) and through an endpoint
// (/v1/endpoints/{e}/infer: sticky assignment over two variants, token, telemetry, exposures), in one run, in
// short interleaved segments so that other load on the machine weighs on both alike. Goal: routing adds < 5%.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { startChild } from './lib/child.ts';
import { combine, type LoadResult, postLoad } from './lib/http-load.ts';
import { fmt, table } from './lib/report.ts';

const SEGMENT_S = Number(process.env.BENCH_SEGMENT_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const DIMS = [384, 1024, 1024, 1];
const BODIES = 256;
const SERVER = new URL('./servers/inference.ts', import.meta.url).pathname;

/** Single-row bodies, each from another user (the routing unit), values rounded as a client would send. */
const bodies = (width: number): string[] =>
  Array.from({ length: BODIES }, (_, b) =>
    JSON.stringify({
      parameters: { userId: `user-${b}` },
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

export const main = async () => {
  const path = join(tmpdir(), `quiver-bench-routing-${process.pid}.onnx`);
  writeFileSync(path, mlpModel(DIMS, 1).bytes);
  console.log(
    `routing benchmark: MLP ${DIMS.join('→')}, ${ROUNDS} rounds of ${SEGMENT_S}s segments per run, ` +
      `${CONNECTIONS} connections, ${WORKERS} workers; load average before: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
  );
  const server = await startChild<{ port: number; key: string }>(SERVER, {
    QUIVER_INFERENCE_WORKERS: String(WORKERS),
    BENCH_MODELS: JSON.stringify([{ name: 'small', path, metadata: { batching: { maxBatchSize: 1 } } }]),
    DATABASE_URL: '',
  });
  try {
    const auth = { authorization: `Bearer ${server.info.key}` };
    const base = `http://127.0.0.1:${server.info.port}`;
    // Two variants of the same version: every request pays for assignment, yet both run the same model.
    const put = await fetch(`${base}/v1/endpoints/bench`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        routes: [
          { model: 'small', version: 1, weight: 90, variant: 'a' },
          { model: 'small', version: 1, weight: 10, variant: 'b' },
        ],
        stickyBy: 'userId',
      }),
    });
    if (put.status !== 201) throw new Error(`PUT endpoint: ${put.status} ${await put.text()}`);
    const payloads = bodies(DIMS[0]);
    const segment = (url: string) =>
      postLoad(server.info.port, url, payloads, {
        connections: CONNECTIONS,
        durationS: SEGMENT_S,
        headers: auth,
      });
    const kinds: Record<string, () => Promise<LoadResult>> = {
      direct: () => segment('/v2/models/small/versions/1/infer'),
      endpoint: () => segment('/v1/endpoints/bench/infer'),
    };
    const runs: Record<string, LoadResult[]> = { direct: [], endpoint: [] };
    for (let round = -1; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always follows the other.
      const order = round % 2 === 0 ? ['direct', 'endpoint'] : ['endpoint', 'direct'];
      for (const kind of order) {
        const result = await kinds[kind]();
        if (round >= 0) runs[kind].push(result); // round -1 warms both up
      }
    }
    const [d, e] = [combine(runs.direct), combine(runs.endpoint)];
    console.log(
      table([
        { run: 'direct /v2/models/small/versions/1/infer', 'req/s': d.rps, 'p50 ms': d.p50, 'p99 ms': d.p99 },
        { run: 'endpoint /v1/endpoints/bench/infer', 'req/s': e.rps, 'p50 ms': e.p50, 'p99 ms': e.p99 },
      ]),
    );
    console.log(
      `endpoint ÷ direct: throughput ${fmt(e.rps / d.rps, 3)}, p50 ${fmt(e.p50 / d.p50, 3)}, p99 ${fmt(e.p99 / d.p99, 3)}`,
    );
    console.log('goal: routing adds < 5% (throughput ratio ≥ 0.95, p50 ratio ≤ 1.05)');
  } finally {
    await server.stop();
    console.log(
      `load average after: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
  }
};
