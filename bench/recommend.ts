// Recommend benchmark: POST /v1/recommendations per scenario over the Online Retail catalog and purchases
// (see servers/recommend.ts) at BENCH_CONNECTIONS (default 50) concurrent clients for BENCH_DURATION_S
// (default 10) each, against a bare Fastify route in the same run. Request inputs vary (sampled item ids,
// carts and users), so the inference cache answers only repeats within its 30 s.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildServer, startChild } from './lib/child.ts';
import { getLoad, type LoadResult, postLoad } from './lib/http-load.ts';
import { fmt, table } from './lib/report.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SERVERS = new URL('./servers/', import.meta.url).pathname;

interface Samples {
  items: string[];
  carts: string[][];
  users: string[];
}

const SCENARIOS: [string, (s: Samples) => object[]][] = [
  ['similar-items', (s) => s.items.map((itemId) => ({ scenario: 'similar-items', itemId }))],
  [
    'bought-together (cart of ≤ 3)',
    (s) => s.carts.map((itemIds) => ({ scenario: 'bought-together', itemIds })),
  ],
  ['for-user', (s) => s.users.map((userId) => ({ scenario: 'for-user', userId }))],
  ['trending', () => [10, 11, 12, 13, 14].map((limit) => ({ scenario: 'trending', limit }))],
  ['for-user, explain', (s) => s.users.map((userId) => ({ scenario: 'for-user', userId, explain: true }))],
];

/** The load, with the server's CPU per request over it. */
const measured = async (server: ChildServer<unknown>, load: () => Promise<LoadResult>) => {
  const cpuBefore = server.cpuSeconds();
  const r = await load();
  return { ...r, cpuUs: ((server.cpuSeconds() - cpuBefore) * 1e6) / (r.rps * DURATION_S) };
};

export const main = async () => {
  console.log(`recommend benchmark: ${DURATION_S}s per scenario, ${CONNECTIONS} connections\n`);
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-recs-'));
  const samplesFile = join(dir, 'samples.json');
  const bare = await startChild<{ port: number }>(`${SERVERS}bare.ts`);
  const quiver = await startChild<{ port: number; key: string }>(`${SERVERS}recommend.ts`, {
    RECOMMEND_SAMPLES: samplesFile,
  });
  const options = { connections: CONNECTIONS, durationS: DURATION_S };
  try {
    const samples = JSON.parse(readFileSync(samplesFile, 'utf8')) as Samples;
    const b = await measured(bare, () => getLoad(bare.info.port, '/v1/items/SKU-10001', options));
    const row = (run: string, r: typeof b) => ({
      run,
      'req/s': r.rps,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      'CPU µs/req': r.cpuUs,
      'p99 ÷ bare': fmt(r.p99 / b.p99, 1),
    });
    const rows = [row('bare Fastify GET (baseline)', b)];
    const headers = { authorization: `Bearer ${quiver.info.key}` };
    for (const [name, bodies] of SCENARIOS) {
      const payloads = bodies(samples).map((x) => JSON.stringify(x));
      const r = await measured(quiver, () =>
        postLoad(quiver.info.port, '/v1/recommendations', payloads, { ...options, headers }),
      );
      rows.push(row(`POST /v1/recommendations ${name}`, r));
    }
    console.log(table(rows));
    console.log('goal: p99 < 15 ms per scenario');
  } finally {
    await Promise.all([bare.stop(), quiver.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
};
