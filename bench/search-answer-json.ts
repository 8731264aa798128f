// CPU of sending a search answer, in process: the bench's generated items (SEARCH_ITEMS, default 50,000), each of
// the bench's SEARCH_QUERIES (default 2,000) answered with its keyword top 10 as the search route would, through
// two Fastify routes with the search route's response schema: `serialized` returns the answer object (Fastify's
// compiled serializer), `written` sends answer-json.ts's bytes (the item JSON kept per item object). Passes
// alternate (PASSES, default 6); the bodies are checked equal. What it isolates: serialization, the payload's
// byte length and buffer, and their garbage, all else being the same inject path.
// `node --expose-gc --import tsx bench/search-answer-json.ts`
import assert from 'node:assert/strict';
import { type Item, type SearchResponse, SearchResponseSchema } from '@quiver/contracts';
import Fastify, { type FastifyReply } from 'fastify';
import { type AnswerWriter, routeAnswerWriter } from '../packages/server/src/modules/search/answer-json.ts';
import { KeywordIndex } from '../packages/server/src/modules/search/keyword-index.ts';
import { analyzeQuery } from '../packages/server/src/modules/search/query.ts';
import { keywordDoc } from '../packages/server/src/modules/search/tenant-index.ts';
import { collectGarbage } from './lib/collect.ts';
import { generatedItems, generatedQueries } from './lib/search-items.ts';

const COUNT = Number(process.env.SEARCH_ITEMS ?? 50_000);
const PASSES = Number(process.env.PASSES ?? 6);
const now = new Date().toISOString();
const items = new Map<string, Item>(
  generatedItems(COUNT).map((g) => [g.id, { ...g, createdAt: now, updatedAt: now, version: 1 } as Item]),
);
const index = new KeywordIndex();
for (const item of items.values()) index.put(item.id, keywordDoc(item));
index.compact();
const answers: SearchResponse[] = generatedQueries(Number(process.env.SEARCH_QUERIES ?? 2000)).map((q, i) => {
  const top = index.top(analyzeQuery(q), 10);
  return {
    searchId: `srch_bench${i}.${top.total.toString(36)}`,
    mode: 'keyword',
    total: top.total,
    hits: top.hits.map((h) => ({ item: items.get(h.id)!, score: h.score, retrievers: ['keyword'] })),
    facets: {},
    nextCursor: top.total > 10 ? `c${i}` : null,
    notices: [],
  };
});

const app = Fastify();
let at = 0;
let write: AnswerWriter | undefined;
const schema = { response: { 200: SearchResponseSchema } };
app.post('/serialized', { schema }, async () => answers[at]);
app.post('/written', { schema }, async (_request, reply) => {
  write ??= routeAnswerWriter(reply);
  const json = write(answers[at]);
  if (json === undefined) return answers[at];
  return (reply as FastifyReply).header('content-type', 'application/json; charset=utf-8').send(json);
});
await app.ready();

const pass = async (url: string, bodies?: string[]) => {
  await collectGarbage();
  const cpu = process.cpuUsage();
  for (at = 0; at < answers.length; at++) {
    const res = await app.inject({ method: 'POST', url });
    if (bodies) bodies[at] = res.body;
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / answers.length;
};
const a: string[] = [];
const b: string[] = [];
await pass('/serialized', a);
await pass('/written', b);
assert.deepEqual(b, a);
console.log(`${answers.length} answers: the same bodies both ways`);
const figures: Record<string, number[]> = { serialized: [], written: [] };
for (let p = 0; p < PASSES; p++)
  for (const which of p % 2 === 0 ? ['serialized', 'written'] : ['written', 'serialized'])
    figures[which].push(await pass(`/${which}`));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
for (const [which, xs] of Object.entries(figures))
  console.log(
    `${which}: median ${median(xs).toFixed(1)} µs CPU per answer (${xs.map((x) => x.toFixed(1)).join(', ')})`,
  );
await app.close();
