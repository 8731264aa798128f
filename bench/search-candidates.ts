// Compares keyword-search candidates on chorus-icecat (NDCG@10 etc., query latency, index heap):
// Quiver's own inverted index vs MiniSearch vs Orama. MiniSearch and Orama are not dependencies: run
// `npm i --no-save minisearch @orama/orama` first. Usage: node --expose-gc --import tsx bench/search-candidates.ts
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readJudgedSet } from '../packages/cli/src/eval/judgments.ts';
import { evaluate } from '../packages/cli/src/eval/metrics.ts';
import { KeywordIndex } from '../packages/server/src/modules/search/keyword-index.ts';

const dir = process.argv[2] ?? '../shared/datasets/chorus-icecat';
interface Doc {
  id: string;
  title: string;
  text?: string;
  brand?: string;
}
const docs: Doc[] = gunzipSync(readFileSync(`${dir}/corpus.jsonl.gz`))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const set = readJudgedSet(`${dir}/queries.tsv`, `${dir}/qrels.tsv`);
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

const run = async (name: string, build: () => (q: string) => Promise<string[]> | string[]) => {
  const before = heap();
  const t0 = performance.now();
  const rank = build();
  const buildMs = performance.now() - t0;
  const mem = (heap() - before) / 1e6;
  const times: number[] = [];
  const timed = async (q: string) => {
    const s = performance.now();
    const r = await rank(q);
    times.push(performance.now() - s);
    return r;
  };
  const m = await evaluate(set, timed);
  times.sort((a, b) => a - b);
  const p = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))].toFixed(2);
  console.log(
    `| ${name} | ${m.ndcg.toFixed(4)} | ${m.mrr.toFixed(4)} | ${m.recall.toFixed(4)} | ${m.judgedShare.toFixed(3)} | ${p(0.5)} | ${p(0.99)} | ${buildMs.toFixed(0)} | ${mem.toFixed(0)} |`,
  );
};

const own =
  (opts: { weights?: Record<string, number>; k1?: number; b?: number; prefix: boolean; typos: boolean }) =>
  () => {
    const index = new KeywordIndex({ weights: opts.weights, k1: opts.k1, b: opts.b });
    for (const d of docs) index.put(d.id, { title: d.title, description: d.text, brand: d.brand });
    return (q: string) =>
      index
        .search(q, { prefix: opts.prefix, typos: opts.typos })
        .slice(0, 10)
        .map((h) => h.id);
  };

console.log(
  '| candidate | NDCG@10 | MRR@10 | Recall@10 | judged@10 | p50 ms | p99 ms | build ms | heap MB |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
await run(
  'baseline: plain BM25 title+text (k1 1.2, b 0.75, equal weights, no prefix/typos)',
  own({ weights: { title: 1, description: 1, brand: 0 }, k1: 1.2, b: 0.75, prefix: false, typos: false }),
);
await run('own index: weighted fields, k1 0.9 b 0.4, prefix + typos', own({ prefix: true, typos: true }));
await run('own index: weighted fields, k1 0.9 b 0.4, no prefix/typos', own({ prefix: false, typos: false }));

try {
  const { default: MiniSearch } = await import('minisearch' as string);
  await run('MiniSearch (boost title 3 brand 2, fuzzy 0.2, prefix)', () => {
    const ms = new MiniSearch({ fields: ['title', 'text', 'brand'], idField: 'id' });
    ms.addAll(docs.map((d) => ({ id: d.id, title: d.title, text: d.text ?? '', brand: d.brand ?? '' })));
    return (q: string) =>
      ms
        .search(q, { boost: { title: 3, brand: 2 }, fuzzy: 0.2, prefix: true })
        .slice(0, 10)
        .map((r: { id: string }) => r.id);
  });
  const orama = await import('@orama/orama' as string);
  const db = orama.create({ schema: { title: 'string', text: 'string', brand: 'string' } });
  await run('Orama (boost title 3 brand 2, tolerance 1)', () => {
    for (const d of docs)
      orama.insert(db, { id: d.id, title: d.title, text: d.text ?? '', brand: d.brand ?? '' });
    return async (q: string) =>
      (
        await orama.search(db, {
          term: q,
          properties: ['title', 'text', 'brand'],
          boost: { title: 3, brand: 2 },
          tolerance: 1,
          limit: 10,
        })
      ).hits.map((h: { id: string }) => h.id);
  });
} catch (error) {
  console.log(`(MiniSearch/Orama not installed: ${(error as Error).message})`);
}
