// Baseline for the inference benchmark: a bare Fastify route that parses the same OIP request body (JSON, as
// Fastify does by default) and answers a fixed one-float OIP response; no auth, no validation, no model.
import Fastify from 'fastify';

const answer = JSON.stringify({
  model_name: 'small',
  model_version: '1',
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [0.125] }],
});
const app = Fastify({ logger: false });
app.post<{ Body: { inputs: { data: unknown[] }[] } }>('/v2/models/:name/infer', async (request, reply) => {
  if (!Array.isArray(request.body?.inputs)) return reply.code(400).send({ error: 'no inputs' });
  return reply.type('application/json; charset=utf-8').send(answer);
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`READY ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
