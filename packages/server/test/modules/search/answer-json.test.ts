// The search answer writer (answer-json.ts) against Fastify's own serialization of the same answers: two routes
// with the search route's response schema, one returning the answer object, one the writer's bytes, built
// from the route's serializers as routes.ts builds it. Random answers with hostile strings, absent optional
// fields, unknown properties, and hits the writer leaves to the serializer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Item, ItemSchema, type SearchResponse, SearchResponseSchema } from '@quiver/contracts';
import Fastify, { type FastifyReply } from 'fastify';
import {
  type AnswerWriter,
  answerWriter,
  routeAnswerWriter,
} from '../../../src/modules/search/answer-json.ts';

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const r = rng(20);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const PIECES = [
  'lamp',
  ' ',
  '"',
  '\\',
  '\n',
  '\u0001',
  '\u007f',
  'é',
  '€',
  '😀',
  '\ud800',
  '\udc00',
  '</mark>',
  'x'.repeat(45),
];
const words = (pieces: readonly string[]) => () =>
  Array.from({ length: Math.floor(r() * 8) }, () => pick(pieces)).join('');
const text = words(PIECES);
/** Attribute values pick a branch of a union by validation, so they are valid text (as stored items' are). */
const cleanText = words(['lamp', ' ', '"', '\\', 'é', '€', '😀', '</mark>', 'x'.repeat(45)]);
const maybe = <T>(value: () => T): T | undefined => (r() < 0.5 ? value() : undefined);

const randomItem = (i: number): Item => {
  const item: Record<string, unknown> = {
    id: `item-${i}-${text()}`,
    title: text() || 'x',
    createdAt: '2026-01-02T03:04:05.678Z',
    updatedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    version: 1 + Math.floor(r() * 5),
    description: maybe(text),
    categories: maybe(() => [text(), 'home/lighting']),
    brand: maybe(text),
    price: maybe(() => ({ amount: Math.round(r() * 1e5) / 100, currency: 'EUR' })),
    available: maybe(() => r() < 0.5),
    imageUrl: maybe(() => 'https://example.com/a.png'),
    attributes: maybe(() => ({
      colour: cleanText(),
      weight: r() * 10,
      tags: [cleanText(), cleanText()],
      on: true,
    })),
    // Not in the schema: dropped by both.
    internal: maybe(() => ({ secret: text() })),
  };
  for (const k of Object.keys(item)) if (item[k] === undefined) delete item[k];
  return item as unknown as Item;
};

const items = Array.from({ length: 60 }, (_, i) => randomItem(i));
const SCORES = [0, -0, 1, 13.639398899096099, 1e-7, 1.5e21, -3.25, 0.1 + 0.2];

const randomAnswer = (): SearchResponse => {
  const hits = Array.from({ length: Math.floor(r() * 12) }, () => ({
    // The same item object often: the writer's cache must not change what is written.
    item: pick(items),
    score: pick(SCORES) * (r() < 0.5 ? 1 : r()),
    retrievers: pick([['keyword'], ['vector'], ['keyword', 'vector'], [], ['pinned']]),
    ...(r() < 0.1 ? { extra: 'dropped' } : {}),
  })) as SearchResponse['hits'];
  return {
    searchId: `srch_${text()}`,
    mode: pick(['keyword', 'hybrid', 'vector'] as const),
    total: Math.floor(r() * 1e6),
    hits,
    facets: r() < 0.5 ? {} : { brand: [{ value: text(), count: 3 }] },
    ...(r() < 0.2 ? { facetStats: { price: { min: 1, max: 2, avg: 1.5, sum: 3, count: 2 } } } : {}),
    ...(r() < 0.2 ? { ranker: { endpoint: 'e', variant: 'v', model: 'm', version: '1' } } : {}),
    ...(r() < 0.2 ? { explored: true } : {}),
    nextCursor: r() < 0.5 ? null : text(),
    ...(r() < 0.2 ? { page: 2, hitsPerPage: 10, totalPages: 7 } : {}),
    notices: r() < 0.5 ? [] : [text()],
  } as SearchResponse;
};

test('the writer sends the bytes Fastify serializes, or leaves the answer to it', async () => {
  const app = Fastify();
  let current: SearchResponse = randomAnswer();
  let write: AnswerWriter | undefined;
  let written = 0;
  const schema = { response: { 200: SearchResponseSchema } };
  app.post('/serialized', { schema }, async () => current);
  app.post('/written', { schema }, async (_request, reply) => {
    write ??= routeAnswerWriter(reply);
    const json = write(current);
    if (json === undefined) return current;
    written++;
    return (reply as FastifyReply).header('content-type', 'application/json; charset=utf-8').send(json);
  });
  const left = [
    { highlights: { title: '<mark>lamp</mark>' } },
    { scoreParts: { keyword: { bm25: 1.5, rank: 0 } } },
    { score: Number.POSITIVE_INFINITY },
  ];
  let leftToFastify = 0;
  for (let round = 0; round < 400; round++) {
    current = randomAnswer();
    if (round % 10 === 9 && current.hits.length > 0) {
      current.hits[0] = { ...current.hits[0], ...pick(left) } as SearchResponse['hits'][number];
      leftToFastify++;
    }
    const a = await app.inject({ method: 'POST', url: '/serialized' });
    const b = await app.inject({ method: 'POST', url: '/written' });
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200);
    assert.equal(b.headers['content-type'], a.headers['content-type']);
    assert.equal(b.headers['content-length'], a.headers['content-length']);
    assert.equal(b.body, a.body, `round ${round}`);
  }
  // Both ways were exercised.
  assert.ok(written > 300, `written ${written}`);
  assert.ok(leftToFastify > 20, `left to Fastify ${leftToFastify}`);
  await app.close();
});

test('an answer kept while later answers are written keeps its bytes (answers share slabs)', async () => {
  const app = Fastify();
  let serializers: [(value: unknown) => string, (value: unknown) => string] | undefined;
  app.post('/', { schema: { response: { 200: SearchResponseSchema } } }, async (_request, reply) => {
    serializers = [
      reply.getSerializationFunction('200') as (value: unknown) => string,
      reply.compileSerializationSchema(ItemSchema as unknown as Record<string, unknown>, '200') as (
        value: unknown,
      ) => string,
    ];
    return randomAnswer();
  });
  await app.inject({ method: 'POST', url: '/' });
  const [whole, item] = serializers!;
  const write = answerWriter(whole, item);
  // Some answers too large for a slab (their own buffer), between the others.
  const large = { ...items[0], title: 'lamp '.repeat(8000) } as Item;
  const answers = Array.from({ length: 600 }, (_, i) => {
    const answer = randomAnswer();
    if (i % 50 === 7) answer.hits = [{ item: large, score: 1, retrievers: ['keyword'] }];
    return answer;
  });
  const kept = answers.map((answer) => write(answer));
  const sent = kept.reduce((n, bytes) => n + (bytes?.length ?? 0), 0);
  assert.ok(sent > 4 * 64 * 1024, `written ${sent} bytes: several slabs`);
  answers.forEach((answer, i) => {
    if (kept[i] !== undefined) assert.equal(kept[i]!.toString('utf8'), whole(answer), `answer ${i}`);
  });
  await app.close();
});
