// Scoped keys benchmark: POST /v1/search with a scoped key whose filter is embedded, against the same search
// with a stored admin key sending that filter itself (the baseline), interleaved in the same run. The
// difference is what a scoped key costs: HMAC verification, the minting key's check, and the filter merge.
import { startBenchApp } from './lib/bench-app.ts';
import { combine, type LoadResult, postLoad } from './lib/http-load.ts';
import { fmt, table } from './lib/report.ts';
import { generatedItems, QUERIES } from './lib/search-items.ts';

const COUNT = Number(process.env.SCOPED_ITEMS ?? 5_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

export const main = async () => {
  const bench = await startBenchApp();
  try {
    const items = generatedItems(COUNT);
    await bench.importItems(items);
    const filter = { and: [{ brand: items[0].brand }, { available: true }] };
    const minted = await bench.call('POST', '/v1/tenants/bench/keys/scoped', bench.auth, {
      filters: filter,
      rateLimit: { perSecond: 1e9, burst: 1e9 },
    });
    const scoped = { authorization: `Bearer ${(minted.json() as { secret: string }).secret}` };
    const body = (withFilter: boolean) =>
      QUERIES.map((query) =>
        JSON.stringify({ query, mode: 'keyword', limit: 10, ...(withFilter ? { filters: filter } : {}) }),
      );
    // Both ways find the same items.
    for (const query of QUERIES.slice(0, 5)) {
      const a = await bench.call('POST', '/v1/search', bench.auth, {
        query,
        mode: 'keyword',
        filters: filter,
      });
      const b = await bench.call('POST', '/v1/search', scoped, { query, mode: 'keyword' });
      if ((a.json() as { total: number }).total !== (b.json() as { total: number }).total)
        throw new Error(`'${query}': scoped and stored keys disagree`);
    }
    await bench.app.listen({ port: 0, host: '127.0.0.1' });
    const address = bench.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    console.log(
      `scoped keys benchmark: ${COUNT} items, ${ROUNDS} × ${DURATION_S}s per key kind, ${CONNECTIONS} connections\n`,
    );
    const stored: LoadResult[] = [];
    const signed: LoadResult[] = [];
    const options = { connections: CONNECTIONS, durationS: DURATION_S };
    const runStored = async () =>
      stored.push(await postLoad(port, '/v1/search', body(true), { ...options, headers: bench.auth }));
    const runScoped = async () =>
      signed.push(await postLoad(port, '/v1/search', body(false), { ...options, headers: scoped }));
    // Alternating which goes first cancels drift in a shared machine's load.
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) await runStored().then(runScoped);
      else await runScoped().then(runStored);
    }
    const s = combine(stored);
    const q = combine(signed);
    console.log(
      table([
        {
          run: 'stored admin key, filter in the request (baseline)',
          'req/s': s.rps,
          'p50 ms': s.p50,
          'p99 ms': s.p99,
        },
        { run: 'scoped key, filter embedded', 'req/s': q.rps, 'p50 ms': q.p50, 'p99 ms': q.p99 },
      ]),
    );
    console.log(`throughput ratio, scoped ÷ stored: ${fmt(q.rps / s.rps, 2)}`);
  } finally {
    await bench.app.close();
  }
};
