// Search benchmark: POST /v1/search (keyword) over a generated catalog of SEARCH_ITEMS items (default
// 50,000) at BENCH_CONNECTIONS (default 50) concurrent clients, against a bare Fastify route in the same run.
import autocannon from 'autocannon';
import { type ChildServer, startChild } from './lib/child.ts';
import { fmt, table } from './lib/report.ts';
import { QUERIES } from './lib/search-items.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SERVERS = new URL('./servers/', import.meta.url).pathname;

const load = async (server: ChildServer<{ port: number; key?: string }>, search: boolean) => {
  let n = 0;
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.info.port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      search
        ? {
            method: 'POST',
            path: '/v1/search',
            setupRequest: (req) => ({
              ...req,
              headers: { authorization: `Bearer ${server.info.key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ query: QUERIES[n++ % QUERIES.length], mode: 'keyword', limit: 10 }),
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
  console.log(`search benchmark: ${DURATION_S}s per server, ${CONNECTIONS} connections\n`);
  const bare = await startChild<{ port: number }>(`${SERVERS}bare.ts`);
  const quiver = await startChild<{ port: number; key: string }>(`${SERVERS}search.ts`, {
    NODE_OPTIONS: '--expose-gc',
  });
  try {
    const b = await load(bare, false);
    const k = await load(quiver, true);
    console.log(
      table([
        {
          run: 'bare Fastify GET (baseline)',
          'req/s': b.rps,
          'p50 ms': b.p50,
          'p99 ms': b.p99,
          'CPU µs/req': b.cpuUs,
        },
        {
          run: 'Quiver POST /v1/search keyword',
          'req/s': k.rps,
          'p50 ms': k.p50,
          'p99 ms': k.p99,
          'CPU µs/req': k.cpuUs,
        },
      ]),
    );
    console.log(`throughput ratio, keyword search ÷ bare: ${fmt(k.rps / b.rps, 2)}`);
    console.log('hybrid and ANN recall: need the vectors module (not wired on this branch)');
  } finally {
    await Promise.all([bare.stop(), quiver.stop()]);
  }
};
