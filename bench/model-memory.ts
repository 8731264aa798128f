// Memory per loaded model (the README's "Sizing"): a Quiver server process with no model (its idle RSS, the
// baseline), then K copies of one MLP uploaded and loaded one after another, its RSS read after each; per
// model = the RSS added ÷ K, next to the artifact's size (measured in the same run) and the inference
// manager's estimate that the memory budget counts (artifact × (2 × workers + 1)). Each worker count runs in
// its own server; rounds interleave them so other load on the machine weighs on both.
import { readFileSync } from 'node:fs';
import { estimateBytes } from '../packages/server/src/modules/inference/manager.ts';
import { mlpModel } from '../packages/server/test/support/onnx/index.ts';
import { startChild } from './lib/child.ts';
import { fmt, table } from './lib/report.ts';

const MODELS = Number(process.env.BENCH_MODELS_LOADED ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WORKER_COUNTS = [1, 2];
const DIMS = [1024, 4096, 4096, 256];
const SETTLE_MS = 1000;
const SERVER = new URL('./servers/inference.ts', import.meta.url).pathname;
const MIB = 2 ** 20;

const rssBytes = (pid: number | undefined): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1]) * 1024;
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const measure = async (workers: number, bytes: Uint8Array) => {
  const server = await startChild<{ port: number; key: string }>(SERVER, {
    QUIVER_INFERENCE_WORKERS: String(workers),
    BENCH_MODELS: '[]',
    DATABASE_URL: '',
  });
  const base = `http://127.0.0.1:${server.info.port}`;
  const auth = { authorization: `Bearer ${server.info.key}` };
  const send = async (method: string, path: string, body?: string | Buffer, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...auth, 'content-type': type }, body });
    if (res.status >= 300 && res.status !== 503)
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status;
  };
  try {
    await pause(SETTLE_MS);
    const idle = rssBytes(server.child.pid);
    for (let k = 1; k <= MODELS; k++) {
      const name = `mlp-${k}`;
      await send('POST', '/v1/models', JSON.stringify({ name }));
      await send('POST', `/v1/models/${name}/versions`, Buffer.from(bytes), 'application/octet-stream');
      while ((await send('GET', `/v2/models/${name}/ready`)) !== 200) await pause(50);
    }
    await pause(SETTLE_MS);
    const loaded = rssBytes(server.child.pid);
    return { idle, perModel: (loaded - idle) / MODELS };
  } finally {
    await server.stop();
  }
};

export const main = async () => {
  const { bytes } = mlpModel(DIMS, 1);
  const runs = new Map<number, { idle: number[]; perModel: number[] }>(
    WORKER_COUNTS.map((w) => [w, { idle: [], perModel: [] }]),
  );
  for (let round = 0; round < ROUNDS; round++)
    for (const workers of round % 2 ? [...WORKER_COUNTS].reverse() : WORKER_COUNTS) {
      const m = await measure(workers, bytes);
      runs.get(workers)!.idle.push(m.idle);
      runs.get(workers)!.perModel.push(m.perModel);
    }
  const range = (xs: number[], scale = MIB) =>
    `${fmt(Math.min(...xs) / scale)}–${fmt(Math.max(...xs) / scale)}`;
  console.log(
    `\nMemory per loaded model: MLP ${DIMS.join('→')} (${fmt(bytes.length / MIB, 1)} MiB artifact, the baseline), ` +
      `${MODELS} loaded per server, ${ROUNDS} rounds\n`,
  );
  console.log(
    table(
      WORKER_COUNTS.map((w) => {
        const r = runs.get(w)!;
        return {
          workers: String(w),
          'idle server RSS MiB': range(r.idle),
          'RSS per model MiB': range(r.perModel),
          '÷ artifact': `${fmt(Math.min(...r.perModel) / bytes.length, 1)}–${fmt(Math.max(...r.perModel) / bytes.length, 1)}`,
          'budget estimate MiB': fmt(estimateBytes(bytes.length, w) / MIB),
        };
      }),
    ),
  );
};
