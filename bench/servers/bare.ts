// Baseline: a bare Fastify route that answers GET /v1/items/:itemId from a Map, no auth, no storage.
import Fastify from 'fastify';
import { demoCatalog } from '../../packages/server/src/modules/demo/index.ts';

const items = new Map(
  demoCatalog().map((i) => [
    i.id,
    { ...i, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), version: 1 },
  ]),
);
const app = Fastify({ logger: false });
app.get<{ Params: { itemId: string } }>('/v1/items/:itemId', async (request, reply) => {
  const item = items.get(request.params.itemId);
  return item ?? reply.code(404).send({ code: 'not_found' });
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`READY ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
