// Quiver as the recommend benchmark runs it: the Online Retail catalog, its last RECOMMEND_EVENTS purchases
// (default 30,000) ingested through the API with times shifted to end now (so the users' recent items are
// fresh), and the four in-bench recommenders published behind their endpoints. Writes sample request
// inputs to RECOMMEND_SAMPLES (a file path) before READY.
import { writeFileSync } from 'node:fs';
import { waitForFeatures } from '../../packages/server/src/modules/features/index.ts';
import { publishRecommender } from '../../packages/server/test/modules/recommend/testing.ts';
import { startBenchApp } from '../lib/bench-app.ts';
import { content, cooccurrence, popularity, randomFactors, readRetail } from '../lib/retail-recommenders.ts';

const EVENTS = Number(process.env.RECOMMEND_EVENTS ?? 30_000);
const SAMPLES = 1000;
const BATCH = 1000;
const log = (s: string) => process.stderr.write(`recommend server: ${s}\n`);

const bench = await startBenchApp();
let started = performance.now();
const { items, purchases } = readRetail();
const ids = items.map((i) => i.id);
log(
  `read ${items.length} items, ${purchases.length} purchases in ${(performance.now() - started).toFixed(0)} ms`,
);

for (const [kind, build] of [
  ['cooccurrence', () => ({ graph: 'neighbours' as const, spec: cooccurrence(ids, purchases) })],
  ['popularity', () => ({ graph: 'scores' as const, spec: popularity(ids, purchases) })],
  ['content', () => ({ graph: 'factors' as const, spec: content(items) })],
  ['als', () => ({ graph: 'factors' as const, spec: randomFactors(ids) })],
] as const) {
  started = performance.now();
  await publishRecommender(bench.quiver, 'bench', kind, build());
  log(`${kind}: built and published in ${(performance.now() - started).toFixed(0)} ms`);
}

started = performance.now();
for (let i = 0; i < items.length; i += BATCH)
  await bench.call('POST', '/v1/items/batch', bench.auth, { items: items.slice(i, i + BATCH) });
const recent = purchases.slice(-EVENTS);
const shift = Date.now() - 60_000 - Date.parse(recent.at(-1)!.timestamp);
const events = recent.map((e) => ({
  ...e,
  timestamp: new Date(Date.parse(e.timestamp) + shift).toISOString(),
}));
for (let i = 0; i < events.length; i += BATCH)
  await bench.call('POST', '/v1/events', bench.auth, { events: events.slice(i, i + BATCH) });
await waitForFeatures(
  bench.quiver.kv,
  'bench',
  events.slice(-100).map((e) => e.id),
  300_000,
);
log(
  `${items.length} items and ${events.length} events ingested, features applied, in ${(performance.now() - started).toFixed(0)} ms`,
);

const pick = <T>(list: readonly T[], n: number): T[] =>
  Array.from({ length: n }, (_, i) => list[Math.floor((i * 7919) % list.length)]);
const baskets = new Map<string, string[]>();
for (const e of events) {
  const b = baskets.get(e.sessionId!) ?? [];
  if (!b.includes(e.itemId!) && b.length < 3) b.push(e.itemId!);
  baskets.set(e.sessionId!, b);
}
const users = [...new Set(events.filter((e) => !e.userId.startsWith('guest-')).map((e) => e.userId))];
writeFileSync(
  process.env.RECOMMEND_SAMPLES ?? '/dev/null',
  JSON.stringify({
    items: pick([...new Set(events.map((e) => e.itemId!))], SAMPLES),
    carts: pick([...baskets.values()], SAMPLES),
    users: pick(users, SAMPLES),
  }),
);
await bench.listen();
