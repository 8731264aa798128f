// Quiver as the search benchmark runs it: SEARCH_ITEMS generated items (default 50,000) in the catalog,
// the bench tenant's index built before READY; prints the build time and the heap the index added.
import { startBenchApp } from '../lib/bench-app.ts';
import { generatedItems } from '../lib/search-items.ts';

const COUNT = Number(process.env.SEARCH_ITEMS ?? 50_000);
const bench = await startBenchApp();
const items = generatedItems(COUNT);
for (let i = 0; i < items.length; i += 1000)
  await bench.call('POST', '/v1/items/batch', bench.auth, { items: items.slice(i, i + 1000) });
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
await bench.call('POST', '/v1/search', bench.auth, { query: 'lamp', mode: 'keyword' });
const buildMs = performance.now() - started;
globalThis.gc?.();
const indexHeapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
process.stderr.write(
  `search server: ${COUNT} items, index build ${buildMs.toFixed(0)} ms, heap +${indexHeapMb.toFixed(0)} MB\n`,
);
await bench.listen();
