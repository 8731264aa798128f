// Quiver's search against in-process peers (issue 20), run by `npm run bench -- search` after the load test
// (or alone: `npm run bench -- search-peers`). Everything runs in this process, one query at a time, so the
// libraries and Quiver's search service (no HTTP) are compared like for like:
// 1. Speed: SEARCH_ITEMS generated items (default 50,000) and SEARCH_QUERIES generated queries (default 2,000,
//    the search benchmark's), PEER_ROUNDS interleaved rounds (default 2): queries/s and process CPU per query
//    for MiniSearch (the baseline), FlexSearch, Quiver keyword and Quiver hybrid with vectors off (the default);
//    then the tenant's vectors on and hybrid with vectors, interleaved with Quiver keyword as its baseline.
// Relevance runs first (minutes); speed after it (MiniSearch's fuzzy matching makes a pass slow).
// 2. Relevance: chorus-icecat (19,406 products, its judged queries): NDCG@10 with a 95% bootstrap interval
//    over queries, MRR@10 and Recall@10 for each, Quiver hybrid with vectors off and on.
import { join } from 'node:path';
import { readJudgedSet } from '../packages/cli/src/eval/judgments.ts';
import { evaluate, type MeanMetrics } from '../packages/cli/src/eval/metrics.ts';
import { type BenchApp, startBenchApp } from './lib/bench-app.ts';
import { collectGarbage } from './lib/collect.ts';
import { ICECAT_DIR, icecatItem, readIcecatProducts } from './lib/icecat.ts';
import { PEERS, type Peer, type PeerItem } from './lib/peers.ts';
import { fmt } from './lib/report.ts';
import { generatedItems, generatedQueries } from './lib/search-items.ts';

const COUNT = Number(process.env.SEARCH_ITEMS ?? 50_000);
const QUERY_COUNT = Number(process.env.SEARCH_QUERIES ?? 2000);
const ROUNDS = Number(process.env.PEER_ROUNDS ?? 2);
const K = 10;
const TENANT = 'bench';
const BOOTSTRAP = 2000;

type Engine = { name: string; search(query: string): Promise<string[]> | string[] };
type Pass = { qps: number; cpuUs: number };

const quiverEngine = (bench: BenchApp, name: string, mode: 'keyword' | 'hybrid' | 'vector'): Engine => ({
  name,
  search: async (query) =>
    (await bench.quiver.search.search(TENANT, { query, mode, limit: K })).hits.map((h) => h.item.id),
});
const peerEngine = (peer: Peer): Engine => ({ name: peer.name, search: (q) => peer.search(q, K) });

/** Every query once, one at a time: queries/s and this process's CPU (all threads) per query. */
const pass = async (engine: Engine, queries: readonly string[]): Promise<Pass> => {
  await collectGarbage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const q of queries) await engine.search(q);
  const s = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { qps: queries.length / s, cpuUs: (used.user + used.system) / queries.length };
};

const built = (make: () => Peer, items: readonly PeerItem[]) => {
  const peer = make();
  const started = performance.now();
  peer.add(items);
  return { peer, s: (performance.now() - started) / 1000 };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const range = (xs: number[], digits = 0) => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

/** Rounds of every engine in turn; the first engine is the baseline of the ratios. */
const interleaved = async (engines: Engine[], queries: readonly string[]) => {
  const runs = new Map<string, Pass[]>(engines.map((e) => [e.name, []]));
  for (const e of engines) await e.search(queries[0]);
  for (let round = 0; round < ROUNDS; round++)
    for (const e of engines) {
      const r = await pass(e, queries);
      runs.get(e.name)!.push(r);
      console.error(
        `  round ${round + 1}: ${e.name} ${fmt(r.qps, 1)} queries/s, ${fmt(r.cpuUs)} µs CPU/query`,
      );
    }
  console.log(`\n| in process | queries/s | vs ${engines[0].name} | CPU µs/query |\n|---|---|---|---|`);
  const base = median(runs.get(engines[0].name)!.map((r) => r.qps));
  for (const [name, rs] of runs) {
    const qps = rs.map((r) => r.qps);
    const cpu = rs.map((r) => r.cpuUs);
    console.log(
      `| ${name} | ${fmt(median(qps), 1)} (${range(qps, 1)}) | ${fmt(median(qps) / base, 2)}× | ${fmt(median(cpu))} (${range(cpu)}) |`,
    );
  }
};

const speed = async () => {
  const items = generatedItems(COUNT);
  const queries = generatedQueries(QUERY_COUNT);
  const peerItems = items.map(({ id, title, description, brand }) => ({ id, title, description, brand }));
  const peers = PEERS.map((make) => built(make, peerItems));
  const bench = await startBenchApp();
  try {
    // Quiver's keyword index follows the catalog's change feed: timed from the first batch written through the
    // API (SQLite included) until the index holds every item, so it is not comparable with the peers' add().
    let started = performance.now();
    await bench.importItems(items);
    const quiverBuildS = (performance.now() - started) / 1000;
    console.log(
      `\npeers, speed: ${fmt(items.length)} generated items, ${queries.length} generated queries, top ${K}, one ` +
        `query at a time in process, ${ROUNDS} interleaved rounds: median (range)\n` +
        `index build: ${peers.map((p) => `${p.peer.name} ${fmt(p.s, 1)} s`).join(', ')}, Quiver import through the API until its keyword index holds every item ${fmt(quiverBuildS, 1)} s\n`,
    );
    const [mini, flex] = peers.map((p) => peerEngine(p.peer));
    await interleaved(
      [
        mini,
        flex,
        quiverEngine(bench, 'Quiver keyword', 'keyword'),
        quiverEngine(bench, 'Quiver hybrid, vectors off (default)', 'hybrid'),
      ],
      queries,
    );
    started = performance.now();
    await bench.vectorsOn();
    console.log(`\nvectors on: index built in ${fmt((performance.now() - started) / 1000, 1)} s`);
    await interleaved(
      [
        quiverEngine(bench, 'Quiver keyword', 'keyword'),
        quiverEngine(bench, 'Quiver hybrid, vectors on', 'hybrid'),
      ],
      queries,
    );
  } finally {
    await bench.app.close();
  }
};

/** A seeded percentile bootstrap of the mean over queries. */
const interval = (values: readonly number[]): [number, number] => {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const means: number[] = [];
  for (let b = 0; b < BOOTSTRAP; b++) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[Math.floor(next() * values.length)];
    means.push(sum / values.length);
  }
  means.sort((a, b) => a - b);
  return [means[Math.floor(BOOTSTRAP * 0.025)], means[Math.floor(BOOTSTRAP * 0.975)]];
};

const relevance = async () => {
  const set = readJudgedSet(join(ICECAT_DIR, 'queries.tsv'), join(ICECAT_DIR, 'qrels.tsv'));
  const products = readIcecatProducts();
  const items = products.map(icecatItem);
  const peerItems = products.map((p) => ({ id: p.id, title: p.title, description: p.text, brand: p.brand }));
  const rows: Array<[string, MeanMetrics & { perQuery: Array<{ ndcg: number }> }]> = [];
  for (const make of PEERS) {
    const { peer } = built(make, peerItems);
    rows.push([peer.name, await evaluate(set, (q) => peer.search(q, K))]);
  }
  const bench = await startBenchApp();
  try {
    await bench.importItems(items);
    const evaluated = async (engine: Engine) =>
      rows.push([engine.name, await evaluate(set, (q) => engine.search(q))]);
    await evaluated(quiverEngine(bench, 'Quiver keyword', 'keyword'));
    await evaluated(quiverEngine(bench, 'Quiver hybrid, vectors off (default)', 'hybrid'));
    await bench.vectorsOn();
    await evaluated(quiverEngine(bench, 'Quiver hybrid, vectors on', 'hybrid'));
    await evaluated(quiverEngine(bench, 'Quiver vector only', 'vector'));
  } finally {
    await bench.app.close();
  }
  const base = rows[0][1].ndcg;
  const n = rows[0][1].perQuery.length;
  console.log(
    `\npeers, relevance: chorus-icecat, ${fmt(products.length)} products, ${n} judged queries, top ${K}\n`,
  );
  console.log(
    '| chorus-icecat | NDCG@10 | 95% interval | vs MiniSearch | MRR@10 | Recall@10 |\n|---|---|---|---|---|---|',
  );
  for (const [name, m] of rows) {
    const [lo, hi] = interval(m.perQuery.map((q) => q.ndcg));
    console.log(
      `| ${name} | ${fmt(m.ndcg, 4)} | ${fmt(lo, 3)}–${fmt(hi, 3)} | ${fmt(m.ndcg / base, 3)}× | ${fmt(m.mrr, 4)} | ${fmt(m.recall, 4)} |`,
    );
  }
  // What vectors add to hybrid, paired by query (the same queries in the same order).
  const off = rows.find(([name]) => name.includes('vectors off'))![1].perQuery;
  const on = rows.find(([name]) => name.includes('vectors on'))![1].perQuery;
  const diffs = on.map((q, i) => q.ndcg - off[i].ndcg);
  const [lo, hi] = interval(diffs);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  console.log(
    `\nhybrid NDCG@10, vectors on − off, paired by query: ${fmt(mean, 4)} (95% interval ${fmt(lo, 4)} to ${fmt(hi, 4)}; ` +
      `${diffs.filter((d) => d > 0).length} queries better, ${diffs.filter((d) => d < 0).length} worse)`,
  );
};

export const main = async () => {
  await relevance();
  await speed();
};
