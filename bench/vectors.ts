// `npm run bench -- vectors`: the vector half of search on chorus-icecat: index build time and memory, vector-only
// NDCG@10 (gain = grade) of the built-in encoder, query latency, and HNSW recall@10 against exact search.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchApp } from './lib/bench-app.ts';
import { ICECAT_DIR, icecatItem, readIcecatProducts } from './lib/icecat.ts';
import { fmt, table } from './lib/report.ts';

const DATASET = ICECAT_DIR;
const TENANT = 'bench';
const K = 10;

const tsv = (file: string) =>
  readFileSync(join(DATASET, file), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'));

const ndcgAt = (ranked: readonly string[], grades: ReadonlyMap<string, number>, k = K): number => {
  const dcg = ranked.slice(0, k).reduce((s, id, i) => s + (grades.get(id) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...grades.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
};

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);

export const main = async () => {
  const products = readIcecatProducts();
  const queries = tsv('queries.tsv').map(([qid, text]) => ({ qid, text }));
  const qrels = new Map<string, Map<string, number>>();
  for (const [qid, docid, grade] of tsv('qrels.tsv').slice(1)) {
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid)!.set(docid, Number(grade));
  }

  const bench = await startBenchApp();
  const { quiver } = bench;
  console.log(`importing ${products.length} products…`);
  for (let i = 0; i < products.length; i += 1000) {
    const items = products.slice(i, i + 1000).map(icecatItem);
    await bench.call('POST', '/v1/items/batch', bench.auth, { items });
  }

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let started = performance.now();
  await quiver.vectors.ready(TENANT);
  const buildS = (performance.now() - started) / 1000;
  const rssAfter = process.memoryUsage().rss;
  const status = quiver.vectors.status(TENANT)!;

  // Vector-only retrieval through the service, one query at a time.
  const latencies: number[] = [];
  const annTop = new Map<string, string[]>();
  for (const round of [0, 1])
    for (const q of queries) {
      started = performance.now();
      const hits = await quiver.vectors.query(TENANT, q.text, K);
      // Round 0 is uncached (each text new to the encoder's response cache); round 1 repeats them, cached.
      if (round === 0) latencies.push(performance.now() - started);
      annTop.set(
        q.qid,
        hits.map((h) => h.id),
      );
    }
  latencies.sort((a, b) => a - b);
  const judged = queries.filter((q) => qrels.has(q.qid));
  const ndcg = judged.reduce((s, q) => s + ndcgAt(annTop.get(q.qid)!, qrels.get(q.qid)!), 0) / judged.length;

  // Exact search over the same embeddings: recall@10 of the HNSW answers.
  const encoders = quiver.vectors.encoders;
  const version = await encoders.current(TENANT);
  const { itemText } = await import('../packages/server/src/modules/vectors/index.ts');
  const itemVectors = await encoders.embed(
    TENANT,
    version,
    products.map((p) => itemText({ title: p.title.slice(0, 500), brand: p.brand, description: p.text })),
  );
  const queryVectors = await encoders.embed(
    TENANT,
    version,
    queries.map((q) => q.text),
  );
  let recall = 0;
  let exactNdcg = 0;
  queries.forEach((q, qi) => {
    const qv = queryVectors[qi];
    const scored = itemVectors.map((v, i) => {
      let s = 0;
      for (let d = 0; d < v.length; d++) s += v[d] * qv[d];
      return [s, i] as const;
    });
    scored.sort((a, b) => b[0] - a[0]);
    const exact = scored.slice(0, K).map(([, i]) => products[i].id);
    const ann = new Set(annTop.get(q.qid));
    recall += exact.filter((id) => ann.has(id)).length / K;
    if (qrels.has(q.qid)) exactNdcg += ndcgAt(exact, qrels.get(q.qid)!);
  });
  recall /= queries.length;
  exactNdcg /= judged.length;
  await bench.app.close();
  const saved = dirBytes(join(bench.dataDir, 'vectors'));

  console.log(
    table([
      { measure: 'items indexed', value: status.items },
      {
        measure: `vocabulary / encoder`,
        value: `${version.model} v${version.version}, ${fmt(version.size / 2 ** 20, 1)} MiB ONNX`,
      },
      { measure: 'index build (fit encoder, register, embed, HNSW), s', value: fmt(buildS, 1) },
      { measure: 'RSS growth during build, MiB', value: fmt((rssAfter - rssBefore) / 2 ** 20) },
      { measure: 'saved index on disk, MiB', value: fmt(saved / 2 ** 20, 1) },
      { measure: `vector-only NDCG@10 (${judged.length} judged queries), HNSW`, value: fmt(ndcg, 4) },
      { measure: 'vector-only NDCG@10, exact search', value: fmt(exactNdcg, 4) },
      { measure: 'HNSW recall@10 vs exact', value: fmt(recall, 4) },
      {
        measure: 'query latency p50 / p99, ms (1 client, uncached)',
        value: `${fmt(quantile(latencies, 0.5), 2)} / ${fmt(quantile(latencies, 0.99), 2)}`,
      },
    ]),
  );
};
