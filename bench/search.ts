// Search benchmark: POST /v1/search in keyword and hybrid mode over a generated catalog of SEARCH_ITEMS items
// (default 50,000) at BENCH_CONNECTIONS (default 50) concurrent clients, cycling through SEARCH_QUERIES
// distinct queries, against a bare Fastify route in the same run (rounds interleaved); index build time and
// memory as the server measured them before it listened. Vectors are off, as by default in the product
// (hybrid = keyword retrieval + the second-phase ranker); VECTORS=1 turns them on for the bench tenant and adds
// the vector index's build and its ANN recall@10 against exact search.
import { type ChildServer, startChild } from './lib/child.ts';
import { loadServer, medianRun, type Run, runRow } from './lib/load.ts';
import { fmt, table } from './lib/report.ts';
import { generatedQueries } from './lib/search-items.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const QUERY_COUNT = Number(process.env.SEARCH_QUERIES ?? 2000);
const SERVERS = new URL('./servers/', import.meta.url).pathname;
/** The goal for hybrid search at 50 concurrent clients. */
const HYBRID_P99_GOAL_MS = 20;

interface Build {
  s: number;
  heapMb: number;
  rssMb: number;
}
interface SearchInfo {
  port: number;
  key: string;
  items: number;
  keyword: Build;
  /** With VECTORS=1 only. */
  vector?: Build;
  recall?: number;
  tieAwareRecall?: number;
  recallQueries?: number;
  total: { heapMb: number; rssMb: number };
}

const searchLoad = (server: ChildServer<SearchInfo>, mode: 'keyword' | 'hybrid', queries: string[]) => {
  const bodies = queries.map((query) => JSON.stringify({ query, mode, limit: 10 }));
  const headers = { authorization: `Bearer ${server.info.key}`, 'content-type': 'application/json' };
  let n = 0;
  return loadServer(
    server,
    () => ({ method: 'POST', path: '/v1/search', headers, body: bodies[n++ % bodies.length] }),
    { connections: CONNECTIONS, durationS: DURATION_S },
  );
};

export const main = async () => {
  const queries = generatedQueries(QUERY_COUNT);
  console.log(
    `search benchmark: ${ROUNDS} interleaved rounds of ${DURATION_S}s per run, ${CONNECTIONS} connections, ` +
      `${queries.length} distinct queries (words, phrases, fragments, typos); medians; ` +
      `vectors ${process.env.VECTORS === '1' ? 'on (VECTORS=1)' : 'off (VECTORS=1 turns them on)'}\n`,
  );
  const bare = await startChild<{ port: number }>(`${SERVERS}bare.ts`);
  const quiver = await startChild<SearchInfo>(`${SERVERS}search.ts`, { NODE_OPTIONS: '--expose-gc' });
  const runs: Record<'bare' | 'keyword' | 'hybrid', Run[]> = { bare: [], keyword: [], hybrid: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      let n = 0;
      runs.bare.push(
        await loadServer(bare, () => ({ method: 'GET', path: `/v1/items/SKU-${10_000 + (n++ % 300)}` }), {
          connections: CONNECTIONS,
          durationS: DURATION_S,
        }),
      );
      runs.keyword.push(await searchLoad(quiver, 'keyword', queries));
      runs.hybrid.push(await searchLoad(quiver, 'hybrid', queries));
    }
  } finally {
    await Promise.all([bare.stop(), quiver.stop()]);
  }
  const [b, k, h] = [medianRun(runs.bare), medianRun(runs.keyword), medianRun(runs.hybrid)];
  const info = quiver.info;
  console.log(
    table([
      runRow('bare Fastify GET (baseline)', b, b),
      runRow('POST /v1/search keyword', k, b),
      runRow('POST /v1/search hybrid', h, b),
    ]),
  );
  const perRound = (rs: Run[]) => rs.map((r) => `${fmt(r.rps)} req/s p99 ${fmt(r.p99)} ms`).join('; ');
  console.log(
    `\nper round: bare ${perRound(runs.bare)}\n  keyword ${perRound(runs.keyword)}\n  hybrid ${perRound(runs.hybrid)}`,
  );
  console.log(`hybrid p99 ${fmt(h.p99)} ms (goal < ${HYBRID_P99_GOAL_MS} ms)\n`);
  const { vector } = info;
  console.log(
    table([
      { index: `keyword (${fmt(info.items)} items)`, 'build s': info.keyword.s, ...memory(info.keyword) },
      ...(vector
        ? [{ index: 'vector (fit encoder, embed, HNSW)', 'build s': vector.s, ...memory(vector) }]
        : []),
    ]),
  );
  console.log(
    `server after its builds: heap ${fmt(info.total.heapMb)} MiB, RSS ${fmt(info.total.rssMb)} MiB`,
  );
  if (vector)
    console.log(
      `ANN recall@10 against exact cosine search over ${info.recallQueries} queries (goal ≥ 0.95): ` +
        `${fmt(info.recall ?? Number.NaN, 4)} by id, ${fmt(info.tieAwareRecall ?? Number.NaN, 4)} counting hits tied with the exact 10th`,
    );
};

const memory = (b: Build) => ({ '+heap MiB': fmt(b.heapMb), '+RSS MiB': fmt(b.rssMb) });
