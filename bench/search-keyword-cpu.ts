// CPU of the keyword index alone, in process: SEARCH_ITEMS generated items (default 50,000) indexed as the
// tenant index does, then the bench's SEARCH_QUERIES (default 2,000) as a keyword page (`top`, k 10) and as
// hybrid's keyword head (`head`, 500 deep, 200 `present` ids), PASSES passes (default 4; medians).
// SEARCH_BASE=<another checkout> runs that checkout's index on the same items and queries, alternated pass by
// pass with this one (the same-run baseline), and checks both give the same answers (ids, scores, totals).
// `node --expose-gc --import tsx bench/search-keyword-cpu.ts`
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Item } from '@quiver/contracts';
import { KeywordIndex } from '../packages/server/src/modules/search/keyword-index.ts';
import { analyzeQuery } from '../packages/server/src/modules/search/query.ts';
import { keywordDoc } from '../packages/server/src/modules/search/tenant-index.ts';
import { collectGarbage } from './lib/collect.ts';
import { generatedItems, generatedQueries } from './lib/search-items.ts';

const COUNT = Number(process.env.SEARCH_ITEMS ?? 50_000);
const PASSES = Number(process.env.PASSES ?? 4);
const items = generatedItems(COUNT);
type Index = Pick<KeywordIndex, 'put' | 'compact' | 'top' | 'head'>;
const build = (ix: Index) => {
  for (const item of items) ix.put(item.id, keywordDoc(item as unknown as Item));
  ix.compact();
  return ix;
};
const indexes: Record<string, Index> = { this: build(new KeywordIndex()) };
if (process.env.SEARCH_BASE) {
  const dir = join(process.env.SEARCH_BASE, 'packages/server/src/modules/search/keyword-index.ts');
  const base = (await import(dir)) as { KeywordIndex: new () => Index };
  indexes.base = build(new base.KeywordIndex());
}
const queries = generatedQueries(Number(process.env.SEARCH_QUERIES ?? 2000)).map(analyzeQuery);
const present = items.slice(0, 200).map((i) => i.id);
const cases = {
  'top 10': (ix: Index) => {
    for (const q of queries) ix.top(q, 10);
  },
  'head 500': (ix: Index) => {
    for (const q of queries) ix.head(q, 500, { present });
  },
};
if (indexes.base) {
  for (const q of queries) {
    assert.deepEqual(indexes.this.top(q, 10), indexes.base.top(q, 10), q.text);
    assert.deepEqual(indexes.this.head(q, 500, { present }), indexes.base.head(q, 500, { present }), q.text);
  }
  console.log(
    `${queries.length} queries: the same answers as the base (top 10 and head 500: ids, scores, totals)`,
  );
}
const cpuPerQuery = async (work: () => void) => {
  await collectGarbage();
  const cpu = process.cpuUsage();
  work();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / queries.length;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, run] of Object.entries(cases)) {
  const figures: Record<string, number[]> = Object.fromEntries(Object.keys(indexes).map((k) => [k, []]));
  for (let p = 0; p < PASSES; p++)
    for (const [which, ix] of Object.entries(indexes)) figures[which].push(await cpuPerQuery(() => run(ix)));
  console.log(
    `${name}: ${Object.entries(figures)
      .map(
        ([which, xs]) => `${which} ${median(xs).toFixed(0)} µs (${xs.map((x) => x.toFixed(0)).join(', ')})`,
      )
      .join('; ')} CPU per query, ${COUNT} items`,
  );
}
