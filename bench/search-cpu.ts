// CPU per search request, in process: SEARCH_ITEMS generated items (default 50,000), the bench tenant's
// indexes built, then PASSES passes over SEARCH_QUERIES distinct generated queries (default 2,000) through
// the app (`app.inject` POST /v1/search, routing and serialization included) at CONNECTIONS requests in
// flight (default 50). CPU is process.cpuUsage (every thread: the inference workers included) ÷ requests.
// `node --expose-gc --import tsx bench/search-cpu.ts` (add --cpu-prof for a profile of each thread).
// Vectors are off (the product's default: hybrid = keyword retrieval + the second-phase ranker); VECTORS=1
// turns them on for the bench tenant (hybrid then adds vector candidates).
// SEARCH_PROFILE=prefix writes a main-thread CPU profile of each mode's measured passes.
// Also writes each answer's total, ids and scores, per mode (SEARCH_ANSWERS=file), to compare two versions; the
// answers are kept as sent and parsed after the measured passes (the client's JSON parse is not server CPU).
// ROUNDS=n (default 1) repeats the measured passes n times, the modes interleaved round by round, and prints each
// mode's median and every round (the machine's load moves between rounds; the ratio to bare is per round).
// SEARCH_PROFILE_US sets the profile's sampling interval (µs; V8's default otherwise).
// SEARCH_BODIES=file writes every answer's body as sent (content type first), per mode, to compare bytes.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import Fastify from 'fastify';
import { startBenchApp } from './lib/bench-app.ts';
import { collectGarbage } from './lib/collect.ts';
import { generatedItems, generatedQueries } from './lib/search-items.ts';

const COUNT = Number(process.env.SEARCH_ITEMS ?? 50_000);
const QUERY_COUNT = Number(process.env.SEARCH_QUERIES ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PASSES = Number(process.env.PASSES ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const MODES = (process.env.MODES ?? 'bare,keyword,hybrid').split(',') as Mode[];
/** `bare`: the baseline, a bare Fastify GET route answering from a Map, injected the same way in this process. */
type Mode = 'bare' | 'keyword' | 'hybrid';

const bench = await startBenchApp();
const items = generatedItems(COUNT);
await bench.importItems(items);
await bench.call('POST', '/v1/search', bench.auth, { query: 'lamp', mode: 'keyword' });
if (MODES.includes('hybrid') && process.env.VECTORS === '1') await bench.vectorsOn();
const queries = generatedQueries(QUERY_COUNT);
const bareItems = new Map(items.slice(0, 300).map((i) => [i.id, i]));
const bare = Fastify({ logger: false });
bare.get<{ Params: { itemId: string } }>('/v1/items/:itemId', async (request, reply) => {
  const item = bareItems.get(request.params.itemId);
  return item ?? reply.code(404).send({ code: 'not_found' });
});
await bare.ready();
const bareIds = [...bareItems.keys()];

type Answer = [number, ...Array<string | number>];
const run = async (mode: Mode, passes: number, bodies?: string[]) => {
  let next = 0;
  const total = queries.length * passes;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      if (mode === 'bare') {
        await bare.inject({ method: 'GET', url: `/v1/items/${bareIds[n % bareIds.length]}` });
        continue;
      }
      const res = await bench.call('POST', '/v1/search', bench.auth, {
        query: queries[n % queries.length],
        mode,
        limit: 10,
      });
      if (bodies && n < queries.length) {
        const sent = res as unknown as { body: string; headers: Record<string, string> };
        bodies[n] = sent.body;
        if (process.env.SEARCH_BODIES) types[n] = sent.headers['content-type'];
      }
    }
  };
  await collectGarbage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const used = process.cpuUsage(cpu);
  const s = (performance.now() - started) / 1000;
  return { mode, requests: total, cpuUsPerRequest: (used.user + used.system) / total, rps: total / s };
};

// One warm-up pass per mode (the ranker registers itself, the JIT settles), then the measured passes.
for (const mode of MODES) await run(mode, 1);
const answers: Record<string, Answer[]> = {};
const sentBodies: Record<string, string[]> = {};
const types: string[] = [];
const rounds: Record<string, number[]> = {};
for (const mode of MODES) {
  const bodies: string[] = [];
  const profile = process.env.SEARCH_PROFILE ? new Session() : undefined;
  if (profile) {
    profile.connect();
    await profile.post('Profiler.enable');
    if (process.env.SEARCH_PROFILE_US)
      await profile.post('Profiler.setSamplingInterval', { interval: Number(process.env.SEARCH_PROFILE_US) });
    await profile.post('Profiler.start');
  }
  const r = await run(mode, PASSES, bodies);
  if (profile) {
    const { profile: p } = await profile.post('Profiler.stop');
    writeFileSync(`${process.env.SEARCH_PROFILE}-${mode}.cpuprofile`, JSON.stringify(p));
    profile.disconnect();
  }
  rounds[mode] = [r.cpuUsPerRequest];
  if (process.env.SEARCH_BODIES) sentBodies[mode] = bodies.map((body, i) => `${types[i]}\n${body}`);
  answers[mode] = bodies.map((body) => {
    const page = JSON.parse(body) as { total: number; hits: Array<{ item: { id: string }; score: number }> };
    return [page.total, ...page.hits.flatMap((h) => [h.item.id, h.score])];
  });
  console.log(
    `${mode}: ${r.requests} requests, ${r.cpuUsPerRequest.toFixed(0)} µs CPU/request, ${r.rps.toFixed(0)} req/s in process`,
  );
}
for (let round = 1; round < ROUNDS; round++)
  for (const mode of MODES) rounds[mode].push((await run(mode, PASSES)).cpuUsPerRequest);
if (ROUNDS > 1) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const mode of MODES) {
    const perBare = rounds.bare ? rounds[mode].map((x, i) => x / rounds.bare[i]) : [];
    console.log(
      `${mode}: median of ${ROUNDS} rounds ${median(rounds[mode]).toFixed(0)} µs CPU/request (${rounds[mode]
        .map((x) => x.toFixed(0))
        .join(', ')})${perBare.length ? `, ÷ bare median ${median(perBare).toFixed(2)}` : ''}`,
    );
  }
}
if (process.env.SEARCH_ANSWERS) writeFileSync(process.env.SEARCH_ANSWERS, JSON.stringify(answers));
if (process.env.SEARCH_BODIES) writeFileSync(process.env.SEARCH_BODIES, JSON.stringify(sentBodies));
await bench.app.close();
await bare.close();
process.exit(0);
