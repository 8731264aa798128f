// The app's one onResponse hook: observers see each answered request in the order they were added, and one
// that throws is logged while the later ones still run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { observeResponses } from '../../src/http/index.ts';

test('observers run in the order added; a throwing one does not stop the rest', async () => {
  const app = Fastify({ logger: false });
  const seen: string[] = [];
  observeResponses(app, (request, reply) => seen.push(`first ${request.url} ${reply.statusCode}`));
  observeResponses(app, () => {
    seen.push('second');
    throw new Error('observer bug');
  });
  observeResponses(app, () => seen.push('third'));
  app.get('/ok', async () => ({ ok: true }));
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/ok' });
  assert.equal(res.statusCode, 200);
  const missing = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(seen, ['first /ok 200', 'second', 'third', 'first /nope 404', 'second', 'third']);
  await app.close();
});
