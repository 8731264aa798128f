// Catalog benchmark: authenticated GET /v1/items/{id} against a bare Fastify route (same run), and bulk
// upsert throughput through POST /v1/items/batch on SQLite and on PostgreSQL.
import { loadavg } from 'node:os';
import { createTempPgDatabase } from '../packages/server/test/support/postgres.ts';
import { type ChildServer, startChild } from './lib/child.ts';
import { loadServer, medianRun, type Run } from './lib/load.ts';
import { benchEnvironment, fmt, table } from './lib/report.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 30);
const SERVERS = new URL('./servers/', import.meta.url).pathname;

const IDS = Array.from({ length: 300 }, (_, i) => `SKU-${10_000 + i}`);

const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);

const load = (
  server: ChildServer<{ port: number }>,
  headers: Record<string, string> = {},
  durationS = DURATION_S,
) => {
  let n = 0;
  return loadServer(server, () => ({ method: 'GET', path: `/v1/items/${IDS[n++ % IDS.length]}`, headers }), {
    connections: CONNECTIONS,
    durationS,
  });
};

export interface BulkRun {
  itemsPerS: number;
  /** Server CPU per item while the batches were answered. */
  cpuUsPerItem: number;
  /** The same until the server went quiet again: the change feed's consumers (search, vectors) included. */
  settledCpuUsPerItem: number;
}

/** Waits until the server uses under 5% of a core over half a second (at most 60 s); its CPU seconds then. */
const settledCpu = async (server: ChildServer<{ port: number }>): Promise<number> => {
  const deadline = performance.now() + 60_000;
  let last = server.cpuSeconds();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = server.cpuSeconds();
    if (now - last < 0.025 || performance.now() > deadline) return now;
    last = now;
  }
};

/**
 * What bulk round `round` writes: round 0 creates the items; odd rounds change their text (title); even rounds
 * after 0 change only prices and stock (the searchable text stays, as in a shop's price feed).
 */
const bulkKind = (round: number) =>
  round === 0 ? 'creates' : round % 2 === 1 ? 'text updates' : 'price updates';

const bulk = async (server: ChildServer<{ port: number; key: string }>, round = 0): Promise<BulkRun> => {
  const textRound = round - (round > 0 && round % 2 === 0 ? 1 : 0);
  const { port, key } = server.info;
  const cpuBefore = server.cpuSeconds();
  const started = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const items = Array.from({ length: BATCH }, (_, i) => ({
      id: `bulk-${b}-${i}`,
      title: `Bulk item ${b}-${i} round ${textRound}`,
      description: 'A generated item for the bulk upsert benchmark, with a realistic amount of text in it.',
      categories: ['home/lighting/lamps'],
      brand: 'Northwind',
      price: { amount: 10 + ((i + round) % 90), currency: 'GBP' },
      available: (i + round) % 10 !== 0,
      attributes: { colour: 'sage', material: 'oak', rating: 4.5 },
    }));
    const res = await fetch(`http://127.0.0.1:${port}/v1/items/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    });
    const body = (await res.json()) as { created: number; updated: number };
    if (res.status !== 200 || body.created + body.updated !== BATCH)
      throw new Error(`batch ${b}: ${res.status}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuAnswered = server.cpuSeconds() - cpuBefore;
  const cpuSettled = (await settledCpu(server)) - cpuBefore;
  const items = BATCH * BATCHES;
  return {
    itemsPerS: items / seconds,
    cpuUsPerItem: (cpuAnswered * 1e6) / items,
    settledCpuUsPerItem: (cpuSettled * 1e6) / items,
  };
};

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `get`, `bulk` or both (default): which parts to run. */
const PARTS = (process.env.BENCH_PARTS ?? 'get,bulk').split(',');
/** Bulk rounds per server, alternating between the servers: creates, text updates, price updates (see bulkKind). */
const BULK_ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 3);

const bulkRows = (name: string, runs: readonly BulkRun[]) =>
  runs.map((r, i) => ({
    run: `bulk upsert ${name}, round ${i + 1} (${bulkKind(i)})`,
    'items/s': r.itemsPerS,
    'CPU µs/item answered': r.cpuUsPerItem,
    'CPU µs/item settled': r.settledCpuUsPerItem,
  }));

export const main = async () => {
  console.log(benchEnvironment());
  console.log(
    `catalog benchmark (${PARTS.join(', ')}): ${ROUNDS} interleaved rounds of ${DURATION_S}s per server, ${CONNECTIONS} connections; medians.\n` +
      `bulk upsert: ${BULK_ROUNDS} rounds of ${BATCHES} batches of ${BATCH} per server (creates, then text and price updates in turn); ` +
      `server CPU per item while answered, and until the server is quiet again (change-feed consumers included)\n`,
  );
  const pgDb = await createTempPgDatabase();
  const bare = await startChild<{ port: number }>(`${SERVERS}bare.ts`);
  const sqlite = await startChild<{ port: number; key: string }>(`${SERVERS}quiver.ts`, { DATABASE_URL: '' });
  const pg = await startChild<{ port: number; key: string }>(`${SERVERS}quiver.ts`, {
    DATABASE_URL: pgDb.url,
  });
  const runs: Record<'bare' | 'sqlite' | 'pg', Run[]> = { bare: [], sqlite: [], pg: [] };
  try {
    // An unmeasured warm-up per server first (JIT, pool connections, caches): otherwise the first round of
    // each server measures start-up work and, with few rounds, moves the median.
    if (PARTS.includes('get') && WARMUP_S > 0) {
      await load(bare, {}, WARMUP_S);
      await load(sqlite, { authorization: `Bearer ${sqlite.info.key}` }, WARMUP_S);
      await load(pg, { authorization: `Bearer ${pg.info.key}` }, WARMUP_S);
    }
    // Interleaving spreads the machine's background noise over all three.
    for (let round = 0; PARTS.includes('get') && round < ROUNDS; round++) {
      runs.bare.push(await load(bare));
      runs.sqlite.push(await load(sqlite, { authorization: `Bearer ${sqlite.info.key}` }));
      runs.pg.push(await load(pg, { authorization: `Bearer ${pg.info.key}` }));
    }
    const bulkRuns: Record<'sqlite' | 'pg', BulkRun[]> = { sqlite: [], pg: [] };
    for (let round = 0; PARTS.includes('bulk') && round < BULK_ROUNDS; round++) {
      bulkRuns.sqlite.push(await bulk(sqlite, round));
      bulkRuns.pg.push(await bulk(pg, round));
    }
    if (PARTS.includes('bulk')) {
      console.log(table([...bulkRows('SQLite', bulkRuns.sqlite), ...bulkRows('PostgreSQL', bulkRuns.pg)]));
    }
    if (!PARTS.includes('get')) return;
    const [b, s, p] = [medianRun(runs.bare), medianRun(runs.sqlite), medianRun(runs.pg)];
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
          run: 'Quiver GET /v1/items/{id} (SQLite, auth)',
          'req/s': s.rps,
          'p50 ms': s.p50,
          'p99 ms': s.p99,
          'CPU µs/req': s.cpuUs,
        },
        {
          run: 'Quiver GET /v1/items/{id} (PostgreSQL, auth)',
          'req/s': p.rps,
          'p50 ms': p.p50,
          'p99 ms': p.p99,
          'CPU µs/req': p.cpuUs,
        },
      ]),
    );
    const perRound = (key: keyof typeof runs, field: 'rps' | 'cpuUs') =>
      runs[key].map((r) => fmt(r[field])).join(', ');
    console.log(
      `\nper round req/s: bare ${perRound('bare', 'rps')}; SQLite ${perRound('sqlite', 'rps')}; PostgreSQL ${perRound('pg', 'rps')}`,
    );
    console.log(
      `per round CPU µs/req: bare ${perRound('bare', 'cpuUs')}; SQLite ${perRound('sqlite', 'cpuUs')}; PostgreSQL ${perRound('pg', 'cpuUs')}`,
    );
    console.log(`GET ratio, SQLite ÷ bare: ${fmt(s.rps / b.rps, 2)} (goal ≥ 0.5)`);
    console.log(`GET ratio, PostgreSQL ÷ bare: ${fmt(p.rps / b.rps, 2)} (goal ≥ 0.3)`);
    // The same ratios from server CPU per request, free of the load generator's limits (it shares the cores).
    console.log(`server CPU per request, bare ÷ SQLite: ${fmt(b.cpuUs / s.cpuUs, 2)}`);
    console.log(`server CPU per request, bare ÷ PostgreSQL: ${fmt(b.cpuUs / p.cpuUs, 2)}`);
    console.log(`server CPU per request, PostgreSQL: ${fmt(p.cpuUs)} µs (goal ≤ 150)`);
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
  } finally {
    await Promise.all([bare.stop(), sqlite.stop(), pg.stop()]);
    await pgDb.drop();
  }
};
