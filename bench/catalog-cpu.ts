// The catalog read's per-request CPU in one process, where the box's noise hurts least: a bare Fastify app and
// Quiver on SQLite and on PostgreSQL, each called through inject() (no sockets: the per-request tax of hooks,
// auth, rate limits, logging, metrics, SQL and serialization, without Node's HTTP) at a fixed concurrency, in
// short interleaved segments. Reports process CPU µs per request per variant (median over rounds) and each
// Quiver variant's ratio to the bare app in the same round. `npm run bench -- catalog-cpu`; knobs
// BENCH_SEGMENT_MS, BENCH_ROUNDS, BENCH_CONCURRENCY, CATALOG_CPU_VARIANTS (e.g. `bare,pg`), CATALOG_CPU_OTHER.
import { loadavg } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import { demoCatalog } from '../packages/server/src/modules/demo/index.ts';
import { createTempPgDatabase } from '../packages/server/test/support/postgres.ts';
import { startBenchApp } from './lib/bench-app.ts';
import { fmt, table } from './lib/report.ts';

const SEGMENT_MS = Number(process.env.BENCH_SEGMENT_MS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const VARIANTS = (process.env.CATALOG_CPU_VARIANTS ?? 'bare,sqlite,pg').split(',');
/**
 * Another checkout of Quiver (e.g. `git archive <commit>` unpacked, with node_modules linked) whose app runs
 * in this same process as variants `other:sqlite` and `other:pg`, interleaved with this checkout's: the
 * fairest before/after on a busy machine (same process, same JIT-compiled dependencies, same neighbours).
 */
const OTHER = process.env.CATALOG_CPU_OTHER;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

/** The same bare route as bench/servers/bare.ts: the demo catalog from a Map, no auth, no storage. */
const bareApp = async (): Promise<FastifyInstance> => {
  const now = new Date().toISOString();
  const items = new Map(
    demoCatalog().map((i) => [i.id, { ...i, createdAt: now, updatedAt: now, version: 1 }]),
  );
  const app = Fastify({ logger: false });
  app.get<{ Params: { itemId: string } }>('/v1/items/:itemId', async (request, reply) => {
    const item = items.get(request.params.itemId);
    return item ?? reply.code(404).send({ code: 'not_found' });
  });
  await app.ready();
  return app;
};

interface Target {
  app: FastifyInstance;
  headers: Record<string, string>;
  close(): Promise<void>;
}

const quiverTarget = async (databaseUrl?: string, start = startBenchApp): Promise<Target> => {
  const bench = await start(databaseUrl ? { databaseUrl } : {});
  await bench.call('POST', '/v1/items/batch', bench.auth, { items: demoCatalog() });
  return { app: bench.app, headers: bench.auth, close: () => bench.app.close() };
};

const segment = async (target: Target, ids: readonly string[]) => {
  let n = 0;
  let done = 0;
  const until = performance.now() + SEGMENT_MS;
  const cpu = process.cpuUsage();
  const lane = async () => {
    while (performance.now() < until) {
      const url = `/v1/items/${ids[n++ % ids.length]}`;
      const res = await target.app.inject({ method: 'GET', url, headers: target.headers });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / done;
};

export const main = async () => {
  console.log(
    `catalog read CPU in process: ${ROUNDS} interleaved rounds of ${SEGMENT_MS} ms per variant, ` +
      `${CONCURRENCY} requests in flight; load average ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
  );
  const ids = demoCatalog().map((i) => i.id);
  const pgDb = VARIANTS.includes('pg') ? await createTempPgDatabase() : undefined;
  const targets: Record<string, Target> = {};
  try {
    const other = OTHER
      ? ((await import(`${OTHER}/bench/lib/bench-app.ts`)) as { startBenchApp: typeof startBenchApp })
      : undefined;
    for (const v of VARIANTS) {
      if (v === 'bare') {
        const app = await bareApp();
        targets.bare = { app, headers: {}, close: () => app.close() };
      } else if (v.startsWith('other:')) {
        if (!other) throw new Error(`${v} needs CATALOG_CPU_OTHER`);
        const otherDb = v === 'other:pg' ? await createTempPgDatabase() : undefined;
        const target = await quiverTarget(otherDb?.url, other.startBenchApp);
        targets[v] = { ...target, close: async () => (await target.close(), await otherDb?.drop()) };
      } else targets[v] = await quiverTarget(v === 'pg' ? pgDb!.url : undefined);
    }
    const runs: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    for (let round = -1; round < ROUNDS; round++)
      for (const v of VARIANTS) {
        const cpuUs = await segment(targets[v], ids);
        if (round >= 0) runs[v].push(cpuUs); // round -1 warms up
      }
    const rows = VARIANTS.map((v) => {
      const row: Record<string, string | number> = {
        variant: v,
        'CPU µs/req': median(runs[v]),
        rounds: runs[v].map((x) => fmt(x)).join(' '),
      };
      if (runs.bare) row['bare ÷ this (CPU)'] = median(runs[v].map((x, i) => runs.bare[i] / x));
      return row;
    });
    console.log(table(rows));
    console.log(
      `load average after: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
  } finally {
    for (const t of Object.values(targets)) await t.close();
    await pgDb?.drop();
  }
};
