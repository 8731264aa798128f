// Quiver as the search benchmark runs it: SEARCH_ITEMS generated items (default 50,000) in the catalog and the
// bench tenant's keyword index built before READY (build time, heap and RSS growth). Vectors are off, the
// product's default (hybrid = keyword retrieval + the second-phase ranker); VECTORS=1 turns them on for the
// bench tenant, builds its vector index before READY too and measures ANN recall@10 of it against exact
// cosine search over RECALL_QUERIES sampled queries.
import { itemText } from '../../packages/server/src/modules/vectors/index.ts';
import { startBenchApp } from '../lib/bench-app.ts';
import { generatedItems, generatedQueries } from '../lib/search-items.ts';

const COUNT = Number(process.env.SEARCH_ITEMS ?? 50_000);
const RECALL_QUERIES = Number(process.env.RECALL_QUERIES ?? 200);
const TENANT = 'bench';
const K = 10;

const bench = await startBenchApp();
const items = generatedItems(COUNT);
for (let i = 0; i < items.length; i += 1000)
  await bench.call('POST', '/v1/items/batch', bench.auth, { items: items.slice(i, i + 1000) });

const memory = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
};
const timed = async (build: () => Promise<unknown>) => {
  const before = memory();
  const started = performance.now();
  await build();
  const s = (performance.now() - started) / 1000;
  const after = memory();
  return { s, heapMb: after.heapMb - before.heapMb, rssMb: after.rssMb - before.rssMb };
};
const keyword = await timed(() =>
  bench.call('POST', '/v1/search', bench.auth, { query: 'lamp', mode: 'keyword' }),
);

/** The vector index's build, and its ANN recall@10 against exact cosine search (VECTORS=1 only). */
const measureVectors = async () => {
  const vector = await timed(() => bench.vectorsOn());
  // Exact top 10 by cosine (the vectors are unit length: a dot product) over the same embeddings.
  const { encoders } = bench.quiver.vectors;
  const version = await encoders.current(TENANT);
  const queries = generatedQueries(RECALL_QUERIES * 5).filter((_, i) => i % 5 === 0);
  const itemVectors = await encoders.embed(TENANT, version, items.map(itemText));
  const queryVectors = await encoders.embed(TENANT, version, queries);
  const dot = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let d = 0; d < a.length; d++) s += a[d] * b[d];
    return s;
  };
  const position = new Map(items.map((item, i) => [item.id, i]));
  let strict = 0;
  let tieAware = 0;
  for (let q = 0; q < queries.length; q++) {
    const qv = queryVectors[q];
    // The best K so far, best first (insertion into a short sorted list).
    const top: Array<{ i: number; s: number }> = [];
    itemVectors.forEach((v, i) => {
      const s = dot(v, qv);
      if (top.length === K && s <= top[K - 1].s) return;
      let at = top.length;
      while (at > 0 && top[at - 1].s < s) at--;
      top.splice(at, 0, { i, s });
      if (top.length > K) top.pop();
    });
    const hits = await bench.quiver.vectors.query(TENANT, queries[q], K);
    const exact = new Set(top.map((t) => items[t.i].id));
    strict += hits.filter((h) => exact.has(h.id)).length / K;
    // Generated items share words, so many have the same embedding: a hit tied with the exact 10th is as good.
    const kth = top[top.length - 1].s - 1e-6;
    tieAware += hits.filter((h) => dot(itemVectors[position.get(h.id)!], qv) >= kth).length / K;
  }
  itemVectors.length = 0;
  return {
    vector,
    recall: strict / queries.length,
    tieAwareRecall: tieAware / queries.length,
    recallQueries: queries.length,
  };
};
const vectors = process.env.VECTORS === '1' ? await measureVectors() : undefined;
// One hybrid search before READY: the second-phase ranker registers and loads on first need, not in a round.
await bench.call('POST', '/v1/search', bench.auth, { query: 'lamp' });

await bench.listen({ items: COUNT, keyword, ...vectors, total: memory() });
