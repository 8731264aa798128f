// Recommend benchmark: POST /v1/recommendations per scenario over the Online Retail catalog and purchases
// (see servers/recommend.ts) at BENCH_CONNECTIONS (default 50) concurrent clients for BENCH_DURATION_S
// (default 10) each, against a bare Fastify route in the same run. Request inputs vary (sampled item ids,
// carts and users), so the inference cache answers only repeats within its 30 s.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { type ChildServer, startChild } from './lib/child.ts';
import { fmt, table } from './lib/report.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SERVERS = new URL('./servers/', import.meta.url).pathname;

interface Samples {
  items: string[];
  carts: string[][];
  users: string[];
}

type Body = (n: number, s: Samples) => object;

const SCENARIOS: [string, Body][] = [
  ['similar-items', (n, s) => ({ scenario: 'similar-items', itemId: s.items[n % s.items.length] })],
  [
    'bought-together (cart of ≤ 3)',
    (n, s) => ({ scenario: 'bought-together', itemIds: s.carts[n % s.carts.length] }),
  ],
  ['for-user', (n, s) => ({ scenario: 'for-user', userId: s.users[n % s.users.length] })],
  ['trending', (n) => ({ scenario: 'trending', limit: 10 + (n % 5) })],
  [
    'for-user, explain',
    (n, s) => ({ scenario: 'for-user', userId: s.users[n % s.users.length], explain: true }),
  ],
];

const load = async (server: ChildServer<{ port: number; key?: string }>, body?: Body, samples?: Samples) => {
  let n = 0;
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.info.port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      body && samples
        ? {
            method: 'POST',
            path: '/v1/recommendations',
            setupRequest: (req) => ({
              ...req,
              headers: { authorization: `Bearer ${server.info.key}`, 'content-type': 'application/json' },
              body: JSON.stringify(body(n++, samples)),
            }),
          }
        : { method: 'GET', path: '/v1/items/SKU-10001' },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    console.log(`  ${result.non2xx} non-2xx answers, ${result.errors} errors (${result.timeouts} timeouts)`);
  const cpuUs = ((server.cpuSeconds() - cpuBefore) * 1e6) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
};

export const main = async () => {
  console.log(`recommend benchmark: ${DURATION_S}s per scenario, ${CONNECTIONS} connections\n`);
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-recs-'));
  const samplesFile = join(dir, 'samples.json');
  const bare = await startChild<{ port: number }>(`${SERVERS}bare.ts`);
  const quiver = await startChild<{ port: number; key: string }>(`${SERVERS}recommend.ts`, {
    RECOMMEND_SAMPLES: samplesFile,
  });
  try {
    const samples = JSON.parse(readFileSync(samplesFile, 'utf8')) as Samples;
    const b = await load(bare);
    const rows: Record<string, string | number>[] = [
      {
        run: 'bare Fastify GET (baseline)',
        'req/s': b.rps,
        'p50 ms': b.p50,
        'p99 ms': b.p99,
        'CPU µs/req': b.cpuUs,
        'p99 ÷ bare': 1,
      },
    ];
    for (const [name, body] of SCENARIOS) {
      const r = await load(quiver, body, samples);
      rows.push({
        run: `POST /v1/recommendations ${name}`,
        'req/s': r.rps,
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        'CPU µs/req': r.cpuUs,
        'p99 ÷ bare': b.p99 > 0 ? fmt(r.p99 / b.p99, 1) : '-',
      });
    }
    console.log(table(rows));
    console.log('goal: p99 < 15 ms per scenario');
  } finally {
    await Promise.all([bare.stop(), quiver.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
};
